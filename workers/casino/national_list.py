"""The national exclusion list (BR: SIGAP "Impedido"): read from the regulator's CSV as it
streams in, and kept only as keyed hashes of CPFs, so the list at rest reveals no one.

A file is one CPF per row, or a table with a `cpf` column; comma or semicolon separated (gov.br
files use semicolons), with or without a header, CPFs with or without punctuation. Rows are read
one line at a time, so a list of millions never sits in memory. A file that is empty, holds no
valid CPF, or has more than 1% invalid rows is refused whole: a bad import must never wipe the
list.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import hmac
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .cpf import normalize_cpf, parse_cpf
from .errors import InvalidList

MAX_INVALID_SHARE = 0.01
HASH_HEX_LENGTH = 32  # 128 bits of HMAC-SHA256: no collision among billions of CPFs


def list_hash(cpf: str, secret: bytes) -> str:
    """The keyed hash under which a CPF is listed (hex)."""
    keyed = _keyed(secret).copy()
    keyed.update(normalize_cpf(cpf).encode())
    return keyed.hexdigest()[:HASH_HEX_LENGTH]


@functools.lru_cache(maxsize=4)
def _keyed(secret: bytes) -> hmac.HMAC:
    return hmac.new(secret, digestmod=hashlib.sha256)


def _delimiter(line: str) -> str:
    return ";" if line.count(";") > line.count(",") else ","


@dataclass
class ListReader:
    """Reads a list line by line: `feed` text as it arrives, `finish` at the end; each yields
    the valid CPFs (normalized) of the complete lines seen. Counts rows and invalid rows."""

    rows: int = 0
    invalid_rows: int = 0
    first_invalid: list[int] = field(default_factory=list)
    _pending: str = ""
    _delimiter: str | None = None
    _column: int = 0
    _line_no: int = 0

    def feed(self, text: str) -> Iterator[str]:
        # A lone \r ends a line too (old Mac files); a \r\n split across chunks is kept whole.
        self._pending += text.replace("\r\n", "\n")
        if self._pending.endswith("\r"):
            self._pending, carry = self._pending[:-1], "\r"
        else:
            carry = ""
        self._pending = self._pending.replace("\r", "\n") + carry
        *complete, self._pending = self._pending.split("\n")
        yield from self._lines(complete)

    def finish(self) -> Iterator[str]:
        rest, self._pending = self._pending.replace("\r", "\n"), ""
        yield from self._lines([rest])

    def _lines(self, lines: Iterable[str]) -> Iterator[str]:
        for raw in lines:
            self._line_no += 1
            line = raw.strip()
            if not line:
                continue
            if self._delimiter is None:
                line = line.lstrip("\ufeff")
                self._delimiter = _delimiter(line)
                header = [c.strip().lower() for c in self._cells(line)]
                if "cpf" in header:
                    self._column = header.index("cpf")
                    continue
            if self._column == 0 and len(line) == 11:  # the common case: a bare CPF per line
                cpf = parse_cpf(line)
            else:
                cells = self._cells(line)
                cpf = parse_cpf(cells[self._column].strip()) if self._column < len(cells) else None
            self.rows += 1
            if cpf is not None:
                yield cpf
            else:
                self.invalid_rows += 1
                if len(self.first_invalid) < 10:
                    self.first_invalid.append(self._line_no)

    def _cells(self, line: str) -> list[str]:
        assert self._delimiter is not None
        if '"' not in line:  # the common case, without the csv module's cost
            return line.split(self._delimiter)
        try:
            return next(csv.reader([line], delimiter=self._delimiter), [])
        except csv.Error:  # a broken quote: the row is simply invalid
            return line.split(self._delimiter)

    def check(self) -> None:
        """Refuse the whole file when it cannot be the regulator's list."""
        valid = self.rows - self.invalid_rows
        if self.rows == 0:
            raise InvalidList("The file holds no rows: an empty list is never imported")
        if valid == 0:
            raise InvalidList("The file holds no valid CPF (check the column and the separator)")
        if self.invalid_rows > self.rows * MAX_INVALID_SHARE:
            lines = ", ".join(str(n) for n in self.first_invalid)
            raise InvalidList(
                f"{self.invalid_rows} of {self.rows} rows are not valid CPFs (more than 1%), "
                f"for example on lines {lines}; nothing was changed"
            )

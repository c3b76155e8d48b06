"""The national exclusion list (BR: SIGAP "Impedido"): parsed from the regulator's CSV and kept
only as keyed hashes of CPFs, so the list at rest reveals no one."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from dataclasses import dataclass

from .cpf import is_valid_cpf, normalize_cpf

KEY_PREFIX = "natex:"


@dataclass(frozen=True)
class ParsedList:
    cpfs: frozenset[str]
    invalid_rows: int


def parse_csv(text: str) -> ParsedList:
    """CPFs from the first column, or from a column headed `cpf`; other rows are counted."""
    rows = list(csv.reader(io.StringIO(text)))
    column = 0
    if rows and any(cell.strip().lower() == "cpf" for cell in rows[0]):
        column = [cell.strip().lower() for cell in rows[0]].index("cpf")
        rows = rows[1:]
    cpfs, invalid = set(), 0
    for row in rows:
        if not row or not any(cell.strip() for cell in row):
            continue
        cell = row[column].strip() if column < len(row) else ""
        if is_valid_cpf(cell):
            cpfs.add(normalize_cpf(cell))
        else:
            invalid += 1
    return ParsedList(frozenset(cpfs), invalid)


def listed_key(cpf: str, secret: bytes) -> str:
    digest = hmac.new(secret, normalize_cpf(cpf).encode(), hashlib.sha256).hexdigest()
    return KEY_PREFIX + digest

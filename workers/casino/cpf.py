"""CPF (Cadastro de Pessoas Fisicas): normalization and check digits (DOMAIN.md section 2)."""

from __future__ import annotations

import re

_NON_DIGITS = re.compile(r"[^0-9]")
_CPF_CHARACTERS = re.compile(r"[0-9. -]*")


def normalize_cpf(raw: str) -> str:
    """Strip everything but (ASCII) digits: `529.982.247-25` -> `52998224725`."""
    return _NON_DIGITS.sub("", raw)


def _check_digit(digits: str) -> int:
    weight = len(digits) + 1
    total = sum(int(d) * (weight - i) for i, d in enumerate(digits))
    remainder = (total * 10) % 11
    return 0 if remainder == 10 else remainder


def parse_cpf(raw: str) -> str | None:
    """The CPF's 11 digits when `raw` holds a valid one (11 digits, not all the same, both
    check digits right; only dots, dashes and spaces around them), else None."""
    cpf = raw if len(raw) == 11 and raw.isdigit() else None
    if cpf is None:
        if _CPF_CHARACTERS.fullmatch(raw) is None:
            return None
        cpf = _NON_DIGITS.sub("", raw)
        if len(cpf) != 11:
            return None
    if cpf == cpf[0] * 11 or not cpf.isascii():
        return None
    d = [ord(c) - 48 for c in cpf]
    first = (10 * d[0] + 9 * d[1] + 8 * d[2] + 7 * d[3] + 6 * d[4] + 5 * d[5] + 4 * d[6]
             + 3 * d[7] + 2 * d[8]) * 10 % 11 % 10  # fmt: skip
    second = (11 * d[0] + 10 * d[1] + 9 * d[2] + 8 * d[3] + 7 * d[4] + 6 * d[5] + 5 * d[6]
              + 4 * d[7] + 3 * d[8] + 2 * d[9]) * 10 % 11 % 10  # fmt: skip
    return cpf if d[9] == first and d[10] == second else None


def is_valid_cpf(raw: str) -> bool:
    """True when `raw` holds a valid CPF (see `parse_cpf`)."""
    return parse_cpf(raw) is not None

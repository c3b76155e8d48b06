"""CPF (Cadastro de Pessoas Fisicas): normalization and check digits (DOMAIN.md section 2)."""

from __future__ import annotations


def normalize_cpf(raw: str) -> str:
    """Strip everything but digits: `529.982.247-25` -> `52998224725`."""
    return "".join(ch for ch in raw if ch.isascii() and ch.isdigit())


def _check_digit(digits: str) -> int:
    weight = len(digits) + 1
    total = sum(int(d) * (weight - i) for i, d in enumerate(digits))
    remainder = (total * 10) % 11
    return 0 if remainder == 10 else remainder


def is_valid_cpf(raw: str) -> bool:
    """True when `raw` holds 11 digits, not all the same, with both check digits right."""
    if any(not (ch.isdigit() or ch in ".- ") for ch in raw):
        return False
    cpf = normalize_cpf(raw)
    if len(cpf) != 11 or len(set(cpf)) == 1:
        return False
    first = _check_digit(cpf[:9])
    second = _check_digit(cpf[:9] + str(first))
    return cpf[9:] == f"{first}{second}"

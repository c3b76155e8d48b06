"""Account rules: who may register (age, identity document, password policy)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .cpf import is_valid_cpf, normalize_cpf
from .errors import InvalidCpf, Underage, WeakPassword
from .jurisdictions import Jurisdiction
from .password_policy import common_password_reason

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128


@dataclass(frozen=True)
class Registration:
    email: str
    password: str
    full_name: str
    birth_date: date
    country: str
    cpf: str | None


def age_on(birth_date: date, today: date) -> int:
    """Completed years on `today` (a person born on 29 February ages on 1 March)."""
    years = today.year - birth_date.year
    if (today.month, today.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def check_password_policy(password: str, email: str) -> None:
    """At least 10 characters with a letter and a digit, not built on the email, nor on a common
    password or word (see `password_policy`)."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise WeakPassword(
            f"The password must have {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters"
        )
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        raise WeakPassword("The password must contain at least one letter and one digit")
    local_part = email.split("@", 1)[0].lower()
    if len(local_part) >= 4 and local_part in password.lower():
        raise WeakPassword("The password must not contain the email address")
    if reason := common_password_reason(password):
        raise WeakPassword(reason)


def validate_registration(reg: Registration, profile: Jurisdiction, today: date) -> Registration:
    """Apply the profile's rules; returns the registration with its CPF normalized."""
    cpf = reg.cpf
    if profile.cpf_required or cpf:
        if not cpf or not is_valid_cpf(cpf):
            raise InvalidCpf("A valid CPF (11 digits with correct check digits) is required")
        cpf = normalize_cpf(cpf)
    if reg.birth_date > today or age_on(reg.birth_date, today) < profile.min_age:
        raise Underage(f"Players must be at least {profile.min_age} years old")
    check_password_policy(reg.password, reg.email)
    return Registration(
        email=reg.email.strip().lower(),
        password=reg.password,
        full_name=reg.full_name.strip(),
        birth_date=reg.birth_date,
        country=reg.country.upper(),
        cpf=cpf,
    )

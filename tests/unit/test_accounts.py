from datetime import date

import pytest

from casino.accounts import Registration, age_on, check_password_policy, validate_registration
from casino.errors import InvalidCpf, Underage, WeakPassword
from casino.jurisdictions import BRAZIL, GENERIC, jurisdiction_for

TODAY = date(2026, 11, 25)


def reg(**changes):
    base = dict(
        email=" Ana@Example.com ",
        password="Str0ng-Passw0rd!x",
        full_name=" Ana Souza ",
        birth_date=date(1990, 1, 1),
        country="br",
        cpf="529.982.247-25",
    )
    return Registration(**(base | changes))


def test_a_valid_brazilian_registration_is_normalized():
    valid = validate_registration(reg(), BRAZIL, TODAY)
    assert valid.email == "ana@example.com"
    assert valid.cpf == "52998224725"
    assert valid.country == "BR"
    assert valid.full_name == "Ana Souza"


def test_brazil_requires_a_cpf_with_valid_check_digits():
    with pytest.raises(InvalidCpf):
        validate_registration(reg(cpf=None), BRAZIL, TODAY)
    with pytest.raises(InvalidCpf):
        validate_registration(reg(cpf="529.982.247-26"), BRAZIL, TODAY)


def test_the_generic_profile_does_not_require_a_cpf():
    assert validate_registration(reg(cpf=None, country="PT"), GENERIC, TODAY).cpf is None


def test_a_player_is_eighteen_on_the_eighteenth_birthday_not_the_day_before():
    assert validate_registration(reg(birth_date=date(2008, 11, 25)), BRAZIL, TODAY)
    with pytest.raises(Underage):
        validate_registration(reg(birth_date=date(2008, 11, 26)), BRAZIL, TODAY)


def test_a_birth_date_in_the_future_is_underage():
    with pytest.raises(Underage):
        validate_registration(reg(birth_date=date(2030, 1, 1)), BRAZIL, TODAY)


def test_leap_day_birthdays_age_on_the_first_of_march():
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18


@pytest.mark.parametrize(
    "password", ["short1A", "onlyletterspassword", "1234567890123", "ana.souza-2024!!"]
)
def test_weak_passwords_are_refused(password):
    with pytest.raises(WeakPassword):
        check_password_policy(password, "ana.souza@example.com")


def test_jurisdiction_follows_the_deployment_before_the_country():
    assert jurisdiction_for("PT") is GENERIC
    assert jurisdiction_for("br") is BRAZIL
    assert jurisdiction_for("PT", "BR") is BRAZIL

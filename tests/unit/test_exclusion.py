from datetime import UTC, datetime, timedelta

import pytest

from casino.errors import SelfExcluded, ValidationFailed
from casino.exclusion import (
    Exclusion,
    check_not_excluded,
    extend,
    self_exclusion,
    take_a_break,
)
from casino.national_list import listed_key, parse_csv

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def test_an_exclusion_applies_at_once_and_ends_when_its_time_is_up():
    excl = self_exclusion(30, False, NOW)
    with pytest.raises(SelfExcluded):
        check_not_excluded(excl, NOW)
    check_not_excluded(excl, NOW + timedelta(days=30))


def test_an_exclusion_can_be_lengthened_but_never_shortened():
    long = self_exclusion(90, False, NOW)
    assert extend(long, self_exclusion(10, False, NOW), NOW) == long
    longer = self_exclusion(180, False, NOW)
    assert extend(long, longer, NOW) == longer


def test_a_permanent_exclusion_is_never_lifted():
    forever = self_exclusion(None, True, NOW)
    assert extend(forever, self_exclusion(1, False, NOW), NOW) == forever
    with pytest.raises(SelfExcluded):
        check_not_excluded(forever, NOW + timedelta(days=3650))


def test_a_break_is_a_lighter_exclusion_that_a_self_exclusion_overrides():
    pause = take_a_break(24, NOW)
    assert pause.kind == "break" and pause.active(NOW)
    merged = extend(pause, self_exclusion(30, False, NOW), NOW)
    assert merged.kind == "self_exclusion"
    with pytest.raises(ValidationFailed):
        take_a_break(0, NOW)


def test_an_expired_exclusion_is_replaced_by_a_new_one():
    old = Exclusion("self_exclusion", NOW - timedelta(days=1))
    new = self_exclusion(2, False, NOW)
    assert extend(old, new, NOW) == new


@pytest.mark.parametrize("days", [0, -1, 1.5, "7", None])
def test_invalid_durations_are_refused(days):
    with pytest.raises(ValidationFailed):
        self_exclusion(days, False, NOW)


def test_the_national_list_is_parsed_from_a_column_or_the_first_field():
    parsed = parse_csv("nome,cpf\nAna,529.982.247-25\nBad,123\n")
    assert parsed.cpfs == {"52998224725"} and parsed.invalid_rows == 1
    assert parse_csv("52998224725\n\n").cpfs == {"52998224725"}


def test_listed_cpfs_are_stored_as_keyed_hashes_only():
    key = listed_key("529.982.247-25", b"secret")
    assert "52998224725" not in key and key == listed_key("52998224725", b"secret")
    assert key != listed_key("52998224725", b"other")

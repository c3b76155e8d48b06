from datetime import UTC, datetime, timedelta

import pytest

from casino.errors import InvalidList, SelfExcluded, ValidationFailed
from casino.exclusion import (
    Exclusion,
    check_not_excluded,
    extend,
    self_exclusion,
    take_a_break,
)
from casino.national_list import ListReader, list_hash

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


def read(text: str, chunk: int = 7) -> tuple[list[str], ListReader]:
    reader = ListReader()
    cpfs = [c for i in range(0, len(text), chunk) for c in reader.feed(text[i : i + chunk])]
    return cpfs + list(reader.finish()), reader


@pytest.mark.parametrize(
    "text",
    [
        "nome,cpf\nAna,529.982.247-25\n",
        "CPF;NOME\n529.982.247-25;José\n",
        "\ufeffcpf\r\n52998224725\r\n",
        "529.982.247-25\n\n",
        "52998224725;Ana\n",
        '"529.982.247-25","Ana"\n',
    ],
    ids=["comma-header", "semicolon-header", "bom-crlf", "one-per-row", "semicolon", "quoted"],
)
def test_the_national_list_is_read_in_every_usual_shape(text):
    cpfs, reader = read(text)
    assert cpfs == ["52998224725"] and reader.rows == 1 and reader.invalid_rows == 0
    reader.check()


def test_broken_quotes_and_stray_carriage_returns_are_invalid_rows_not_errors():
    cpfs, reader = read('52998224725\r"x\r"y,"\n\x81C"\rV3\r52998224725\r', chunk=3)
    assert cpfs == ["52998224725", "52998224725"] and reader.invalid_rows == 4


@pytest.mark.parametrize(
    "text", ["", "\n\n", "cpf\n", "CPF;NOME\n", "nome,idade\nAna,30\n"],
    ids=["empty", "blank", "header-only", "semicolon-header-only", "no-valid-cpf"],
)  # fmt: skip
def test_a_list_with_no_valid_cpf_is_refused_whole(text):
    _, reader = read(text)
    with pytest.raises(InvalidList):
        reader.check()


def test_more_than_one_percent_invalid_rows_is_refused_and_one_percent_is_not():
    good = "52998224725\n" * 100
    _, reader = read(good + "123\n")
    reader.check()  # 1 of 101 rows: under 1%
    _, reader = read(good + "123\n456\n")
    with pytest.raises(InvalidList, match="2 of 102 rows"):
        reader.check()


def test_listed_cpfs_are_stored_as_keyed_hashes_only():
    key = list_hash("529.982.247-25", b"secret")
    assert "52998224725" not in key and key == list_hash("52998224725", b"secret")
    assert key != list_hash("52998224725", b"other") and len(key) == 32

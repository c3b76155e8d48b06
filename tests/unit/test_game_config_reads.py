"""When a KV value read for a game is a change to record: the rule a lobby read applies before it
writes anything (KV is eventually consistent: a location may show the value before a change for
about a minute after it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api.game_config import KV_PROPAGATION, LastGood, is_new_change
from casino.rtp import GameConfig
from casino.timefmt import rfc3339

CHANGED_AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
BEFORE, AFTER = GameConfig("dice", 9700, 10, 100_000), GameConfig("dice", 9500, 10, 100_000)
LAST = LastGood(AFTER, rfc3339(CHANGED_AT), replaced_rtp_bps=BEFORE.rtp_bps)


def test_a_value_never_recorded_is_new() -> None:
    assert is_new_change(AFTER, None, CHANGED_AT)


def test_the_value_in_force_is_not_new() -> None:
    assert not is_new_change(AFTER, LAST, CHANGED_AT + timedelta(days=3))


def test_the_value_a_change_replaced_read_within_kvs_propagation_is_stale_not_new() -> None:
    assert not is_new_change(BEFORE, LAST, CHANGED_AT + KV_PROPAGATION - timedelta(milliseconds=1))


def test_the_value_a_change_replaced_read_later_is_a_revert_and_new() -> None:
    assert is_new_change(BEFORE, LAST, CHANGED_AT + KV_PROPAGATION)


def test_any_other_value_is_new_at_once() -> None:
    assert is_new_change(GameConfig("dice", 9600, 10, 100_000), LAST, CHANGED_AT)
    assert is_new_change(
        GameConfig("dice", 9500, 20, 100_000), LAST, CHANGED_AT
    )  # stakes count too

"""The typed messages of the Durable Object boundary keep the wire format the objects already
store and read: the same keys, in the same order, with the same values."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casino.jurisdictions import BRAZIL, GENERIC
from casino.limits import LimitRules
from casino.messages import (
    IDLE_MINUTES,
    REALITY_CHECK_MINUTES,
    OpenSession,
    PlayRound,
    PlayRules,
    RotateSeed,
    RoundRecord,
    SessionQuery,
    SettleRound,
)

# A round as the SessionDO stored it before the record had a type (its 13 keys, in order).
STORED = {
    "round_id": "r1", "session_id": "s1", "game_id": "dice", "nonce": 7,
    "server_seed_hash": "ab" * 32, "client_seed": "lucky", "rtp_bps": 9900, "stake": 1_000,
    "params": {"target": 5000}, "outcome": {"roll": 4211, "win": True}, "payout": 1_980,
    "expected_payout": 990.0, "payout_variance": 980_100.0,
}  # fmt: skip
LISTED = ("round_id", "nonce", "server_seed_hash", "client_seed", "rtp_bps", "stake", "params",
          "outcome", "payout", "game_id")  # fmt: skip


def test_a_round_record_is_written_with_the_keys_and_order_it_was_stored_with() -> None:
    record = RoundRecord.from_dict(STORED)
    assert list(record.to_dict().items()) == list(STORED.items())
    assert json.dumps(record.to_dict()) == json.dumps(STORED)


def test_the_rounds_list_shows_the_same_ten_fields_in_the_same_order() -> None:
    assert list(RoundRecord.from_dict(STORED).listed()) == list(LISTED)


@pytest.mark.parametrize("change", [{"created_at": "2026-12-01T00:00:00Z"}, {"stake_": 1}])
def test_a_round_record_with_an_unknown_key_is_refused(change: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="no field"):
        RoundRecord.from_dict(STORED | change)


def test_a_round_record_missing_a_key_is_refused() -> None:
    with pytest.raises(KeyError):
        RoundRecord.from_dict({k: v for k, v in STORED.items() if k != "payout_variance"})


@given(
    nonce=st.integers(0, 2**53 - 1),
    stake=st.integers(1, 10**12),
    payout=st.integers(0, 10**13),
    mean=st.floats(0, 1e13, allow_nan=False),
    params=st.dictionaries(st.text(max_size=8), st.integers(0, 10**6), max_size=3),
)
def test_a_round_record_survives_the_json_of_storage_and_rpc(
    nonce: int, stake: int, payout: int, mean: float, params: dict[str, int]
) -> None:
    record = RoundRecord.from_dict(
        STORED
        | {
            "nonce": nonce,
            "stake": stake,
            "payout": payout,
            "expected_payout": mean,
            "params": params,
        }  # fmt: skip
    )
    assert RoundRecord.from_dict(json.loads(json.dumps(record.to_dict()))) == record


def test_the_play_rules_of_a_market_are_the_dict_the_wallet_always_received() -> None:
    before = {  # what `api.responsible.play_rules` built by hand
        "idle_minutes": BRAZIL.idle_timeout_minutes,
        "reality_check_minutes": BRAZIL.reality_check_minutes,
        "utc_offset_minutes": BRAZIL.utc_offset_minutes,
        "limits": BRAZIL.limit_rules().to_dict(),
    }
    rules = PlayRules.of(BRAZIL)
    assert list(rules.to_dict().items()) == list(before.items())
    assert PlayRules.from_dict(before) == rules


def test_a_session_adds_its_opening_to_the_rules_as_it_did() -> None:
    rules = PlayRules.of(GENERIC).opened_at("2026-12-01T10:00:00Z")
    assert rules.to_dict() == {
        **PlayRules.of(GENERIC).to_dict(),
        "session_opened_at": "2026-12-01T10:00:00Z",
    }
    assert PlayRules.from_dict(json.loads(json.dumps(rules.to_dict()))) == rules


def test_rules_left_out_are_the_one_set_of_defaults() -> None:
    assert PlayRules.from_dict({}) == PlayRules.from_dict(None) == PlayRules()
    rules = PlayRules.from_dict({"idle_minutes": 15, "utc_offset_minutes": -180})  # a deposit's
    assert (rules.idle_minutes, rules.reality_check_minutes) == (15, REALITY_CHECK_MINUTES)
    assert PlayRules().idle_minutes == IDLE_MINUTES == 30
    assert rules.limits is None and "limits" not in rules.to_dict()


def test_a_misspelt_rule_is_refused_rather_than_defaulted() -> None:
    with pytest.raises(ValueError, match="idle_minute"):
        PlayRules.from_dict({"idle_minute": 5})


def test_a_settlement_is_the_payload_the_wallet_reads() -> None:
    rules = PlayRules.of(BRAZIL).opened_at("2026-12-01T10:00:00Z")
    command = SettleRound("p1", "hash", RoundRecord.from_dict(STORED), rules)
    wire = command.to_dict()
    assert wire == {
        "player_id": "p1",
        "idempotency_key": "round:r1",
        "request_hash": "hash",
        "round": STORED,
        "rg": rules.to_dict(),
    }
    assert SettleRound.from_dict(wire) == command
    with pytest.raises(ValueError, match="keyed"):
        SettleRound.from_dict(wire | {"idempotency_key": "another"})


def test_the_session_commands_cross_as_plain_json_and_back() -> None:
    opened = OpenSession("s1", "p1", "dice", 9900, 100, 10_000, 30, (8500, 9900), None)
    played = PlayRound("s1", "p1", "r1", "key", "hash", 100, {"target": 5000},
                       PlayRules.of(BRAZIL), (8500, 9900))  # fmt: skip
    for command in (opened, played, SessionQuery("s1", "p1"), RotateSeed("s1", "p1", "new")):
        wire = json.loads(json.dumps(command.to_dict()))  # tuples do not cross RPC: lists do
        assert type(command).from_dict(wire) == command
    assert opened.to_dict()["rtp_range"] == [8500, 9900]
    assert played.to_dict()["rg"] == PlayRules.of(BRAZIL).to_dict()


def test_limit_rules_survive_the_round_trip_inside_play_rules() -> None:
    limits = LimitRules(frozenset({"time", "loss"}), {"loss_daily": 10}, {"time_daily": 60})
    rules = PlayRules(limits=limits)
    assert PlayRules.from_dict(json.loads(json.dumps(rules.to_dict()))).limits == limits

"""A settled round's answer: the WalletDO answers the settlement's facts (`Settlement`), the
SessionDO adds its own record, and the games endpoint sees the JSON it always saw, also when
the wallet's recorded answer is one written before the split."""

from __future__ import annotations

import json

import pytest

from casino.messages import PlayRules, RealityCheck, RoundRecord, Settlement, SettleRound
from session_do.session import _round_answer

RECORD = RoundRecord(
    round_id="r1", session_id="s1", game_id="dice", nonce=7, server_seed_hash="h",
    client_seed="c", rtp_bps=9700, stake=100, params={"target": 5000},
    outcome={"roll": 1234, "win": True}, payout=194, expected_payout=97.0,
    payout_variance=9409.0,
)  # fmt: skip
CHECK = {
    "due": False,
    "session_started_at": "2026-11-25T10:30:15.000Z",
    "elapsed_minutes": 3,
    "rounds": 2,
    "net_position": 94,
}
ALERT = {"rule": "night_play", "level": 1, "intervention": "message", "message": "It is late."}
# The answer as the WalletDO built it before the SessionDO did, key for key and in this order.
BEFORE = {
    "round_id": "r1",
    "nonce": 7,
    "outcome": {"roll": 1234, "win": True},
    "payout": 194,
    "stake": 100,
    "balance": 10_094,
    "server_seed_hash": "h",
    "client_seed": "c",
    "rtp_bps": 9700,
    "game_id": "dice",
    "params": {"target": 5000},
    "reality_check": CHECK,
    "interventions": [ALERT],
}
SETTLE = SettleRound("p1", "hash", RECORD, PlayRules())


def test_a_settlement_is_the_balance_the_reality_check_and_the_interventions():
    settled = Settlement(10_094, RealityCheck(**CHECK), (ALERT,))
    assert settled.to_dict() == {
        "balance": 10_094,
        "reality_check": CHECK,
        "interventions": [ALERT],
    }
    assert Settlement.from_dict(json.loads(json.dumps(settled.to_dict()))) == settled


def test_the_round_answer_is_the_json_the_wallet_answered_before():
    settled = Settlement(10_094, RealityCheck(**CHECK), (ALERT,))
    answer = _round_answer(SETTLE, settled)
    assert json.dumps(answer) == json.dumps(BEFORE)


def test_a_wallet_answer_recorded_before_the_split_replays_as_the_same_round_answer():
    """An idempotent replay of a round the wallet settled before this change."""
    answer = _round_answer(SETTLE, Settlement.from_dict(BEFORE))
    assert json.dumps(answer) == json.dumps(BEFORE)


def test_a_reality_check_with_an_unknown_field_is_refused():
    with pytest.raises(ValueError, match="no field"):
        RealityCheck.from_dict({**CHECK, "extra": 1})


def test_the_wallet_takes_a_round_under_the_key_it_was_sent():
    wire = {**SETTLE.to_dict(), "idempotency_key": "k1"}
    with pytest.raises(ValueError, match="keyed"):
        SettleRound.from_dict(wire)
    assert SettleRound.from_dict(wire, any_key=True) == SETTLE

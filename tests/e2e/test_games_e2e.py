"""Games over HTTP only: play dice, rotate the seed, recompute every roll and payout with an
independent verifier written here from docs/fairness.md; RTP management, statistics, isolation."""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid

import pytest

from .support import assert_problem


def draw(seed: str, client_seed: str, nonce: int, k: int) -> int:
    cursor = 0
    while True:
        digest = hmac.new(seed.encode("ascii"), f"{client_seed}:{nonce}:{cursor}".encode(),
                          hashlib.sha256).digest()  # fmt: skip
        u = int.from_bytes(digest[:8], "big")
        if u < (2**64 // k) * k:
            return u % k
        cursor += 1


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


@pytest.fixture
def funded(verified_player, deposit):
    def _funded(amount: int = 100_000):
        p = verified_player()
        assert deposit(p, amount).status_code == 201
        return p

    return _funded


def open_session(client, p, game="dice", **body):
    r = client.post(f"/v1/games/{game}/sessions", json=body, headers=p.headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_the_catalogue_lists_dice_and_more_games_with_rtp_and_stakes(client):
    games = client.get("/v1/games").json()["games"]
    ids = {g["game_id"] for g in games}
    assert "dice" in ids and len(ids) >= 3
    for g in games:
        assert {"game_id", "name", "kind", "rtp_bps", "min_stake", "max_stake"} <= g.keys()
        assert 8000 <= g["rtp_bps"] <= 9900 and 0 < g["min_stake"] <= g["max_stake"]


def test_play_rotate_and_verify_every_roll_and_payout_independently(client, funded):
    p = funded()
    s = open_session(client, p, client_seed="my lucky seed")
    assert s["nonce"] == 0 and s["client_seed"] == "my lucky seed"
    assert len(s["server_seed_hash"]) == 64
    url = f"/v1/sessions/{s['session_id']}/rounds"
    balance = 100_000
    for i, target in enumerate([100, 2500, 5000, 9000, s["rtp_bps"] - 1] * 4):
        r = client.post(url, json={"stake": 100 + i, "params": {"target": target}},
                        headers=p.headers | key())  # fmt: skip
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["nonce"] == i and body["server_seed_hash"] == s["server_seed_hash"]
        balance += body["payout"] - (100 + i)
        assert body["balance"] == balance
    rotation = client.post(f"/v1/sessions/{s['session_id']}/seed-rotation", json={},
                           headers=p.headers)  # fmt: skip
    assert rotation.status_code == 200, rotation.text
    reveal = rotation.json()
    seed = reveal["revealed_server_seed"]
    assert hashlib.sha256(seed.encode("ascii")).hexdigest() == s["server_seed_hash"]
    assert reveal["revealed_server_seed_hash"] == s["server_seed_hash"]
    assert reveal["final_nonce"] == 20 and reveal["server_seed_hash"] != s["server_seed_hash"]
    rounds = client.get(url, headers=p.headers).json()["rounds"]
    assert [r["nonce"] for r in rounds] == list(range(20))
    for r in rounds:
        roll = draw(seed, r["client_seed"], r["nonce"], 10000)
        win = roll < r["params"]["target"]
        assert r["outcome"] == {"roll": roll, "win": win}
        assert r["payout"] == (r["stake"] * r["rtp_bps"] // r["params"]["target"] if win else 0)
    after = client.post(url, json={"stake": 100, "params": {"target": 5000}},
                        headers=p.headers | key())  # fmt: skip
    assert after.json()["nonce"] == 0
    assert after.json()["server_seed_hash"] == reveal["server_seed_hash"]


def test_a_round_is_idempotent_by_key(client, funded):
    p = funded()
    s = open_session(client, p)
    url = f"/v1/sessions/{s['session_id']}/rounds"
    headers = p.headers | key()
    first = client.post(url, json={"stake": 500, "params": {"target": 5000}}, headers=headers)
    again = client.post(url, json={"stake": 500, "params": {"target": 5000}}, headers=headers)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    other = client.post(url, json={"stake": 501, "params": {"target": 5000}}, headers=headers)
    assert_problem(other, 422, "idempotency_key_reused")
    events = client.get("/v1/wallet/events", headers=p.headers).json()["events"]
    assert [e["type"] for e in events if e["type"] == "BET"] == ["BET"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"stake": 100, "params": {"target": 99}}, "invalid_params"),
        ({"stake": 100, "params": {"target": 9900}}, "invalid_params"),
        ({"stake": 100, "params": {"target": "5000"}}, "invalid_params"),
        ({"stake": 100, "params": {}}, "invalid_params"),
        ({"stake": 0, "params": {"target": 5000}}, "invalid_stake"),
        ({"stake": 1.5, "params": {"target": 5000}}, "invalid_stake"),
        ({"stake": 10**12 + 1, "params": {"target": 5000}}, "invalid_stake"),
    ],
)
def test_bad_rounds_are_refused_and_move_nothing(client, funded, body, code):
    p = funded(10_000)
    s = open_session(client, p)
    r = client.post(f"/v1/sessions/{s['session_id']}/rounds", json=body, headers=p.headers | key())
    assert_problem(r, 422, code)
    assert client.get("/v1/wallet", headers=p.headers).json()["balance"] == 10_000


def test_insufficient_funds_moves_nothing_and_voids_the_nonce(client, funded):
    p = funded(1_000)
    s = open_session(client, p)
    url = f"/v1/sessions/{s['session_id']}/rounds"
    r = client.post(
        url, json={"stake": 5_000, "params": {"target": 5000}}, headers=p.headers | key()
    )
    assert_problem(r, 409, "insufficient_funds")
    assert client.get("/v1/wallet", headers=p.headers).json() == {
        "balance": 1_000, "currency": "BRL", "last_seq": 1
    }  # fmt: skip
    ok = client.post(
        url, json={"stake": 100, "params": {"target": 5000}}, headers=p.headers | key()
    )
    assert ok.json()["nonce"] == 1


def test_unverified_players_cannot_open_sessions_in_brazil(client, player):
    p = player()
    assert_problem(client.post("/v1/games/dice/sessions", json={}, headers=p.headers), 403,
                   "kyc_required")  # fmt: skip


def test_sessions_belong_to_one_player(client, funded):
    owner, other = funded(), funded()
    s = open_session(client, owner)
    url = f"/v1/sessions/{s['session_id']}"
    assert_problem(client.get(url + "/rounds", headers=other.headers), 404, "not_found")
    assert_problem(client.post(url + "/rounds", json={"stake": 100, "params": {"target": 5000}},
                               headers=other.headers | key()), 404, "not_found")  # fmt: skip
    assert_problem(client.post(url + "/seed-rotation", json={}, headers=other.headers), 404,
                   "not_found")  # fmt: skip


def test_rtp_changes_are_range_checked_audited_and_apply_to_new_sessions(client, funded, operator):
    p = funded()
    before = open_session(client, p)
    for bad in (7999, 9901, "9000", 90.5):
        r = client.put("/v1/ops/games/dice/rtp", json={"rtp_bps": bad}, headers=operator.headers)
        assert r.status_code == 422
    assert_problem(client.put("/v1/ops/games/dice/rtp", json={"rtp_bps": 7999},
                              headers=operator.headers), 422, "rtp_out_of_range")  # fmt: skip
    assert_problem(client.put("/v1/ops/games/dice/rtp", json={"rtp_bps": 9000},
                              headers=p.headers), 403, "forbidden")  # fmt: skip
    ok = client.put("/v1/ops/games/dice/rtp", json={"rtp_bps": 9500}, headers=operator.headers)
    assert ok.status_code == 200
    after = open_session(client, p)
    assert after["rtp_bps"] == 9500
    r = client.post(
        f"/v1/sessions/{before['session_id']}/rounds",
        json={"stake": 100, "params": {"target": 5000}},
        headers=p.headers | key(),
    )
    assert r.json()["rtp_bps"] == before["rtp_bps"]
    history = client.get("/v1/ops/games/dice/rtp/history", headers=operator.headers).json()
    assert history["changes"][-1]["new_rtp_bps"] == 9500
    client.put("/v1/ops/games/dice/rtp", json={"rtp_bps": before["rtp_bps"]},
               headers=operator.headers)  # fmt: skip


def test_game_statistics_count_the_rounds_played(client, funded, operator):
    p = funded()
    start = client.get("/v1/ops/games/dice/stats", headers=operator.headers).json()
    s = open_session(client, p)
    paid = 0
    for _ in range(10):
        r = client.post(
            f"/v1/sessions/{s['session_id']}/rounds",
            json={"stake": 1000, "params": {"target": 5000}},
            headers=p.headers | key(),
        )
        paid += r.json()["payout"]
    for _ in range(50):
        stats = client.get("/v1/ops/games/dice/stats", headers=operator.headers).json()
        if stats["rounds"] >= start["rounds"] + 10:
            break
        time.sleep(0.1)
    assert stats["rounds"] == start["rounds"] + 10
    assert stats["total_staked"] == start["total_staked"] + 10_000
    assert stats["total_paid"] == start["total_paid"] + paid
    assert stats["actual_rtp_bps"] == stats["total_paid"] * 10000 // stats["total_staked"]
    assert stats["deviation_bps"] == stats["actual_rtp_bps"] - stats["target_rtp_bps"]

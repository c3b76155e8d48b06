from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from wallet_do.client import WalletClient

from .conftest import register_and_login, verify_player
from .test_local_bindings import wrangler

pytestmark = pytest.mark.anyio


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def funded_player(client, runtime, amount=1_000_000):
    player = await register_and_login(client)
    await verify_player(runtime, player["player_id"])
    r = await client.post("/v1/wallet/deposits", json={"amount": amount, "method": "pix"},
                          headers=player["headers"] | key())  # fmt: skip
    assert r.status_code == 201
    return player


async def open_session(client, player, game="dice"):
    r = await client.post(f"/v1/games/{game}/sessions", json={}, headers=player["headers"])
    assert r.status_code == 201, r.text
    return r.json()


async def play(client, player, session, stake=100, params=None, headers=None):
    return await client.post(
        f"/v1/sessions/{session['session_id']}/rounds",
        json={"stake": stake, "params": params if params is not None else {"target": 5000}},
        headers=headers or player["headers"] | key(),
    )


async def test_the_seed_commitment_is_in_d1_before_any_round(client, runtime):
    player = await funded_player(client, runtime)
    session = await open_session(client, player)
    row = (
        await runtime.services.db.prepare(
            "SELECT session_id, revealed_server_seed FROM seed_commitments WHERE server_seed_hash = ?"
        )
        .bind(session["server_seed_hash"])
        .first()
    )
    assert row == {"session_id": session["session_id"], "revealed_server_seed": None}


async def test_nonces_survive_a_session_do_restart(client, runtime):
    player = await funded_player(client, runtime)
    session = await open_session(client, player)
    for _ in range(3):
        assert (await play(client, player, session)).status_code == 201
    runtime.sessions._live.clear()  # evict: the next call rebuilds the object from storage
    r = await play(client, player, session)
    assert r.json()["nonce"] == 3


async def test_concurrent_rounds_never_reuse_a_nonce_or_double_spend(client, runtime):
    player = await funded_player(client, runtime, amount=5_000)
    sessions = [await open_session(client, player) for _ in range(3)]
    answers = await asyncio.gather(
        *(play(client, player, s, stake=300) for s in sessions for _ in range(10))
    )
    settled = [a.json() for a in answers if a.status_code == 201]
    refused = [a for a in answers if a.status_code != 201]
    assert all(a.json()["code"] == "insufficient_funds" for a in refused)
    for s in sessions:
        rounds = (await client.get(f"/v1/sessions/{s['session_id']}/rounds",
                                   headers=player["headers"])).json()  # fmt: skip
        nonces = [r["nonce"] for r in rounds["rounds"]] + [
            v["nonce"] for v in rounds["void_rounds"]
        ]
        assert sorted(nonces) == list(range(10))
    wallet = (await client.get("/v1/wallet", headers=player["headers"])).json()
    assert wallet["balance"] == 5_000 + sum(r["payout"] - 300 for r in settled) >= 0
    audit = await WalletClient(runtime.wallets, player["player_id"]).audit()
    assert audit["consistent"]


async def test_rounds_are_projected_into_d1_with_statistics(client, runtime):
    player = await funded_player(client, runtime)
    session = await open_session(client, player)
    payouts = [(await play(client, player, session, stake=1000)).json()["payout"] for _ in range(5)]
    await runtime.drain()
    rows = (
        await runtime.services.db.prepare(
            "SELECT nonce, payout FROM rounds WHERE session_id = ? ORDER BY nonce"
        )
        .bind(session["session_id"])
        .all()
    )
    assert [r["payout"] for r in rows] == payouts
    stats = await runtime.services.db.prepare(
        "SELECT * FROM v_game_stats WHERE game_id = 'dice'"
    ).first()
    assert stats["rounds"] == 5 and stats["total_staked"] == 5000
    # A replayed projection counts nothing twice.
    wallet = runtime.wallets._acquire(player["player_id"])
    await wallet.obj.alarm()
    runtime.wallets._release(wallet)
    again = await runtime.services.db.prepare(
        "SELECT rounds FROM game_stats WHERE game_id = 'dice'"
    ).first()
    assert again["rounds"] == 5
    from .conftest import staff_login

    ops = (await staff_login(client, runtime, "operator"))["headers"]
    api = (await client.get("/v1/ops/games/dice/stats", headers=ops)).json()
    # The band of what an honest game gives over these rounds holds the RTP they should give.
    assert api["ci99_low_bps"] <= api["expected_rtp_bps"] <= api["ci99_high_bps"]
    assert api["ci99_high_bps"] - api["ci99_low_bps"] > 1000  # five rounds: a wide band


async def test_an_invalid_rtp_written_with_wrangler_is_ignored_and_alerted(client, runtime, state):
    good = json.dumps({"rtp_bps": 9600, "min_stake": 10, "max_stake": 100000})
    wrangler("kv", "key", "put", "--binding", "KV", "game:dice", good, "--local",
             "--persist-to", str(state))  # fmt: skip
    games = (await client.get("/v1/games")).json()["games"]
    assert next(g for g in games if g["game_id"] == "dice")["rtp_bps"] == 9600
    bad = json.dumps({"rtp_bps": 12000, "min_stake": 10, "max_stake": 100000})
    wrangler("kv", "key", "put", "--binding", "KV", "game:dice", bad, "--local",
             "--persist-to", str(state))  # fmt: skip
    games = (await client.get("/v1/games")).json()["games"]
    assert next(g for g in games if g["game_id"] == "dice")["rtp_bps"] == 9600
    alerts = await runtime.services.db.prepare("SELECT kind, subject FROM operator_alerts").all()
    assert alerts == [{"kind": "invalid_game_config", "subject": "dice"}]
    changes = await runtime.services.db.prepare(
        "SELECT changed_by, new_rtp_bps FROM game_config_changes WHERE game_id = 'dice'"
    ).all()
    assert changes == [{"changed_by": "kv", "new_rtp_bps": 9600}]


async def test_every_game_plays_a_round(client, runtime):
    player = await funded_player(client, runtime)
    for game in (await client.get("/v1/games")).json()["games"]:
        session = await open_session(client, player, game["game_id"])
        params = (
            {"target": 5000}
            if game["game_id"] == "dice"
            else game["paytable"].get("example_params", {})
        )
        r = await play(client, player, session, stake=game["min_stake"], params=params)
        assert r.status_code == 201, (game["game_id"], r.text)


async def test_jurisdiction_profiles_come_from_kv_and_bad_ones_are_ignored(client, runtime):
    from casino.jurisdictions import BRAZIL, to_dict

    changed = to_dict(BRAZIL) | {"payment_methods": ["pix"]}
    await runtime.services.kv.put("jurisdiction:BR", json.dumps(changed))
    await runtime.services.kv.put("jurisdiction:generic", '{"code": "generic"}')
    runtime.services.profiles_loaded_at = -1e9
    player = await register_and_login(client)
    ted = await client.post("/v1/wallet/deposits", json={"amount": 100, "method": "ted"},
                            headers=player["headers"] | key())  # fmt: skip
    assert ted.status_code == 422 and ted.json()["code"] == "payment_method_not_allowed"
    alerts = await runtime.services.db.prepare("SELECT kind, subject FROM operator_alerts").all()
    assert alerts == [{"kind": "invalid_jurisdiction_profile", "subject": "generic"}]


async def test_a_session_idle_past_the_profiles_timeout_is_closed(client, runtime, monkeypatch):
    from datetime import timedelta

    player = await funded_player(client, runtime)
    session = await open_session(client, player)
    assert (await play(client, player, session)).status_code == 201
    clock = runtime.services.clock
    later = clock.now() + timedelta(minutes=31)
    monkeypatch.setattr(clock, "now", lambda: later)
    r = await play(client, player, session)
    assert r.status_code == 409 and r.json()["code"] == "session_closed"
    fresh = await open_session(client, player)
    assert (await play(client, player, fresh)).status_code == 201
    rounds = (await client.get(f"/v1/sessions/{session['session_id']}/rounds",
                               headers=player["headers"])).json()  # fmt: skip
    assert [r["nonce"] for r in rounds["rounds"]] == [0] and rounds["void_rounds"] == []

"""External game providers on a seamless wallet: a fake RGS plays, wins, refunds, rolls back and
retries through the signed callbacks, under the same rules as our own games; replayed, forged
or stale callbacks are refused; money is conserved."""

from __future__ import annotations

import random
import time
import uuid

import httpx
import pytest

from tests.fake_rgs import FakeRgs
from wallet_do.client import WalletClient

from .conftest import register_and_login, staff_login, verify_player

pytestmark = pytest.mark.anyio
GAME = {"blackjack": {"name": "Blackjack", "rtp_bps": 9900, "min_stake": 100, "max_stake": 50_000}}


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def register_provider(client, runtime, games=None, provider_id=None) -> FakeRgs:
    ops = (await staff_login(client, runtime, "operator"))["headers"]
    provider_id = provider_id or f"rgs-{uuid.uuid4().hex[:8]}"
    r = await client.post(
        "/v1/ops/providers",
        json={"provider_id": provider_id, "name": "Acme RGS", "games": games or GAME,
              "launch_url": "https://rgs.example/launch?token={token}&game={game}"},
        headers=ops,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    return FakeRgs(client, provider_id, r.json()["secret"])


async def funded(client, runtime, amount=100_000, **overrides) -> dict:
    player = await register_and_login(client, **overrides)
    await verify_player(runtime, player["player_id"])
    r = await client.post("/v1/wallet/deposits", json={"amount": amount, "method": "pix"},
                          headers=player["headers"] | key())  # fmt: skip
    assert r.status_code == 201
    return player


async def launch(client, player, rgs: FakeRgs, game="blackjack") -> str:
    r = await client.post(f"/v1/games/{rgs.provider_id}:{game}/sessions", json={},
                          headers=player["headers"])  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.json()["launch_url"].startswith("https://rgs.example/launch?token=")
    return r.json()["session_token"]


async def balance(client, player) -> int:
    return (await client.get("/v1/wallet", headers=player["headers"])).json()["balance"]


async def test_a_provider_game_is_in_the_lobby_and_plays_through_the_callbacks(client, runtime):
    rgs = await register_provider(client, runtime)
    lobby = (await client.get("/v1/games")).json()["games"]
    [listed] = [g for g in lobby if g["game_id"] == f"{rgs.provider_id}:blackjack"]
    assert listed["kind"] == "provider" and listed["rtp_bps"] == 9900
    player = await funded(client, runtime)
    token = await launch(client, player, rgs)
    r = await rgs.balance(token)
    assert r.status_code == 200 and r.json() == {
        "player_id": player["player_id"],
        "currency": "BRL",
        "balance": 100_000,
    }
    rng = random.Random(7)
    staked = paid = 0
    first = await rgs.play(token, 1_000, rng)
    assert first["bet"].status_code == 200, first["bet"].text
    staked, paid = first["staked"], first["paid"]
    for _ in range(19):
        result = await rgs.play(token, 1_000, rng)
        staked, paid = staked + result["staked"], paid + result["paid"]
    assert await balance(client, player) == 100_000 - staked + paid
    events = (await client.get("/v1/wallet/events", headers=player["headers"])).json()["events"]
    bets = [e for e in events if e["type"] == "BET"]
    assert len(bets) == 20 and all(
        e["ref"].startswith(f"provider:{rgs.provider_id}:") for e in bets
    )
    await runtime.drain()
    ops = (await staff_login(client, runtime, "operator"))["headers"]
    stats = (await client.get(f"/v1/ops/games/{rgs.provider_id}:blackjack/stats",
                              headers=ops)).json()  # fmt: skip
    assert (stats["rounds"], stats["total_staked"], stats["total_paid"]) == (20, staked, paid)
    assert stats["target_rtp_bps"] == 9900


async def test_refunds_and_rollbacks_never_return_more_than_was_staked(client, runtime):
    rgs = await register_provider(client, runtime)
    player = await funded(client, runtime)
    token = await launch(client, player, rgs)
    assert (await rgs.bet(token, "r1", 5_000, tx="bet-1")).status_code == 200
    refund = await rgs.credit("refund", token, "r1", "bet-1", 2_000)
    assert refund.status_code == 200 and refund.json()["amount"] == 2_000
    too_much = await rgs.credit("refund", token, "r1", "bet-1", 3_001)
    assert too_much.status_code == 409 and too_much.json()["code"] == "refund_exceeds_bet"
    rollback = await rgs.credit("rollback", token, "r1", "bet-1")
    assert rollback.status_code == 200 and rollback.json()["amount"] == 3_000
    again = await rgs.credit("rollback", token, "r1", "bet-1")
    assert again.status_code == 409 and again.json()["code"] == "refund_exceeds_bet"
    assert await balance(client, player) == 100_000


async def test_a_win_or_refund_for_an_unknown_bet_is_refused(client, runtime):
    rgs = await register_provider(client, runtime)
    player = await funded(client, runtime)
    token = await launch(client, player, rgs)
    for kind in ("win", "refund", "rollback"):
        r = await rgs.credit(kind, token, "r9", "never-placed", 100 if kind != "rollback" else None)
        assert r.status_code == 409 and r.json()["code"] == "unknown_bet", (kind, r.text)
    assert await balance(client, player) == 100_000


async def test_a_repeated_transaction_answers_from_the_record_and_other_fields_are_refused(
    client, runtime
):
    rgs = await register_provider(client, runtime)
    player = await funded(client, runtime)
    token = await launch(client, player, rgs)
    first = await rgs.bet(token, "r1", 1_000, tx="bet-x")
    repeat = await rgs.bet(token, "r1", 1_000, tx="bet-x")
    assert first.status_code == repeat.status_code == 200 and repeat.json() == first.json()
    changed = await rgs.bet(token, "r1", 2_000, tx="bet-x")
    assert changed.status_code == 422 and changed.json()["code"] == "idempotency_key_reused"
    assert await balance(client, player) == 99_000


async def test_forged_stale_and_foreign_callbacks_are_refused(client, runtime):
    rgs = await register_provider(client, runtime)
    other = await register_provider(client, runtime)
    player = await funded(client, runtime)
    token = await launch(client, player, rgs)
    body = {"session_token": token, "transaction_id": "t1", "round_id": "r1", "amount": 1_000}
    forged = FakeRgs(client, rgs.provider_id, "not-the-secret")
    r = await forged.call("bet", body)
    assert r.status_code == 401 and r.json()["code"] == "invalid_signature"
    stale = rgs.signed("bet", body, at=time.time() - 3_600)
    r = await client.post(**stale)
    assert r.status_code == 401 and r.json()["code"] == "invalid_signature"
    tampered = rgs.signed("bet", body)
    tampered["content"] = tampered["content"].replace(b"1000", b"9000")
    r = await client.post(**tampered)
    assert r.status_code == 401 and r.json()["code"] == "invalid_signature"
    unsigned = await client.post(f"/v1/providers/{rgs.provider_id}/wallet/bet", json=body)
    assert unsigned.status_code == 401
    r = await other.bet(token, "r1", 1_000)  # a genuine provider with another's token
    assert r.status_code == 401 and r.json()["code"] == "invalid_session_token"
    r = await rgs.bet(token[:-4] + "0000", "r1", 1_000)
    assert r.status_code == 401 and r.json()["code"] == "invalid_session_token"
    assert await balance(client, player) == 100_000


async def test_limits_exclusion_and_kyc_hold_for_provider_games(client, runtime):
    rgs = await register_provider(client, runtime)
    player = await funded(client, runtime)
    token = await launch(client, player, rgs)
    r = await client.put("/v1/limits/loss", json={"daily": 3_000}, headers=player["headers"])
    assert r.status_code == 200
    assert (await rgs.bet(token, "r1", 2_000)).status_code == 200
    over = await rgs.bet(token, "r2", 2_000)
    assert over.status_code == 403 and over.json()["code"] == "loss_limit_reached"
    excluded = await client.post("/v1/self-exclusion", json={"days": 30}, headers=player["headers"])
    assert excluded.status_code == 201
    r = await rgs.bet(token, "r3", 500)
    assert r.status_code == 403 and r.json()["code"] == "self_excluded"
    r = await client.post(f"/v1/games/{rgs.provider_id}:blackjack/sessions", json={},
                          headers=player["headers"])  # fmt: skip
    assert r.status_code == 403 and r.json()["code"] == "self_excluded"
    unverified = await register_and_login(client)
    r = await client.post(f"/v1/games/{rgs.provider_id}:blackjack/sessions", json={},
                          headers=unverified["headers"])  # fmt: skip
    assert r.status_code == 403 and r.json()["code"] == "kyc_required"


async def test_a_game_below_the_brazilian_floor_is_not_offered_to_brazil(client, runtime):
    rgs = await register_provider(
        client, runtime, games={"slot80": {"rtp_bps": 8000}, "slot96": {"rtp_bps": 9600}}
    )
    br = {g["game_id"] for g in (await client.get("/v1/games?jurisdiction=BR")).json()["games"]}
    assert f"{rgs.provider_id}:slot96" in br and f"{rgs.provider_id}:slot80" not in br
    player = await funded(client, runtime)
    r = await client.post(f"/v1/games/{rgs.provider_id}:slot80/sessions", json={},
                          headers=player["headers"])  # fmt: skip
    assert r.status_code == 403 and r.json()["code"] == "provider_unavailable"


async def test_a_suspended_provider_takes_no_bets_but_still_pays(client, runtime):
    rgs = await register_provider(client, runtime)
    player = await funded(client, runtime)
    token = await launch(client, player, rgs)
    assert (await rgs.bet(token, "r1", 1_000, tx="open-bet")).status_code == 200
    ops = (await staff_login(client, runtime, "operator"))["headers"]
    r = await client.patch(f"/v1/ops/providers/{rgs.provider_id}", json={"status": "suspended"},
                           headers=ops)  # fmt: skip
    assert r.status_code == 200 and r.json()["status"] == "suspended"
    r = await rgs.bet(token, "r2", 1_000)
    assert r.status_code == 403 and r.json()["code"] == "provider_unavailable"
    assert (await rgs.credit("win", token, "r1", "open-bet", 3_000)).status_code == 200
    assert await balance(client, player) == 102_000


async def test_a_rotated_secret_stops_the_old_one(client, runtime):
    rgs = await register_provider(client, runtime)
    player = await funded(client, runtime)
    token = await launch(client, player, rgs)
    ops = (await staff_login(client, runtime, "admin"))["headers"]
    r = await client.post(f"/v1/ops/providers/{rgs.provider_id}/secret", headers=ops)
    assert r.status_code == 200
    assert (await rgs.balance(token)).status_code == 401
    rgs.secret = r.json()["secret"]
    assert (await rgs.balance(token)).status_code == 200


async def test_only_operators_and_admins_manage_providers(client, runtime):
    for role in ("kyc_reviewer", "compliance"):
        headers = (await staff_login(client, runtime, role))["headers"]
        r = await client.get("/v1/ops/providers", headers=headers)
        assert r.status_code == 403 and r.json()["code"] == "forbidden"
    player = await register_and_login(client)
    assert (await client.get("/v1/ops/providers", headers=player["headers"])).status_code == 403


async def test_money_is_conserved_when_callback_answers_are_lost(state, monkeypatch):
    """The provider retries every callback whose answer was lost (30% of the wallet's calls
    fail, before or after committing); each bet and win lands once."""
    from local_runtime.faults import AFTER, BEFORE, FaultPlan
    from local_runtime.runtime import build
    from local_runtime.server import LocalGateway

    plan = FaultPlan(0.0, 5, modes=(BEFORE, AFTER))
    runtime = build(state, faults=plan)
    transport = httpx.ASGITransport(app=LocalGateway(runtime), client=("127.0.0.1", 1))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            rgs = await register_provider(client, runtime)
            player = await funded(client, runtime)
            token = await launch(client, player, rgs)
            plan.rate = 0.3
            rng = random.Random(3)
            staked = paid = 0
            for _ in range(40):
                result = await rgs.play(token, 500, rng)
                staked, paid = staked + result["staked"], paid + result["paid"]
            plan.rate = 0.0
            assert sum(plan.injected.values()) > 5
            assert await balance(client, player) == 100_000 - staked + paid
            audit = await WalletClient(runtime.wallets, player["player_id"]).audit()
            assert audit["consistent"]
    finally:
        await runtime.drain()
        runtime.close()

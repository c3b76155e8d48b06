"""A round is never an option for the player (docs/api.md): once its nonce is reserved
its outcome is fixed, and the platform itself settles (or voids) it, whatever the player does.

The wallet is reached through a stand-in namespace that fails the calls a test chooses, before
the wallet runs or after it has committed (the reply lost), as an RPC can on the edge.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from casino.verify import verify_rounds
from infra.ports import Unavailable
from session_do.session import GameSession, SessionDeps

from .conftest import register_and_login, verify_player

pytestmark = pytest.mark.anyio
STAKE = 1_000


class FlakyWallets:
    """The WalletDO namespace, failing `settle_round` calls for which `fail(call_no, round_id)`
    says so: `before` (nothing ran) or `after` (it committed, the reply is lost)."""

    def __init__(self, host: Any, fail: Callable[[int, str], str | None]) -> None:
        self.host, self.fail = host, fail
        self.calls: dict[str, int] = {}

    def get(self, name: str) -> Any:
        namespace = self

        class Stub:
            async def call(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
                if method != "settle_round":
                    return await namespace.host.call(name, method, payload)
                round_id = payload["round"]["round_id"]
                number = namespace.calls.get(round_id, 0) + 1
                namespace.calls[round_id] = number
                mode = namespace.fail(number, round_id)
                if mode == "before":
                    raise Unavailable("test: the settle call did not reach the wallet")
                answer = await namespace.host.call(name, method, payload)
                if mode == "after":
                    raise Unavailable("test: the settle reply was lost")
                return answer

        return Stub()


def flaky(runtime: Any, fail: Callable[[int, str], str | None]) -> FlakyWallets:
    wallets = FlakyWallets(runtime.wallets, fail)
    services = runtime.services
    runtime.sessions.factory = lambda name, storage: GameSession(
        storage,
        SessionDeps(
            clock=services.clock, entropy=services.entropy, db=services.db, wallets=wallets
        ),
    )
    runtime.sessions._live.clear()
    return wallets


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def funded_session(client: Any, runtime: Any, amount: int = 1_000_000) -> tuple[dict, dict]:
    player = await register_and_login(client)
    await verify_player(runtime, player["player_id"])
    deposit = await client.post(
        "/v1/wallet/deposits", json={"amount": amount, "method": "pix"},
        headers=player["headers"] | key(),
    )  # fmt: skip
    assert deposit.status_code == 201, deposit.text
    session = await client.post("/v1/games/dice/sessions", json={}, headers=player["headers"])
    assert session.status_code == 201, session.text
    return player, session.json()


async def rounds_of(client: Any, player: dict, session: dict) -> dict:
    r = await client.get(f"/v1/sessions/{session['session_id']}/rounds", headers=player["headers"])
    assert r.status_code == 200, r.text
    return r.json()


async def balance(client: Any, player: dict) -> int:
    return (await client.get("/v1/wallet", headers=player["headers"])).json()["balance"]


async def test_retrying_only_the_winners_after_rotation_gains_nothing(client, runtime):
    """The finding: every first settle call fails, the player rotates, computes each outcome
    from the revealed seed and retries only the winners. Before the fix only winners settled
    (194% RTP); now rotation settles every pending round first, so every round counts."""
    flaky(runtime, lambda call_no, _: "before" if call_no == 1 else None)
    player, session = await funded_session(client, runtime)
    start = await balance(client, player)
    keys = []
    for _ in range(30):
        headers = player["headers"] | key()
        r = await client.post(
            f"/v1/sessions/{session['session_id']}/rounds",
            json={"stake": STAKE, "params": {"target": 5000}}, headers=headers,
        )  # fmt: skip
        assert r.status_code == 503 and r.json()["code"] == "unavailable", r.text
        assert r.headers["retry-after"] and r.headers["content-type"] == "application/problem+json"
        keys.append(headers)
    listed = await rounds_of(client, player, session)
    assert len(listed["pending_rounds"]) == 30 and listed["rounds"] == []

    rotation = await client.post(
        f"/v1/sessions/{session['session_id']}/seed-rotation", json={}, headers=player["headers"]
    )
    assert rotation.status_code == 200, rotation.text
    seed = rotation.json()["revealed_server_seed"]
    listed = await rounds_of(client, player, session)
    assert listed["pending_rounds"] == [] and len(listed["rounds"]) == 30
    assert verify_rounds(seed, listed["rounds"]) == []

    # The "strategy": retry only the rounds the revealed seed says were won.
    winners = [r for r in listed["rounds"] if r["payout"] > 0]
    losers = [r for r in listed["rounds"] if r["payout"] == 0]
    assert winners and losers
    for headers in keys:
        again = await client.post(
            f"/v1/sessions/{session['session_id']}/rounds",
            json={"stake": STAKE, "params": {"target": 5000}}, headers=headers,
        )  # fmt: skip
        assert again.status_code == 201, again.text  # the round's final state, not a new round
    total_paid = sum(r["payout"] for r in listed["rounds"])
    assert await balance(client, player) == start - 30 * STAKE + total_paid
    assert len((await rounds_of(client, player, session))["rounds"]) == 30


async def test_the_platform_settles_a_pending_round_without_the_client(client, runtime):
    flaky(runtime, lambda call_no, _: "before" if call_no == 1 else None)
    player, session = await funded_session(client, runtime)
    start = await balance(client, player)
    r = await client.post(
        f"/v1/sessions/{session['session_id']}/rounds",
        json={"stake": STAKE, "params": {"target": 5000}}, headers=player["headers"] | key(),
    )  # fmt: skip
    assert r.status_code == 503
    assert len((await rounds_of(client, player, session))["pending_rounds"]) == 1
    await asyncio.sleep(1.3)  # the SessionDO's alarm retries after a second
    await runtime.drain()
    listed = await rounds_of(client, player, session)
    assert listed["pending_rounds"] == [] and len(listed["rounds"]) == 1
    assert await balance(client, player) == start - STAKE + listed["rounds"][0]["payout"]


async def test_a_lost_settle_reply_settles_once_and_the_retry_answers_it(client, runtime):
    flaky(runtime, lambda call_no, _: "after" if call_no == 1 else None)
    player, session = await funded_session(client, runtime)
    headers = player["headers"] | key()
    body = {"stake": STAKE, "params": {"target": 5000}}
    url = f"/v1/sessions/{session['session_id']}/rounds"
    assert (await client.post(url, json=body, headers=headers)).status_code == 503
    again = await client.post(url, json=body, headers=headers)
    assert again.status_code == 201, again.text
    replay = await client.post(url, json=body, headers=headers)
    assert replay.status_code == 201 and replay.json() == again.json()
    events = (await client.get("/v1/wallet/events", headers=player["headers"])).json()["events"]
    assert [e["type"] for e in events].count("BET") == 1


async def test_a_round_voided_by_the_platform_answers_round_void_on_retry(client, runtime):
    flaky(runtime, lambda call_no, _: "before" if call_no == 1 else None)
    player, session = await funded_session(client, runtime)
    headers = player["headers"] | key()
    body = {"stake": STAKE, "params": {"target": 5000}}
    url = f"/v1/sessions/{session['session_id']}/rounds"
    assert (await client.post(url, json=body, headers=headers)).status_code == 503
    excluded = await client.post("/v1/self-exclusion", json={"days": 30}, headers=player["headers"])
    assert excluded.status_code == 201
    start = await balance(client, player)
    again = await client.post(url, json=body, headers=headers)
    assert again.status_code == 409 and again.json()["code"] == "round_void", again.text
    listed = await rounds_of(client, player, session)
    assert listed["pending_rounds"] == [] and [v["nonce"] for v in listed["void_rounds"]] == [0]
    assert await balance(client, player) == start


async def test_rotation_waits_for_a_round_it_cannot_settle_yet(client, runtime):
    wallets = flaky(runtime, lambda *_: "before")
    player, session = await funded_session(client, runtime)
    url = f"/v1/sessions/{session['session_id']}"
    body = {"stake": STAKE, "params": {"target": 5000}}
    assert (
        await client.post(f"{url}/rounds", json=body, headers=player["headers"] | key())
    ).status_code == 503
    rotation = await client.post(f"{url}/seed-rotation", json={}, headers=player["headers"])
    assert rotation.status_code == 409 and rotation.json()["code"] == "rounds_pending"
    assert rotation.headers["retry-after"]
    listed = await rounds_of(client, player, session)
    assert listed["revealed_seeds"] == [] and len(listed["pending_rounds"]) == 1
    d1 = await runtime.services.db.prepare(
        "SELECT revealed_server_seed FROM seed_commitments WHERE server_seed_hash = ?"
    ).bind(session["server_seed_hash"]).first()  # fmt: skip
    assert d1 == {"revealed_server_seed": None}

    wallets.fail = lambda *_: None  # the wallet answers again
    rotation = await client.post(f"{url}/seed-rotation", json={}, headers=player["headers"])
    assert rotation.status_code == 200, rotation.text
    listed = await rounds_of(client, player, session)
    assert len(listed["rounds"]) == 1 and listed["pending_rounds"] == []


async def test_a_d1_failure_during_rotation_keeps_the_reveal(client, runtime, monkeypatch):
    player, session = await funded_session(client, runtime)
    url = f"/v1/sessions/{session['session_id']}"
    r = await client.post(
        f"{url}/rounds", json={"stake": STAKE, "params": {"target": 5000}},
        headers=player["headers"] | key(),
    )  # fmt: skip
    assert r.status_code == 201
    db = runtime.services.db
    real_batch = db.batch
    failures = {"left": 1}

    async def failing_batch(statements):
        if failures["left"] and any("seed_commitments" in s.sql for s in statements):
            failures["left"] -= 1
            raise Unavailable("test: D1 did not answer")
        return await real_batch(statements)

    monkeypatch.setattr(db, "batch", failing_batch)
    rotation = await client.post(f"{url}/seed-rotation", json={}, headers=player["headers"])
    assert rotation.status_code == 200, rotation.text
    revealed = rotation.json()["revealed_server_seed"]
    listed = await rounds_of(client, player, session)
    assert [s["revealed_server_seed"] for s in listed["revealed_seeds"]] == [revealed]

    await asyncio.sleep(1.3)  # the alarm publishes what D1 missed
    await runtime.drain()
    d1 = await db.prepare(
        "SELECT revealed_server_seed, final_nonce FROM seed_commitments WHERE server_seed_hash = ?"
    ).bind(session["server_seed_hash"]).first()  # fmt: skip
    assert d1 == {"revealed_server_seed": revealed, "final_nonce": 1}

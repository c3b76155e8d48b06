"""The bank test (after Jepsen's): concurrent clients deposit, withdraw and play across a few
players while every Durable Object call and D1 batch may fail (the call lost before it ran, the
reply lost after it committed, the object reset in the middle of a request), retrying with the
same Idempotency-Key until each operation has a definite answer. Then, with faults off:

- every acknowledged operation happened exactly once, and nothing else happened;
- money is conserved: each balance is what the acknowledged answers add up to;
- no balance is ever negative and every ledger replays to its stored balance;
- D1 holds exactly the ledgers;
- no nonce was used twice, and every revealed seed verifies every round listed under it;
- a player who retries only the rounds the revealed seed says were won gains nothing.

Bounded and seeded (`BANK_SEED`, printed on failure); `make soak` runs it longer
(`BANK_OPS`, `BANK_PLAYERS`, `BANK_CLIENTS`, `BANK_FAULT_RATE`).
"""

from __future__ import annotations

import asyncio
import math
import os
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from casino.verify import verify_rounds
from local_runtime.faults import AFTER, BEFORE, INTERRUPT, FaultPlan
from local_runtime.runtime import build
from local_runtime.server import LocalGateway
from wallet_do.client import WalletClient

from .conftest import STRONG, cpf_for

pytestmark = pytest.mark.anyio

SEED = int(os.environ.get("BANK_SEED") or random.SystemRandom().randrange(2**32))
OPS = int(os.environ.get("BANK_OPS", "40"))  # per client
PLAYERS = int(os.environ.get("BANK_PLAYERS", "3"))
CLIENTS = int(os.environ.get("BANK_CLIENTS", "3"))  # per player
FAULT_RATE = float(os.environ.get("BANK_FAULT_RATE", "0.2"))
ADVERSARY_ROUNDS = int(os.environ.get("BANK_ADVERSARY_ROUNDS", "40"))
MAX_ATTEMPTS = 400


@dataclass
class Ledger:
    """What the clients were told: the acknowledged operations of one player."""

    player_id: str
    headers: dict[str, str]
    sessions: list[str] = field(default_factory=list)
    deposits: list[dict[str, Any]] = field(default_factory=list)
    withdrawals: list[dict[str, Any]] = field(default_factory=list)
    rounds: list[dict[str, Any]] = field(default_factory=list)


async def until_definite(send, *retry_codes: str) -> httpx.Response:
    """Retry the same request (same key) while the platform answers 503 (or a retryable
    409), as a client must; every other answer is definite."""
    for _ in range(MAX_ATTEMPTS):
        r = await send()
        if r.status_code == 503 or (r.status_code == 409 and r.json()["code"] in retry_codes):
            assert "retry-after" in r.headers
            await asyncio.sleep(0.002)
            continue
        return r
    raise AssertionError(f"no definite answer after {MAX_ATTEMPTS} attempts (seed {SEED})")


@pytest.fixture
async def faulty(state, monkeypatch):
    import session_do.session as session_module
    import wallet_do.wallet as wallet_module

    for module in (session_module, wallet_module):  # quick retries, so the test stays short
        monkeypatch.setattr(module, "RETRY_FIRST_MS", 20)
        monkeypatch.setattr(module, "RETRY_MAX_MS", 200)
    plan = FaultPlan(FAULT_RATE, SEED, modes=(BEFORE, AFTER, INTERRUPT))
    runtime = build(state, faults=plan)
    for host in runtime.hosts:
        host.retry_base_ms = 20
    transport = httpx.ASGITransport(app=LocalGateway(runtime), client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=60) as c:
        yield c, runtime, plan
    plan.rate = 0.0
    await runtime.drain()
    runtime.close()


async def new_player(client, runtime) -> Ledger:
    email = f"bank-{uuid.uuid4().hex[:12]}@example.com"
    body = {"email": email, "password": STRONG, "full_name": "Ana Souza",
            "birth_date": "1990-01-01", "country": "BR", "cpf": cpf_for(uuid.uuid4().int)}  # fmt: skip
    for _ in range(MAX_ATTEMPTS):  # a failed registration is simply made again
        r = await client.post("/v1/auth/register", json=body)
        if r.status_code != 503:
            break
    assert r.status_code == 201, r.text
    login = await until_definite(
        lambda: client.post("/v1/auth/login", json={"email": email, "password": STRONG})
    )
    assert login.status_code == 200, login.text
    player_id = r.json()["player_id"]
    await runtime.services.db.prepare(
        "UPDATE players SET kyc_status = 'verified' WHERE player_id = ?"
    ).bind(player_id).run()  # fmt: skip
    return Ledger(player_id, {"Authorization": f"Bearer {login.json()['access_token']}"})


async def open_session(client, ledger: Ledger) -> str:
    r = await until_definite(
        lambda: client.post("/v1/games/dice/sessions", json={}, headers=ledger.headers)
    )
    assert r.status_code == 201, r.text
    ledger.sessions.append(r.json()["session_id"])
    return r.json()["session_id"]


def on_break(r: httpx.Response) -> bool:
    """An enforced break (the third behavioural alert in a week: at night in Brazil, night play
    is one, so random play reaches it) refuses deposits and stakes: a definite answer that
    moves no money."""
    return r.status_code == 403 and r.json()["code"] == "self_excluded"


async def operate(client, ledger: Ledger, rng: random.Random, session_id: str) -> None:
    """One client: a random mix of deposits, withdrawals and rounds, each retried to the end."""
    for _ in range(OPS):
        key = {"Idempotency-Key": str(uuid.uuid4())}
        kind = rng.choices(("deposit", "withdraw", "round"), weights=(3, 2, 6))[0]
        if kind == "deposit":
            body = {"amount": rng.randrange(100, 5_000), "method": "pix"}
            r = await until_definite(lambda b=body, k=key: client.post(
                "/v1/wallet/deposits", json=b, headers=ledger.headers | k))  # fmt: skip
            assert r.status_code == 201 or on_break(r), r.text
            if r.status_code == 201:
                ledger.deposits.append(r.json())
        elif kind == "withdraw":
            body = {"amount": rng.randrange(100, 3_000), "method": "pix"}
            r = await until_definite(lambda b=body, k=key: client.post(
                "/v1/wallet/withdrawals", json=b, headers=ledger.headers | k))  # fmt: skip
            assert r.status_code in (201, 409), r.text
            if r.status_code == 201:
                ledger.withdrawals.append(r.json())
            else:
                assert r.json()["code"] == "insufficient_funds"
        else:
            body = {
                "stake": rng.randrange(100, 500),
                "params": {"target": rng.randrange(1000, 9000)},
            }
            r = await until_definite(lambda b=body, k=key: client.post(
                f"/v1/sessions/{session_id}/rounds", json=b, headers=ledger.headers | k))  # fmt: skip
            assert r.status_code in (201, 409) or on_break(r), r.text
            if r.status_code == 201:
                ledger.rounds.append(r.json())
            elif not on_break(r):
                assert r.json()["code"] in ("insufficient_funds", "round_void"), r.text


async def adversary(client, runtime) -> dict[str, Any]:
    """Plays, never retries a round whose answer was lost, rotates, computes every outcome from
    the revealed seed and retries only the winners."""
    ledger = await new_player(client, runtime)
    deposit = await until_definite(lambda: client.post(
        "/v1/wallet/deposits", json={"amount": 100_000, "method": "pix"},
        headers=ledger.headers | {"Idempotency-Key": "adv-deposit"}))  # fmt: skip
    assert deposit.status_code == 201
    ledger.deposits.append(deposit.json())
    session_id = await open_session(client, ledger)
    lost = []
    for _ in range(ADVERSARY_ROUNDS):
        key = {"Idempotency-Key": str(uuid.uuid4())}
        r = await client.post(f"/v1/sessions/{session_id}/rounds",
                              json={"stake": 100, "params": {"target": 5000}},
                              headers=ledger.headers | key)  # fmt: skip
        if r.status_code == 503:
            lost.append(key)
        elif r.status_code == 201:
            ledger.rounds.append(r.json())
    rotation = await until_definite(
        lambda: client.post(f"/v1/sessions/{session_id}/seed-rotation", json={},
                            headers=ledger.headers), "rounds_pending")  # fmt: skip
    assert rotation.status_code == 200, rotation.text
    listed = (await until_definite(lambda: client.get(
        f"/v1/sessions/{session_id}/rounds", headers=ledger.headers))).json()  # fmt: skip
    assert listed["pending_rounds"] == [], "rotation revealed a seed with rounds pending"
    # (A rotation whose answer was lost and was asked again revealed two seeds: the list has both.)
    for seed in listed["revealed_seeds"]:
        under = [r for r in listed["rounds"] if r["server_seed_hash"] == seed["server_seed_hash"]]
        assert verify_rounds(seed["revealed_server_seed"], under) == []
    assert {r["server_seed_hash"] for r in listed["rounds"]} <= {
        s["server_seed_hash"] for s in listed["revealed_seeds"]
    }
    before = (await until_definite(lambda: client.get("/v1/wallet", headers=ledger.headers))).json()
    revealed = {r["round_id"]: r for r in listed["rounds"]}
    winners = {i for i, r in revealed.items() if r["payout"] > 0}
    fresh = 0
    for key in lost:  # retry: the answer is the round's final state, whatever it is
        r = await until_definite(lambda k=key: client.post(
            f"/v1/sessions/{session_id}/rounds", json={"stake": 100, "params": {"target": 5000}},
            headers=ledger.headers | k))  # fmt: skip
        assert r.status_code in (201, 409)
        if r.status_code != 201:
            continue
        answer = r.json()
        ledger.rounds.append(answer)
        if answer["round_id"] in revealed:  # a round of the revealed seed: as it was settled
            assert answer["payout"] == revealed[answer["round_id"]]["payout"]
            assert answer["round_id"] in winners or answer["payout"] == 0
        else:  # the first attempt never reached the session: a new round, on the new seed
            assert answer["server_seed_hash"] == rotation.json()["server_seed_hash"]
            fresh += answer["payout"] - answer["stake"]
    after = (await until_definite(lambda: client.get("/v1/wallet", headers=ledger.headers))).json()
    assert after["balance"] == before["balance"] + fresh, "a retry re-decided a revealed round"
    return {"ledger": ledger, "rounds": listed["rounds"], "lost": len(lost)}


async def settle_everything(client, runtime, ledgers: list[Ledger]) -> None:
    """Faults off: wait until the platform has finished what it owes (pending rounds, the D1
    projection), without any client action."""
    for _ in range(300):
        await asyncio.sleep(0.05)
        await runtime.drain()
        done = True
        for ledger in ledgers:
            audit = await WalletClient(runtime.wallets, ledger.player_id).audit()
            done &= audit["d1_projected_seq"] == audit["last_seq"]
            for session_id in ledger.sessions:
                listed = (await client.get(
                    f"/v1/sessions/{session_id}/rounds", headers=ledger.headers)).json()  # fmt: skip
                done &= listed["pending_rounds"] == []
        if done:
            return
    raise AssertionError(f"the platform did not settle (seed {SEED})")


async def check_player(client, runtime, ledger: Ledger) -> list[dict[str, Any]]:
    wallet = WalletClient(runtime.wallets, ledger.player_id)
    events = (await wallet.events(0, 100_000))["events"]
    audit = await wallet.audit()
    assert audit["consistent"] and audit["events"] == len(events), audit
    assert all(e["balance_after"] >= 0 for e in events)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))

    # Exactly once: every acknowledged money movement is in the ledger once, nothing else is.
    by_ref: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        by_ref.setdefault(event["ref"], []).append(event)
    for answer in ledger.deposits + ledger.withdrawals:
        assert len(by_ref[answer["event"]["ref"]]) == 1
    kinds = [e["type"] for e in events]
    assert kinds.count("DEPOSIT") == len(ledger.deposits)
    assert kinds.count("WITHDRAWAL") == len(ledger.withdrawals)

    rounds: list[dict[str, Any]] = []
    for session_id in ledger.sessions:
        rotation = await until_definite(lambda s=session_id: client.post(
            f"/v1/sessions/{s}/seed-rotation", json={}, headers=ledger.headers), "rounds_pending")  # fmt: skip
        assert rotation.status_code == 200, rotation.text
        listed = (
            await client.get(f"/v1/sessions/{session_id}/rounds", headers=ledger.headers)
        ).json()
        assert listed["pending_rounds"] == []
        used = [(r["server_seed_hash"], r["nonce"]) for r in listed["rounds"]]
        used += [(v["server_seed_hash"], v["nonce"]) for v in listed["void_rounds"]]
        assert len(used) == len(set(used)), "a nonce was used twice"
        for seed in listed["revealed_seeds"]:
            under = [
                r for r in listed["rounds"] if r["server_seed_hash"] == seed["server_seed_hash"]
            ]
            assert verify_rounds(seed["revealed_server_seed"], under) == []
        rounds += listed["rounds"]
    settled = {r["round_id"] for r in rounds}
    assert {a["round_id"] for a in ledger.rounds} <= settled  # every acknowledged round settled
    assert kinds.count("BET") == len(rounds)
    assert kinds.count("WIN") == sum(1 for r in rounds if r["payout"] > 0)
    for r in rounds:
        assert len(by_ref[f"round:{r['round_id']}"]) in (1, 2)  # BET, and WIN when won

    # Conservation: the balance is what the answers and the rounds add up to.
    expected = (
        sum(d["event"]["amount"] for d in ledger.deposits)
        - sum(w["event"]["amount"] for w in ledger.withdrawals)
        - sum(r["stake"] for r in rounds)
        + sum(r["payout"] for r in rounds)
    )
    assert audit["stored_balance"] == expected, (audit, expected)

    # D1 holds exactly the ledger.
    projected = await runtime.services.db.prepare(
        "SELECT seq, type, amount, balance_after, created_at, ref FROM wallet_events "
        "WHERE player_id = ? ORDER BY seq"
    ).bind(ledger.player_id).all()  # fmt: skip
    assert projected == events
    return rounds


async def test_money_is_conserved_under_faults_and_retries(faulty):
    client, runtime, plan = faulty
    print(f"\nbank test: seed {SEED}, fault rate {plan.rate}, {PLAYERS} players x {CLIENTS} "
          f"clients x {OPS} operations")  # fmt: skip
    rng = random.Random(SEED)
    ledgers = [await new_player(client, runtime) for _ in range(PLAYERS)]
    work = []
    for ledger in ledgers:
        for _ in range(CLIENTS):
            session_id = await open_session(client, ledger)
            work.append(operate(client, ledger, random.Random(rng.random()), session_id))
    results = await asyncio.gather(adversary(client, runtime), *work, return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures:
        raise AssertionError(f"seed {SEED}: {failures[0]!r}") from failures[0]
    game = results[0]
    ledgers.append(game["ledger"])
    plan.rate = 0.0
    print(f"faults injected: {dict(sorted(plan.injected.items()))}")
    assert sum(plan.injected.values()) > 0
    await settle_everything(client, runtime, ledgers)
    for ledger in ledgers:
        await check_player(client, runtime, ledger)

    # Retrying only winners gained nothing: the adversary's settled rounds return what dice
    # returns (a z-score of the payouts against their exact expectation within 4 sigma).
    rounds = game["rounds"]
    assert any(r["payout"] == 0 for r in rounds), "losing rounds were settled too"
    rtp = rounds[0]["rtp_bps"]
    win = 100 * rtp // 5000
    mean, variance = win / 2, win * win / 4
    paid = sum(r["payout"] for r in rounds)
    z = (paid - mean * len(rounds)) / math.sqrt(variance * len(rounds))
    assert abs(z) < 4, f"seed {SEED}: the adversary's RTP is off by {z:.1f} sigma"

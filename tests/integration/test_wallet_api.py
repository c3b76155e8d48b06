from __future__ import annotations

import asyncio
import uuid

import pytest

from wallet_do.client import WalletClient

from .conftest import register_and_login, verify_player

pytestmark = pytest.mark.anyio


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def test_sixteen_concurrent_clients_never_overdraw_fork_seq_or_lose_an_event(client, runtime):
    player = await register_and_login(client)
    await verify_player(runtime, player["player_id"])
    h = player["headers"]

    async def worker(i: int) -> list[tuple[str, int, int]]:
        done = []
        for j in range(10):
            path = "/v1/wallet/deposits" if (i + j) % 2 == 0 else "/v1/wallet/withdrawals"
            amount = 100 + i * 7 + j
            r = await client.post(path, json={"amount": amount, "method": "pix"}, headers=h | key())
            assert r.status_code in (201, 409), r.text
            if r.status_code == 201:
                done.append((r.json()["event"]["type"], amount, r.json()["event"]["seq"]))
        return done

    acknowledged = [
        e for batch in await asyncio.gather(*(worker(i) for i in range(16))) for e in batch
    ]
    wallet = (await client.get("/v1/wallet", headers=h)).json()
    expected = sum(a if t == "DEPOSIT" else -a for t, a, _ in acknowledged)
    assert wallet["balance"] == expected >= 0
    page = (await client.get("/v1/wallet/events?limit=1000", headers=h)).json()["events"]
    assert [e["seq"] for e in page] == list(range(1, len(acknowledged) + 1))
    assert {e["seq"] for e in page} == {s for _, _, s in acknowledged}
    running = 0
    for event in page:
        running += event["amount"] if event["type"] == "DEPOSIT" else -event["amount"]
        assert event["balance_after"] == running >= 0


async def test_eight_simultaneous_requests_with_one_key_move_money_once(client):
    player = await register_and_login(client)
    headers = player["headers"] | key()
    answers = await asyncio.gather(
        *(client.post("/v1/wallet/deposits", json={"amount": 500, "method": "pix"}, headers=headers)
          for _ in range(8))
    )  # fmt: skip
    assert {r.status_code for r in answers} == {201}
    assert len({r.text for r in answers}) == 1
    assert (await client.get("/v1/wallet", headers=player["headers"])).json()["balance"] == 500


async def test_a_refusal_is_replayed_for_the_same_key(client, runtime):
    player = await register_and_login(client)
    await verify_player(runtime, player["player_id"])
    headers = player["headers"] | key()
    first = await client.post(
        "/v1/wallet/withdrawals", json={"amount": 5, "method": "pix"}, headers=headers
    )
    assert first.status_code == 409 and first.json()["code"] == "insufficient_funds"
    await client.post(
        "/v1/wallet/deposits",
        json={"amount": 50, "method": "pix"},
        headers=player["headers"] | key(),
    )
    again = await client.post(
        "/v1/wallet/withdrawals", json={"amount": 5, "method": "pix"}, headers=headers
    )
    assert again.status_code == 409 and again.text == first.text


async def test_events_are_projected_into_d1_and_the_audit_agrees(client, runtime):
    player = await register_and_login(client)
    for amount in (100, 200, 300):
        await client.post("/v1/wallet/deposits", json={"amount": amount, "method": "ted"},
                          headers=player["headers"] | key())  # fmt: skip
    await runtime.wallets.drain()
    rows = (
        await runtime.services.db.prepare(
            "SELECT seq, balance_after FROM wallet_events WHERE player_id = ? ORDER BY seq"
        )
        .bind(player["player_id"])
        .all()
    )
    assert rows == [{"seq": 1, "balance_after": 100}, {"seq": 2, "balance_after": 300},
                    {"seq": 3, "balance_after": 600}]  # fmt: skip
    audit = await WalletClient(runtime.wallets, player["player_id"]).audit()
    assert audit["consistent"] and audit["d1_projected_seq"] == 3 and audit["events"] == 3


async def test_the_projection_is_retried_when_d1_fails(client, runtime, monkeypatch):
    player = await register_and_login(client)
    real_batch = runtime.d1.batch
    failures = {"left": 1}

    async def flaky(statements):
        if failures["left"]:
            failures["left"] -= 1
            raise RuntimeError("D1 unavailable")
        return await real_batch(statements)

    monkeypatch.setattr(runtime.d1, "batch", flaky)
    monkeypatch.setattr(runtime.wallets, "retry_base_ms", 1)
    await client.post("/v1/wallet/deposits", json={"amount": 100, "method": "pix"},
                      headers=player["headers"] | key())  # fmt: skip
    for _ in range(50):
        await runtime.wallets.drain()
        await asyncio.sleep(0.01)
        if (await WalletClient(runtime.wallets, player["player_id"]).audit())["d1_projected_seq"]:
            break
    assert (await WalletClient(runtime.wallets, player["player_id"]).audit())[
        "d1_projected_seq"
    ] == 1
    assert failures["left"] == 0


async def test_payment_methods_follow_the_jurisdiction(client):
    player = await register_and_login(client)
    r = await client.post("/v1/wallet/deposits", json={"amount": 100, "method": "card"},
                          headers=player["headers"] | key())  # fmt: skip
    assert r.status_code == 422 and r.json()["code"] == "payment_method_not_allowed"
    mismatch = await client.post(
        "/v1/wallet/deposits",
        json={"amount": 100, "method": "pix", "payer_document": "529.982.247-25"},
        headers=player["headers"] | key(),
    )
    assert mismatch.status_code == 422 and mismatch.json()["code"] == "payer_mismatch"
    own = await client.post(
        "/v1/wallet/deposits",
        json={"amount": 100, "method": "pix", "payer_document": player["cpf"]},
        headers=player["headers"] | key(),
    )
    assert own.status_code == 201


async def test_an_out_of_range_page_cursor_is_a_validation_error_not_a_crash(client):
    # Found by the schemathesis property test: SQLite cannot bind integers past 2**63.
    player = await register_and_login(client)
    r = await client.get("/v1/wallet/events?after_seq=23726032688166035986196700594176",
                         headers=player["headers"])  # fmt: skip
    assert r.status_code == 422 and r.json()["code"] == "validation_error"

"""The fraud pipeline on the local runtime: wallet events through the WalletDO's outbox and the
fraud queue to the AML consumer, the alerts' endpoints and lifecycle, and what the player sees."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import pytest

from casino.messages import addressed

from .conftest import register_and_login, staff_login, verify_player

pytestmark = pytest.mark.anyio


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def deposits(client, player, n: int, amount: int = 10_000, **headers: str) -> None:
    for _ in range(n):
        r = await client.post(
            "/v1/wallet/deposits",
            json={"amount": amount, "method": "pix"},
            headers=player["headers"] | key() | headers,
        )
        assert r.status_code == 201, r.text


async def settle(runtime) -> int:
    """Run the WalletDOs' alarms (projection, then the queue), then the queue's consumer."""
    from api import aml

    await runtime.wallets.drain()
    delivered = 0
    while n := await runtime.fraud_queue.deliver(
        lambda batch: aml.consume(runtime.services, batch.messages)
    ):
        delivered += n
    return delivered


async def alerts(client, staff, **query) -> list[dict]:
    r = await client.get("/v1/ops/aml/alerts", params=query, headers=staff["headers"])
    assert r.status_code == 200, r.text
    return r.json()["alerts"]


async def set_pep(runtime, player_id: str) -> None:
    await (
        runtime.services.db.prepare("UPDATE players SET pep = 1 WHERE player_id = ?")
        .bind(player_id)
        .run()
    )


async def test_a_burst_of_deposits_raises_one_velocity_alert_with_its_events(client, runtime):
    player = await register_and_login(client)
    compliance = await staff_login(client, runtime, "compliance")
    await deposits(client, player, 3)
    assert await settle(runtime) == 3
    assert await alerts(client, compliance, player_id=player["player_id"]) == []
    await deposits(client, player, 5)  # the fourth in a minute is a burst
    await settle(runtime)
    [alert] = await alerts(client, compliance, player_id=player["player_id"])
    assert alert["rule"] == "deposit_velocity"
    assert (alert["risk"], alert["status"], alert["score"]) == ("high", "open", 60)
    detail = (
        await client.get(f"/v1/ops/aml/alerts/{alert['alert_id']}", headers=compliance["headers"])
    ).json()
    # The four that raised it, and the later ones of its window, for the record.
    assert [e["seq"] for e in detail["events"]] == list(range(1, 9))
    assert all(e["type"] == "DEPOSIT" and e["amount"] == 10_000 for e in detail["events"])
    assert detail["action"] == "hold" and detail["cos"] is None
    assert [h["status"] for h in detail["history"]] == ["open"]
    assert detail["facts"] == {"count": 4, "total": 40_000, "window_s": 60}
    assert detail["reason"] == "4 deposits totalling 40000 in 60s"


async def test_a_redelivered_event_raises_no_second_alert(client, runtime):
    player = await register_and_login(client)
    compliance = await staff_login(client, runtime, "compliance")
    await deposits(client, player, 6)
    await runtime.wallets.drain()
    batch = runtime.fraud_queue._lease()
    bodies = [m.body for m in batch.messages]
    runtime.fraud_queue._settle(batch, failed=True)  # the consumer died: all of it comes again
    await runtime.fraud_queue.send_batch(bodies)  # and the producer sent it twice
    runtime.fraud_queue.clock = lambda: 10**10  # past every back-off
    await settle(runtime)
    assert len(await alerts(client, compliance, player_id=player["player_id"])) == 1
    assert runtime.fraud_queue.backlog() == {"messages": 0, "dead_letters": 0}


async def test_filters_by_risk_rule_status_and_player(client, runtime):
    low, high = await register_and_login(client), await register_and_login(client)
    await verify_player(runtime, low["player_id"])  # verified: velocity alone is medium
    compliance = await staff_login(client, runtime, "compliance")
    await deposits(client, low, 6)
    await deposits(client, high, 6)
    await settle(runtime)
    mine = {low["player_id"], high["player_id"]}
    by_risk = {
        risk: {a["player_id"] for a in await alerts(client, compliance, risk=risk)} & mine
        for risk in ("low", "medium", "high", "critical")
    }
    assert by_risk == {
        "low": set(), "medium": {low["player_id"]}, "high": {high["player_id"]}, "critical": set()
    }  # fmt: skip
    assert len(await alerts(client, compliance, rule="deposit_velocity", status="open")) >= 2
    assert await alerts(client, compliance, rule="structuring") == []
    r = await client.get("/v1/ops/aml/alerts?risk=extreme", headers=compliance["headers"])
    assert (r.status_code, r.json()["code"]) == (422, "validation_error")


async def test_the_lifecycle_and_its_illegal_transitions(client, runtime):
    player = await register_and_login(client)
    compliance = await staff_login(client, runtime, "compliance")
    await deposits(client, player, 6)
    await settle(runtime)
    [alert] = await alerts(client, compliance, player_id=player["player_id"])
    url = f"/v1/ops/aml/alerts/{alert['alert_id']}/status"
    h = compliance["headers"]
    r = await client.post(url, json={"status": "under_review", "reason": "looking"}, headers=h)
    assert (r.status_code, r.json()["status"]) == (200, "under_review")
    r = await client.post(url, json={"status": "closed"}, headers=h)
    assert (r.status_code, r.json()["code"]) == (422, "validation_error")
    r = await client.post(url, json={"status": "closed", "reason": "salary day"}, headers=h)
    assert (r.status_code, r.json()["status_reason"]) == (200, "salary day")
    assert [x["status"] for x in r.json()["history"]] == ["open", "under_review", "closed"]
    r = await client.post(url, json={"status": "under_review", "reason": "again"}, headers=h)
    assert (r.status_code, r.json()["code"]) == (409, "illegal_transition")
    r = await client.post(url, json={"status": "open", "reason": "x"}, headers=h)
    assert r.status_code == 422
    r = await client.post(
        "/v1/ops/aml/alerts/aml_nope/status", json={"status": "closed", "reason": "x"}, headers=h
    )
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    assert (await alerts(client, compliance, status="closed"))[0]["alert_id"] == alert["alert_id"]


async def test_only_compliance_and_admin_see_alerts(client, runtime):
    player = await register_and_login(client)
    for role in ("operator", "kyc_reviewer"):
        staff = await staff_login(client, runtime, role)
        r = await client.get("/v1/ops/aml/alerts", headers=staff["headers"])
        assert (r.status_code, r.json()["code"]) == (403, "forbidden")
    r = await client.get("/v1/ops/aml/alerts", headers=player["headers"])
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")
    admin = await staff_login(client, runtime, "admin")
    assert (await client.get("/v1/ops/aml/alerts", headers=admin["headers"])).status_code == 200


async def test_a_high_risk_holds_withdrawals_without_telling_the_player(client, runtime):
    player = await register_and_login(client)
    await verify_player(runtime, player["player_id"])
    await set_pep(runtime, player["player_id"])  # PEP: velocity 60 + 30 = high
    compliance = await staff_login(client, runtime, "compliance")
    await deposits(client, player, 6)
    await settle(runtime)
    [alert] = await alerts(client, compliance, player_id=player["player_id"])
    assert alert["risk"] == "high"
    r = await client.post(
        "/v1/wallet/withdrawals", json={"amount": 5_000, "method": "pix"},
        headers=player["headers"] | key(),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    await settle(runtime)
    seen = []
    for path in ("/v1/wallet", "/v1/wallet/withdrawals", "/v1/wallet/events", "/v1/players/me"):
        answer = await client.get(path, headers=player["headers"])
        assert answer.status_code == 200
        seen.append(answer.text.lower())
    assert json.loads(seen[1])["withdrawals"][0]["status"] == "requested"  # held, not paid
    for text in seen + [r.text.lower()]:
        assert not any(w in text for w in ("aml", "alert", "risk", "hold", "suspic", "coaf"))
        assert alert["alert_id"] not in text
    url = f"/v1/ops/aml/alerts/{alert['alert_id']}/status"
    r = await client.post(
        url, json={"status": "closed", "reason": "source of funds shown"},
        headers=compliance["headers"],
    )  # fmt: skip
    assert r.status_code == 200
    await settle(runtime)
    paid = (await client.get("/v1/wallet/withdrawals", headers=player["headers"])).json()
    assert paid["withdrawals"][0]["status"] == "paid"


async def test_a_critical_risk_freezes_the_account_and_drafts_a_cos(client, runtime):
    player = await register_and_login(client)
    await set_pep(runtime, player["player_id"])  # PEP and unverified: 60 + 30 + 10 = critical
    compliance = await staff_login(client, runtime, "compliance")
    await deposits(client, player, 6)
    await settle(runtime)
    [alert] = await alerts(client, compliance, player_id=player["player_id"])
    assert alert["risk"] == "critical"
    r = await client.post(
        "/v1/wallet/deposits", json={"amount": 10_000, "method": "pix"},
        headers=player["headers"] | key(),
    )  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (403, "account_restricted")
    assert "aml" not in r.text.lower() and "suspic" not in r.text.lower()
    url = f"/v1/ops/aml/alerts/{alert['alert_id']}"
    detail = (await client.get(url, headers=compliance["headers"])).json()
    assert detail["cos"]["status"] == "draft" and detail["action"] == "freeze"
    r = await client.post(
        f"{url}/status", json={"status": "reported", "reason": "COS filed in Siscoaf"},
        headers=compliance["headers"],
    )  # fmt: skip
    assert r.json()["cos"]["status"] == "filed" and r.json()["cos"]["filed_at"]


async def test_accounts_sharing_a_device_raise_an_alert(client, runtime):
    compliance = await staff_login(client, runtime, "compliance")
    device = {"X-Device-Id": f"install-{uuid.uuid4()}"}
    players = [await register_and_login(client) for _ in range(3)]
    for p in players:
        await deposits(client, p, 1, **device)
    await settle(runtime)
    raised = await alerts(client, compliance, rule="shared_device")
    assert {a["player_id"] for a in raised} == {players[2]["player_id"]}


async def test_rules_come_from_kv_and_a_bad_value_keeps_the_defaults(client, runtime):
    from api import aml

    compliance = await staff_login(client, runtime, "compliance")
    rules = [
        {"rule": "two_deposits", "kind": "velocity", "event": "DEPOSIT", "window_s": 60,
         "max_count": 1, "max_sum": 10**9, "score": 10}
    ]  # fmt: skip
    await runtime.services.kv.put(aml.RULES_KEY, json.dumps(rules))
    aml._config.clear()
    player = await register_and_login(client)
    await deposits(client, player, 2)
    await settle(runtime)
    [alert] = await alerts(client, compliance, player_id=player["player_id"])
    assert (alert["rule"], alert["risk"]) == ("two_deposits", "low")
    await runtime.services.kv.put(aml.RULES_KEY, '[{"kind": "astrology"}]')
    aml._config.clear()
    assert (await aml.configuration(runtime.services))[0] == aml.aml.DEFAULT_RULES
    aml._config.clear()


async def test_compliance_marks_a_pep_and_their_next_alert_weighs_more(client, runtime):
    compliance = await staff_login(client, runtime, "compliance")
    player = await register_and_login(client)
    await verify_player(runtime, player["player_id"])
    url = f"/v1/ops/aml/players/{player['player_id']}/pep"
    r = await client.put(url, json={"pep": True}, headers=compliance["headers"])
    assert r.status_code == 422  # a reason is required
    r = await client.put(
        url, json={"pep": True, "reason": "federal deputy"}, headers=compliance["headers"]
    )
    assert r.json() == {"player_id": player["player_id"], "pep": True}
    await deposits(client, player, 6)
    await settle(runtime)
    [alert] = await alerts(client, compliance, player_id=player["player_id"])
    assert alert["risk"] == "high"  # 60 + 30: without the PEP mark, medium
    operator = await staff_login(client, runtime, "operator")
    r = await client.put(url, json={"pep": False, "reason": "x"}, headers=operator["headers"])
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")
    r = await client.put(
        "/v1/ops/aml/players/nobody/pep", json={"pep": True, "reason": "x"},
        headers=compliance["headers"],
    )  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (404, "not_found")


async def test_under_faults_every_alert_is_raised_once(tmp_path, template_state):
    """With a fifth of D1 batches and Durable Object calls failing (before or after commit),
    the consumer's retries raise each player's alert exactly once."""
    import shutil

    from api import aml
    from local_runtime.faults import FaultPlan
    from local_runtime.runtime import build

    state = tmp_path / "faulty"
    shutil.copytree(template_state, state)
    runtime = build(state, faults=FaultPlan(rate=0.2, seed=11))
    players = [f"fault-{i}" for i in range(8)]
    for name in players:
        for i in range(5):
            for _ in range(20):  # the caller retries with the same key until it gets an answer
                try:
                    await runtime.wallets.get(name).call("deposit", addressed({
                        "player_id": name, "idempotency_key": f"{name}-{i}", "request_hash": "h",
                        "amount": 1_000, "method": "pix", "ref": f"{name}:{i}"}, name))  # fmt: skip
                    break
                except Exception:
                    continue
    skipped = [0.0]  # the queue's back-offs pass at once: its clock jumps ahead each turn
    runtime.fraud_queue.clock = lambda: time.time() + skipped[0]
    count = "SELECT player_id, count(*) AS n FROM aml_alerts GROUP BY player_id"
    deadline = time.monotonic() + 90  # the WalletDOs' alarms back off in real time
    while time.monotonic() < deadline:
        await runtime.wallets.drain()
        while await runtime.fraud_queue.deliver(
            lambda batch: aml.consume(runtime.services, batch.messages)
        ):
            pass
        rows = await runtime.d1.prepare(count).all()
        if len(rows) == len(players) and not runtime.fraud_queue.backlog()["messages"]:
            break
        await asyncio.sleep(0.2)
        skipped[0] += 600
    runtime.close()
    assert {r["player_id"]: r["n"] for r in rows} == dict.fromkeys(players, 1)


async def test_a_full_batch_of_new_alerts_stays_inside_one_invocations_d1_budget(runtime):
    """A full batch of players' fourth deposits: a new alert each, with its action and rows,
    inside the 1,000 D1 queries an invocation may make (over it, the batch would fail on every
    retry and end in the dead-letter queue)."""
    from api import aml

    players = [f"budget-{i}" for i in range(runtime.fraud_queue.max_batch_size)]

    async def deposit(name: str, i: int) -> None:
        await runtime.wallets.get(name).call("deposit", addressed({
            "player_id": name, "idempotency_key": f"{name}-{i}", "request_hash": "h",
            "amount": 1_000, "method": "pix", "ref": f"{name}:{i}"}, name))  # fmt: skip

    for i in range(3):
        for name in players:
            await deposit(name, i)
    await settle(runtime)
    for name in players:
        await deposit(name, 3)
    await runtime.wallets.drain()
    results: list[dict] = []

    async def handler(batch):
        results.append(await aml.consume(runtime.services, batch.messages))

    assert await runtime.fraud_queue.deliver(handler) == len(players)
    assert results == [{"scored": len(players), "alerts": len(players), "retried": 0}]

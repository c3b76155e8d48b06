"""The local D1 gives every request its own statement results and transaction scope, as D1 does:
concurrent requests interleave at every await, and nothing one of them ran may answer for another.

Regression (issue 9, finding 5): the adapter kept "the changes of the last statement" on the shared
connection and read it after yielding, so a concurrent statement answered for it: one refresh
token was redeemed twice in 6 of 15 trials and a login was revoked in the other 9.
"""

from __future__ import annotations

import asyncio

import pytest

from .conftest import STRONG, register_and_login

pytestmark = pytest.mark.anyio


async def test_a_statement_reports_its_own_changes_when_others_run_meanwhile(runtime):
    db = runtime.services.db
    await db.prepare("INSERT INTO operator_alerts (alert_id, kind, subject, detail, fingerprint, "
                     "created_at, status) VALUES ('a1', 'k', 's', 'd', 'f', 'now', 'open')").run()  # fmt: skip
    claim = db.prepare("UPDATE operator_alerts SET status = 'seen' WHERE alert_id = 'a1' "
                       "AND status = 'open'")  # fmt: skip
    nothing = db.prepare("UPDATE operator_alerts SET status = 'x' WHERE alert_id = 'none'")
    everything = db.prepare("UPDATE operator_alerts SET detail = 'e' WHERE alert_id = 'a1'")
    assert await asyncio.gather(claim.run(), nothing.run()) == [1, 0]
    assert await asyncio.gather(claim.run(), everything.run()) == [0, 1]


async def test_concurrent_batches_do_not_share_a_transaction(runtime):
    """A failing batch rolls back only its own statements, whatever ran beside it."""
    db = runtime.services.db
    insert = "INSERT INTO audit_log VALUES (?, 'a', 'admin', 'x', 's', '{}', 'now')"
    good = db.batch([db.prepare(insert).bind("g1"), db.prepare(insert).bind("g2")])
    bad = db.batch([db.prepare(insert).bind("b1"), db.prepare(insert).bind("g1")])
    results = await asyncio.gather(good, bad, return_exceptions=True)
    assert not isinstance(results[0], BaseException), results
    assert isinstance(results[1], Exception)
    rows = await db.prepare("SELECT audit_id FROM audit_log ORDER BY audit_id").all()
    assert [r["audit_id"] for r in rows] == ["g1", "g2"]


async def test_a_refresh_token_raced_with_other_logins_is_redeemed_once_and_nothing_else_is_revoked(
    client,
):
    """The finding's reproduction, fifteen trials: eight concurrent refreshes of one token beside
    refreshes and logins of other players. Exactly one refresh wins (the others are reuse), and
    every other player's login goes on."""
    bystanders = [await register_and_login(client) for _ in range(3)]
    for _ in range(15):
        victim = await register_and_login(client)
        token = victim["tokens"]["refresh_token"]
        raced = [client.post("/v1/auth/refresh", json={"refresh_token": token}) for _ in range(8)]
        others = [
            client.post("/v1/auth/refresh", json={"refresh_token": b["tokens"]["refresh_token"]})
            for b in bystanders
        ] + [
            client.post("/v1/auth/login", json={"email": b["email"], "password": STRONG})
            for b in bystanders
        ]
        answers = await asyncio.gather(*raced, *others)
        statuses = [r.status_code for r in answers[:8]]
        assert statuses.count(200) == 1, [(r.status_code, r.text) for r in answers[:8]]
        assert {r.json()["code"] for r in answers[:8] if r.status_code != 200} == {
            "refresh_token_reused"
        }
        assert [r.status_code for r in answers[8:]] == [200] * len(others), [
            r.text for r in answers[8:]
        ]
        for b, refreshed in zip(bystanders, answers[8:11], strict=True):
            b["tokens"] = refreshed.json()
        for b, logged in zip(bystanders, answers[11:], strict=True):
            me = await client.get(
                "/v1/players/me",
                headers={"Authorization": f"Bearer {logged.json()['access_token']}"},
            )
            assert me.status_code == 200, me.text
            assert me.json()["player_id"] == b["player_id"]

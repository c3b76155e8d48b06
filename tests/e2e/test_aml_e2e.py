"""AML end to end, as compliance and as the player: a burst of deposits raises the velocity
alert within seconds, filters, the lifecycle, and the player's answers show nothing of it."""

from __future__ import annotations

import time


def wait_for_alerts(client, headers, timeout: float = 5.0, **query) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        r = client.get("/v1/ops/aml/alerts", params=query, headers=headers)
        assert r.status_code == 200, r.text
        if r.json()["alerts"] or time.monotonic() > deadline:
            return r.json()["alerts"]
        time.sleep(0.1)


def test_a_burst_of_deposits_is_an_alert_within_seconds_that_the_player_never_sees(
    client, player, staff_member
):
    compliance = staff_member("compliance").headers
    p = player()
    answers = []
    started = time.monotonic()
    for _ in range(7):
        r = client.post(
            "/v1/wallet/deposits", json={"amount": 25_000, "method": "pix"},
            headers=p.with_key(),
        )  # fmt: skip
        assert r.status_code == 201, r.text
        answers.append(r.text)
    alerts = wait_for_alerts(client, compliance, player_id=p.player_id)
    assert time.monotonic() - started < 5 + 3, "the alert took too long"
    assert [a["rule"] for a in alerts] == ["deposit_velocity"], alerts
    alert = alerts[0]
    assert set(alert) >= {"alert_id", "player_id", "rule", "score", "risk", "created_at", "status"}
    assert alert["status"] == "open" and alert["risk"] in ("medium", "high", "critical")

    ids = {a["alert_id"] for a in wait_for_alerts(client, compliance, risk=alert["risk"])}
    assert alert["alert_id"] in ids
    other = "low" if alert["risk"] != "low" else "medium"
    assert alert["alert_id"] not in {
        a["alert_id"] for a in wait_for_alerts(client, compliance, timeout=0, risk=other)
    }

    detail = client.get(f"/v1/ops/aml/alerts/{alert['alert_id']}", headers=compliance).json()
    assert len(detail["events"]) == 7 and {e["type"] for e in detail["events"]} == {"DEPOSIT"}

    url = f"/v1/ops/aml/alerts/{alert['alert_id']}/status"
    r = client.post(url, json={"status": "under_review", "reason": "EDD"}, headers=compliance)
    assert (r.status_code, r.json()["status"]) == (200, "under_review")
    r = client.post(url, json={"status": "closed", "reason": "payslip"}, headers=compliance)
    assert (r.status_code, r.json()["status"]) == (200, "closed")
    r = client.post(url, json={"status": "reported", "reason": "late"}, headers=compliance)
    assert (r.status_code, r.json()["code"]) == (409, "illegal_transition")

    for path in ("/v1/wallet", "/v1/wallet/events", "/v1/wallet/withdrawals", "/v1/players/me"):
        r = client.get(path, headers=p.headers)
        assert r.status_code == 200
        answers.append(r.text)
    for text in answers:
        lowered = text.lower()
        assert alert["alert_id"] not in text
        assert not any(word in lowered for word in ("aml", "alert", "suspicious", "coaf", "risk"))
    r = client.get("/v1/ops/aml/alerts", headers=p.headers)
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")


def test_live_statistics_count_the_alerts(client, player, staff_member):
    before = client.get("/v1/stats/live").json()
    p = player()
    for _ in range(6):
        client.post(
            "/v1/wallet/deposits", json={"amount": 1_000, "method": "pix"}, headers=p.with_key()
        )
    wait_for_alerts(client, staff_member("compliance").headers, player_id=p.player_id)
    after = client.get("/v1/stats/live").json()
    assert set(after) == {"players", "rounds_24h", "wallet_events", "fraud_alerts", "games"}
    assert after["fraud_alerts"] > before["fraud_alerts"]
    assert after["players"] == before["players"] + 1

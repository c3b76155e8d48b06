"""The daily regulatory report over HTTP (docs/api.md, "Reports"): a compliance officer downloads
the same day twice and gets the same bytes, as JSON and as CSV; the day's deposits are in it;
a bad or future date is 422; the player sees nothing of it; the live statistics move."""

from __future__ import annotations

import csv
import hashlib
import io
import time
from datetime import UTC, datetime, timedelta

from .support import assert_problem

PATH = "/v1/ops/reports/daily"


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


def _ted_deposits(client, headers, day: str) -> int:
    r = client.get(PATH, params={"date": day, "jurisdiction": "BR"}, headers=headers)
    assert r.status_code == 200, r.text
    methods = {m["method"]: m for m in r.json()["payments"]["by_method"]}
    return methods["ted"]["deposits_amount"]


def test_the_same_daily_report_downloads_twice_byte_for_byte_as_json_and_csv(
    client, staff_member, verified_player, deposit
):
    compliance = staff_member("compliance").headers
    today = _today()
    before = _ted_deposits(client, compliance, today)
    p = verified_player()
    assert deposit(p, 12_345, method="ted").status_code == 201
    deadline = time.monotonic() + 10
    while _ted_deposits(client, compliance, today) < before + 12_345:  # projected within seconds
        assert time.monotonic() < deadline, "the deposit never reached the report"
        time.sleep(0.2)

    for day in ((datetime.now(UTC).date() - timedelta(days=1)).isoformat(), today):
        params = {"date": day, "jurisdiction": "BR"}
        as_json = [client.get(PATH, params=params, headers=compliance) for _ in range(2)]
        as_csv = [client.get(PATH, params=params, headers=compliance | {"Accept": "text/csv"})
                  for _ in range(2)]  # fmt: skip
        for first, second in (as_json, as_csv):
            assert first.status_code == second.status_code == 200, first.text
            assert first.content == second.content, day
            assert first.headers["x-report-sha256"] == hashlib.sha256(first.content).hexdigest()
        assert as_json[0].headers["content-type"].startswith("application/json")
        assert as_csv[0].headers["content-type"].startswith("text/csv")
        report = as_json[0].json()
        assert report["date"] == day and report["jurisdiction"] == "BR"
        assert (
            report["bets"]["ggr"] == report["bets"]["total_staked"] - report["bets"]["total_paid"]
        )
        rows = list(csv.DictReader(io.StringIO(as_csv[0].text, newline="")))
        figures = {(r["section"], r["item"], r["metric"]): int(r["value"]) for r in rows}
        assert figures[("bets", "all", "ggr")] == report["bets"]["ggr"]
        assert (
            figures[("payments", "all", "deposits_amount")]
            == (report["payments"]["deposits"]["amount"])
        )


def test_a_bad_or_future_date_is_422_and_only_compliance_and_admin_may_read(
    client, staff_member, player
):
    compliance = staff_member("compliance").headers
    tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
    for day in ("2026-02-30", "01/12/2026", tomorrow):
        r = client.get(PATH, params={"date": day, "jurisdiction": "BR"}, headers=compliance)
        assert_problem(r, 422, "invalid_date")
    params = {"date": _today(), "jurisdiction": "BR"}
    assert client.get(PATH, params=params, headers=staff_member("admin").headers).status_code == 200
    for headers in (staff_member("operator").headers, player().headers):
        assert_problem(client.get(PATH, params=params, headers=headers), 403, "forbidden")
    listed = client.get("/v1/ops/reports", headers=compliance)
    assert listed.status_code == 200 and isinstance(listed.json()["reports"], list)


def test_the_live_statistics_count_a_new_player(client, register_player):
    before = client.get("/v1/stats/live").json()
    register_player()
    after = client.get("/v1/stats/live").json()
    assert set(after) == {"players", "rounds_24h", "wallet_events", "fraud_alerts", "games"}
    assert after["players"] >= before["players"] + 1

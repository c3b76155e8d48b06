"""The daily regulatory report on the local runtime: who may read it, the same bytes twice (JSON
and CSV), the figures of the day's events, 422 for a bad or future day, and a stored day
answered from its stored bytes, which nothing can delete or rewrite."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from api import scheduled
from api.routes import reports as report_routes
from infra.ports import ConstraintViolation
from local_runtime.d1 import D1Error

from .conftest import register_and_login, staff_login, verify_player
from .test_staff_security_api import _permissions_of

pytestmark = pytest.mark.anyio


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def today() -> str:
    return datetime.now(UTC).date().isoformat()


async def busy_day(client, runtime) -> dict:
    """Two Brazilian players: deposits by PIX and TED, dice rounds, a withdrawal, a
    self-exclusion; what the report of the day must show."""
    ana = await register_and_login(client)
    bia = await register_and_login(client)
    for player in (ana, bia):
        await verify_player(runtime, player["player_id"])
    deposits = [(ana, 50_000, "pix"), (ana, 20_000, "ted"), (bia, 30_000, "pix")]
    for player, amount, method in deposits:
        r = await client.post(
            "/v1/wallet/deposits",
            json={"amount": amount, "method": method, "payer_document": player["cpf"]},
            headers=player["headers"] | key(),
        )
        assert r.status_code == 201, r.text
    r = await client.post("/v1/games/dice/sessions", json={}, headers=ana["headers"])
    assert r.status_code == 201, r.text
    session = r.json()["session_id"]
    payouts = []
    for _ in range(4):
        r = await client.post(
            f"/v1/sessions/{session}/rounds", json={"stake": 1_000, "params": {"target": 5000}},
            headers=ana["headers"] | key(),
        )  # fmt: skip
        assert r.status_code == 201, r.text
        payouts.append(r.json()["payout"])
    r = await client.post(
        "/v1/wallet/withdrawals", json={"amount": 5_000, "method": "pix"},
        headers=bia["headers"] | key(),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    r = await client.post("/v1/self-exclusion", json={"days": 30}, headers=bia["headers"])
    assert r.status_code == 201, r.text
    await asyncio.sleep(0.05)
    await runtime.drain()
    return {"players": (ana, bia), "paid": sum(payouts)}


async def test_compliance_and_admin_read_reports_and_every_other_role_is_forbidden(client, runtime):
    url = f"/v1/ops/reports/daily?date={today()}&jurisdiction=BR"
    for role in ("compliance", "admin"):
        staff = await staff_login(client, runtime, role)
        assert (await client.get(url, headers=staff["headers"])).status_code == 200
        assert (await client.get("/v1/ops/reports", headers=staff["headers"])).status_code == 200
    for role in ("operator", "kyc_reviewer"):
        staff = await staff_login(client, runtime, role)
        for path in (url, "/v1/ops/reports"):
            r = await client.get(path, headers=staff["headers"])
            assert r.status_code == 403 and r.json()["code"] == "forbidden"
    player = await register_and_login(client)
    r = await client.get(url, headers=player["headers"])
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert (await client.get(url)).status_code == 401


def test_every_report_route_names_exactly_one_permission():
    routes = [r for r in report_routes.router.routes if hasattr(r, "dependant")]
    assert len(routes) == 2
    assert all(len(_permissions_of(r)) == 1 for r in routes)


async def test_the_day_report_shows_the_days_events_and_is_the_same_bytes_twice(client, runtime):
    day = await busy_day(client, runtime)
    compliance = (await staff_login(client, runtime, "compliance"))["headers"]
    url = f"/v1/ops/reports/daily?date={today()}&jurisdiction=BR"
    first = await client.get(url, headers=compliance)
    again = await client.get(url, headers=compliance)
    assert first.status_code == 200 and first.headers["content-type"] == "application/json"
    assert first.content == again.content
    assert first.headers["x-report-sha256"] == hashlib.sha256(first.content).hexdigest()
    report = first.json()
    assert (report["date"], report["jurisdiction"], report["currency"]) == (today(), "BR", "BRL")
    bets = report["bets"]
    assert bets["count"] == 4 and bets["total_staked"] == 4_000
    assert bets["total_paid"] == day["paid"] and bets["ggr"] == 4_000 - day["paid"]
    assert [g["game_id"] for g in bets["by_game"]] == ["dice"]
    payments = report["payments"]
    assert payments["deposits"] == {"count": 3, "amount": 100_000}
    assert payments["withdrawals"] == {"count": 1, "amount": 5_000}
    by_method = {m["method"]: m for m in payments["by_method"]}
    assert by_method["pix"]["deposits_amount"] == 80_000
    assert by_method["ted"]["deposits_count"] == 1 and by_method["ted"]["deposits_amount"] == 20_000
    players = report["players"]
    assert players["registered"] == 2
    assert players["active_bettors"] == 1 and players["depositors"] == 2
    assert players["self_exclusions"] == 1

    csv_first = await client.get(url, headers=compliance | {"Accept": "text/csv"})
    csv_again = await client.get(url, headers=compliance | {"Accept": "text/csv"})
    assert csv_first.status_code == 200
    assert csv_first.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv_first.headers["content-disposition"]
    assert csv_first.content == csv_again.content
    rows = list(csv.DictReader(io.StringIO(csv_first.text, newline="")))
    figures = {(r["section"], r["item"], r["metric"]): int(r["value"]) for r in rows}
    assert figures[("bets", "all", "ggr")] == bets["ggr"]
    assert figures[("payments", "ted", "deposits_amount")] == 20_000
    # JSON is preferred when the client says so; a player elsewhere sees nothing of it.
    prefers_json = await client.get(
        url, headers=compliance | {"Accept": "text/csv;q=0.5, application/json"}
    )
    assert prefers_json.content == first.content
    generic = await client.get(
        f"/v1/ops/reports/daily?date={today()}&jurisdiction=generic", headers=compliance
    )
    assert generic.status_code == 200 and generic.json()["bets"]["count"] == 0


@pytest.mark.parametrize(
    "query",
    ["date=2026-02-30", "date=yesterday", "date=2026-1-1", "date=", "date=9999-12-31",
     f"date={(datetime.now(UTC).date() + timedelta(days=1)).isoformat()}"],
)  # fmt: skip
async def test_a_bad_or_future_date_is_422_invalid_date(client, runtime, query):
    admin = (await staff_login(client, runtime, "admin"))["headers"]
    r = await client.get(f"/v1/ops/reports/daily?{query}&jurisdiction=BR", headers=admin)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["code"] == "invalid_date" and body["status"] == 422 and body["detail"]


async def test_a_missing_date_or_unknown_jurisdiction_is_422(client, runtime):
    admin = (await staff_login(client, runtime, "admin"))["headers"]
    missing = await client.get("/v1/ops/reports/daily?jurisdiction=BR", headers=admin)
    assert missing.status_code == 422 and missing.json()["code"] == "validation_error"
    unknown = await client.get(f"/v1/ops/reports/daily?date={today()}&jurisdiction=XX",
                               headers=admin)  # fmt: skip
    assert unknown.status_code == 422 and "XX" in unknown.json()["detail"]


async def test_the_daily_job_stores_yesterday_and_a_stored_day_answers_its_bytes(
    client, runtime, monkeypatch
):
    await busy_day(client, runtime)
    compliance = (await staff_login(client, runtime, "compliance"))["headers"]
    day = today()
    url = f"/v1/ops/reports/daily?date={day}&jurisdiction=BR"
    computed = {fmt: await client.get(url, headers=compliance | {"Accept": accept})
                for fmt, accept in (("json", "application/json"), ("csv", "text/csv"))}  # fmt: skip
    assert computed["json"].headers["x-report-stored"] == "false"

    clock = runtime.services.clock
    tomorrow = clock.now() + timedelta(days=1)
    monkeypatch.setattr(clock, "now", lambda: tomorrow)
    result = await scheduled.run_job(runtime.services, "daily_report")
    assert result["date"] == day
    [br] = [r for r in result["reports"] if r["jurisdiction"] == "BR"]
    assert br["stored"] == ["csv", "json"]
    assert br["sha256"]["json"] == computed["json"].headers["x-report-sha256"]
    rerun = await scheduled.run_job(runtime.services, "daily_report")
    assert [r["stored"] for r in rerun["reports"]] == [[] for _ in rerun["reports"]]  # once

    # An event of that day projected late does not change the record.
    await runtime.services.db.prepare(
        "INSERT INTO rounds (round_id, session_id, player_id, game_id, nonce, server_seed_hash, "
        "client_seed, rtp_bps, stake, params, outcome, payout, expected_payout, payout_variance, "
        "created_at) SELECT 'late', 's', player_id, 'dice', 0, 'h', 'c', 9700, 100, '{}', '{}', 0, "
        "97.0, 1.0, ? FROM players WHERE jurisdiction = 'BR' LIMIT 1"
    ).bind(f"{day}T12:00:00.000Z").run()  # fmt: skip
    for fmt, accept in (("json", "application/json"), ("csv", "text/csv")):
        stored = await client.get(url, headers=compliance | {"Accept": accept})
        assert stored.content == computed[fmt].content
        assert stored.headers["x-report-stored"] == "true"

    listed = (await client.get("/v1/ops/reports?jurisdiction=BR", headers=compliance)).json()
    [entry] = [r for r in listed["reports"] if r["date"] == day]
    assert entry["formats"] == ["csv", "json"]
    assert entry["sha256"] == {fmt: hashlib.sha256(computed[fmt].content).hexdigest()
                               for fmt in ("csv", "json")}  # fmt: skip

    db = runtime.services.db
    for sql in ("DELETE FROM regulatory_reports", "UPDATE regulatory_reports SET body = 'x'"):
        with pytest.raises((ConstraintViolation, D1Error), match="regulatory report"):
            await db.prepare(sql).run()
    count = await db.prepare("SELECT count(*) AS n FROM regulatory_reports").first()
    assert count["n"] >= 2


async def test_a_report_is_the_same_for_any_past_day_asked_twice(client, runtime):
    admin = (await staff_login(client, runtime, "admin"))["headers"]
    url = "/v1/ops/reports/daily?date=2025-03-01&jurisdiction=br"
    first, again = await client.get(url, headers=admin), await client.get(url, headers=admin)
    assert first.status_code == 200 and first.content == again.content
    assert first.json()["jurisdiction"] == "BR" and first.json()["bets"]["count"] == 0
    assert date.fromisoformat(first.json()["date"]) == date(2025, 3, 1)

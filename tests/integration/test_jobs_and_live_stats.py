"""Scheduled jobs by name on the wrangler.toml crons (RTP deviation alerts, VIP tiers, limit
activations), the live statistics kept by triggers instead of counting tables per call, and the
compliance views of migration 0009."""

from __future__ import annotations

import asyncio
import json
import tomllib
import uuid
from datetime import timedelta

import pytest

from api import scheduled
from local_runtime.d1 import D1Error
from local_runtime.paths import PROJECT_ROOT

from .conftest import register_and_login, verify_player

pytestmark = pytest.mark.anyio


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def deposit(client, player, amount=10_000):
    r = await client.post(
        "/v1/wallet/deposits", json={"amount": amount, "method": "pix"},
        headers=player["headers"] | key(),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    return r


def test_the_jobs_run_on_exactly_the_crons_of_wrangler_toml():
    config = tomllib.loads((PROJECT_ROOT / "wrangler.toml").read_text())
    for triggers in (config["triggers"], config["env"]["br"]["triggers"]):
        assert set(triggers["crons"]) == set(scheduled.CRONS)
    by_cron = {cron: [j.name for j in scheduled.JOBS.values() if j.cron == cron]
               for cron in scheduled.CRONS}  # fmt: skip
    assert by_cron == {
        "*/5 * * * *": ["exclusion_recheck", "messages", "game_stats"],
        "0 3 * * *": ["vip_tiers", "daily_report", "limit_activations"],
    }


async def test_a_cron_runs_its_jobs_and_an_unknown_cron_or_job_runs_nothing(runtime):
    results = await scheduled.run(runtime.services, "*/5 * * * *")
    assert set(results) == {"exclusion_recheck", "messages", "game_stats"}
    daily = await scheduled.run(runtime.services, "0 3 * * *")
    assert set(daily) == {"vip_tiers", "daily_report", "limit_activations"}
    assert await scheduled.run(runtime.services, "1 2 3 4 5") == {}
    with pytest.raises(scheduled.UnknownJob):
        await scheduled.run_job(runtime.services, "no_such_job")


async def test_a_game_outside_its_99_percent_band_raises_one_operator_alert(runtime):
    db = runtime.services.db
    # 10,000 rounds expected to pay 97% of 1,000,000 with a standard deviation of 1,000: paying
    # 99% is twenty standard deviations off.
    await db.prepare(
        "INSERT INTO game_stats (game_id, rounds, total_staked, total_paid, sum_expected, "
        "sum_variance) VALUES ('dice', 10000, 1000000, 990000, 970000.0, 1000000.0), "
        "('slots', 10000, 1000000, 970500, 970000.0, 1000000.0), "
        "('limbo', 10, 1000, 5000, 970.0, 100.0)"
    ).run()  # fmt: skip
    first = await scheduled.run_job(runtime.services, "game_stats")
    assert first["games_checked"] == 2  # limbo has too few rounds to say anything
    [deviation] = first["deviations"]
    assert deviation["game_id"] == "dice" and deviation["alerted"] is True
    assert deviation["actual_rtp_bps"] > deviation["ci99_high_bps"]
    again = await scheduled.run_job(runtime.services, "game_stats")
    assert again["deviations"][0]["alerted"] is False  # once per game and day
    alerts = await db.prepare(
        "SELECT kind, subject, detail FROM operator_alerts WHERE kind = 'rtp_deviation'"
    ).all()
    assert len(alerts) == 1 and alerts[0]["subject"] == "dice"
    assert "outside the 99% band" in alerts[0]["detail"]


async def test_vip_tiers_follow_thirty_days_of_wagering(client, runtime):
    player = await register_and_login(client)
    idle = await register_and_login(client)
    await verify_player(runtime, player["player_id"])
    await deposit(client, player, 200_000)
    session = (await client.post("/v1/games/dice/sessions", json={},
                                 headers=player["headers"])).json()  # fmt: skip
    for _ in range(2):
        r = await client.post(
            f"/v1/sessions/{session['session_id']}/rounds",
            json={"stake": 50_000, "params": {"target": 5000}}, headers=player["headers"] | key(),
        )  # fmt: skip
        assert r.status_code == 201, r.text
    await asyncio.sleep(0.05)
    await runtime.drain()
    result = await scheduled.run_job(runtime.services, "vip_tiers")
    assert result["changed"] == 1 and result["players_by_tier"]["silver"] == 1
    me = (await client.get("/v1/players/me", headers=player["headers"])).json()
    assert me["vip_tier"] == "silver"
    other = (await client.get("/v1/players/me", headers=idle["headers"])).json()
    assert other["vip_tier"] == "bronze"
    assert (await scheduled.run_job(runtime.services, "vip_tiers"))["changed"] == 0
    # Thirty-one days later the wagering has left the window: back to bronze.
    clock = runtime.services.clock
    later = clock.now() + timedelta(days=31)
    clock.now = lambda: later  # type: ignore[method-assign]
    try:
        assert (await scheduled.run_job(runtime.services, "vip_tiers"))["changed"] == 1
    finally:
        del clock.now
    me = (await client.get("/v1/players/me", headers=player["headers"])).json()
    assert me["vip_tier"] == "bronze"


async def test_a_raised_limit_becomes_active_after_its_cooling_off(client, runtime, monkeypatch):
    player = await register_and_login(client)
    h = player["headers"]
    r = await client.put("/v1/limits/deposit", json={"daily": 1_000}, headers=h)
    assert r.status_code == 200 and r.json()["deposit"]["daily"] == 1_000
    raised = (await client.put("/v1/limits/deposit", json={"daily": 5_000}, headers=h)).json()
    [pending] = raised["pending"]
    db = runtime.services.db
    noted = await db.prepare(
        "SELECT kind, effective_at, activated_at FROM pending_limit_changes WHERE player_id = ?"
    ).bind(player["player_id"]).all()  # fmt: skip
    assert noted == [{"kind": "deposit_daily", "effective_at": pending["effective_at"],
                      "activated_at": None}]  # fmt: skip
    early = await scheduled.run_job(runtime.services, "limit_activations")
    assert early == {"players": 0, "limits_activated": 0, "failed": []}  # not due yet

    clock = runtime.services.clock
    later = clock.now() + timedelta(hours=24, minutes=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    done = await scheduled.run_job(runtime.services, "limit_activations")
    assert done == {"players": 1, "limits_activated": 1, "failed": []}
    # Active in the WalletDO's own storage, not only applied when read.
    storage = runtime.wallets._acquire(player["player_id"]).storage
    try:
        [row] = storage.exec("SELECT value, pending FROM limits WHERE kind = 'deposit_daily'")
    finally:
        runtime.wallets._release(runtime.wallets._live[player["player_id"]])
    assert row == {"value": 5_000, "pending": 0}
    limits = (await client.get("/v1/limits", headers=h)).json()
    assert limits["deposit"]["daily"] == 5_000 and limits["pending"] == []
    again = await scheduled.run_job(runtime.services, "limit_activations")
    assert again["players"] == 0


class SqlRecorder:
    """Every statement the local D1 runs, as D1 would receive it."""

    def __init__(self, runtime, monkeypatch) -> None:
        self.statements: list[str] = []
        original = runtime.d1.execute

        def execute(stmt):
            self.statements.append(" ".join(stmt.sql.split()))
            return original(stmt)

        monkeypatch.setattr(runtime.d1, "execute", execute)


async def live(client) -> dict:
    r = await client.get("/v1/stats/live")
    assert r.status_code == 200
    return r.json()


async def test_live_statistics_read_the_counters_and_never_count_a_table(
    client, runtime, monkeypatch
):
    before = await live(client)
    assert set(before) == {"players", "rounds_24h", "wallet_events", "fraud_alerts", "games"}
    player = await register_and_login(client)
    await verify_player(runtime, player["player_id"])
    after_registration = await live(client)
    assert after_registration["players"] == before["players"] + 1
    await deposit(client, player)
    await asyncio.sleep(0.05)
    await runtime.drain()
    after_deposit = await live(client)
    assert after_deposit["wallet_events"] == before["wallet_events"] + 1

    db = runtime.services.db
    await (
        db.prepare(
            "INSERT INTO aml_alerts (alert_id, player_id, rule, score, risk, reason, created_at, "
            "updated_at) VALUES ('a1', ?, 'velocity', 80, 'high', 'x', 't', 't')"
        )
        .bind(player["player_id"])
        .run()
    )
    await (
        db.prepare(
            "INSERT INTO rg_alerts (alert_id, player_id, rule, level, intervention, detail, "
            "created_at) VALUES ('r1', ?, 'loss_chasing', 1, 'message', '{}', 't')"
        )
        .bind(player["player_id"])
        .run()
    )
    from api.alerts import raise_alert

    assert await raise_alert(runtime.services, "test", "subject", "detail", "k")
    assert not await raise_alert(runtime.services, "test", "subject", "detail", "k")  # ignored
    assert (await live(client))["fraud_alerts"] == after_deposit["fraud_alerts"] + 3

    # The counters are what D1 itself counts.
    counted = await db.prepare(
        "SELECT (SELECT count(*) FROM players) AS players, "
        "(SELECT count(*) FROM wallet_events) AS wallet_events, "
        "(SELECT count(*) FROM aml_alerts) + (SELECT count(*) FROM rg_alerts) + "
        "(SELECT count(*) FROM operator_alerts) AS fraud_alerts"
    ).first()
    figures = await live(client)
    assert {k: figures[k] for k in counted} == counted

    recorder = SqlRecorder(runtime, monkeypatch)
    await live(client)
    [sql] = recorder.statements
    assert "FROM live_counters" in sql and "round_counts_hourly" in sql
    assert "count(" not in sql.lower()
    for table in ("wallet_events", "players", "rg_alerts", "operator_alerts", "aml_alerts"):
        assert f"FROM {table}" not in sql


async def test_the_compliance_views_answer_a_players_timeline_and_daily_totals(client, runtime):
    player = await register_and_login(client)
    await verify_player(runtime, player["player_id"])
    await deposit(client, player, 7_000)
    r = await client.post("/v1/self-exclusion", json={"days": 30}, headers=player["headers"])
    assert r.status_code == 201
    await asyncio.sleep(0.05)
    await runtime.drain()
    db = runtime.services.db
    timeline = await db.prepare(
        "SELECT kind, detail FROM v_player_timeline WHERE player_id = ? ORDER BY at, kind"
    ).bind(player["player_id"]).all()  # fmt: skip
    kinds = [row["kind"] for row in timeline]
    assert {"wallet_event", "payment", "exclusion"} <= set(kinds)
    [event] = [json.loads(r["detail"]) for r in timeline if r["kind"] == "wallet_event"]
    assert event["type"] == "DEPOSIT" and event["amount"] == 7_000
    totals = await db.prepare("SELECT * FROM v_daily_totals").all()
    assert totals[0]["deposits"] == 7_000 and totals[0]["ggr"] == 0
    open_critical = await db.prepare("SELECT * FROM v_open_critical_alerts").all()
    assert open_critical == []


async def test_the_local_d1_refuses_a_sixth_term_in_a_compound_select_as_d1_does(runtime):
    five = " UNION ALL ".join(["SELECT 1"] * 5)
    assert len(await runtime.services.db.prepare(five).all()) == 5
    with pytest.raises(D1Error, match="compound SELECT"):
        await runtime.services.db.prepare(five + " UNION ALL SELECT 1").all()

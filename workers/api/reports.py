"""Regulatory reports application: a day's figures gathered from D1 (the projected events:
rounds, provider transactions, payments, players, exclusions, notices), rendered by the core
(`casino.reports`), stored by the daily job, answered byte for byte once stored."""

from __future__ import annotations

import json
from datetime import UTC, date, timedelta
from typing import Any

from casino import reports
from casino.errors import ValidationFailed
from casino.games import GAMES
from casino.jurisdictions import PROFILES
from casino.timefmt import rfc3339

from .services import Services
from .tables import audit_log as audit_log_table
from .tables import (
    live_counters,
    operator_alerts,
    players,
    provider_transactions,
    regulatory_reports,
)
from .tables import payments as payments_table
from .tables import rounds as rounds_table


def jurisdiction_code(services: Services, asked: str | None) -> str:
    """The jurisdiction of a report: the one asked for (`BR`, `br`, `generic`), else the
    deployment's, else `BR`."""
    text = (asked or services.fixed_jurisdiction or "BR").strip()
    code = "generic" if text.lower() == "generic" else text.upper()
    if code not in services.profiles:
        known = ", ".join(sorted(services.profiles))
        raise ValidationFailed(f"No jurisdiction '{text}' (known: {known})")
    return code


def today(services: Services) -> date:
    """The current UTC day (report days are UTC days)."""
    return services.clock.now().astimezone(UTC).date()


async def compute(services: Services, jurisdiction: str, day: date) -> dict[str, Any]:
    """The report of `day` from the events in D1, as the core writes it."""
    start, end = reports.day_bounds(day)
    params = (start, end, jurisdiction)
    rounds, provider, payments, counts = await services.db.batch(
        [
            rounds_table.day_by_game(services.db, *params),
            provider_transactions.day_by_game(services.db, *params),
            payments_table.day_by_kind_and_method(services.db, *params),
            players.day_counts(services.db, *params),
        ]
    )
    # The report's currency is the jurisdiction's as the code defines it (not a KV override):
    # the same day keeps the same bytes.
    profile = PROFILES.get(jurisdiction) or services.profiles[jurisdiction]
    return reports.daily_report(
        jurisdiction, day, profile.currency, [*rounds, *provider], payments, counts[0]
    )


async def stored(
    services: Services, jurisdiction: str, day: date, fmt: str
) -> tuple[str, str] | None:
    return await regulatory_reports.body(services.db, jurisdiction, day.isoformat(), fmt)


async def daily(
    services: Services, asked_jurisdiction: str | None, day_text: str, fmt: str
) -> tuple[str, str, str, bool]:
    """The jurisdiction, the body of a day's report in `fmt`, its SHA-256 and whether it is the
    stored record:
    a stored day answers the stored bytes; any other day (today included, until it is over)
    is computed from the events."""
    jurisdiction = jurisdiction_code(services, asked_jurisdiction)
    day = reports.parse_day(day_text, today(services))
    found = await stored(services, jurisdiction, day, fmt)
    if found is not None:
        return jurisdiction, found[0], found[1], True
    body = reports.render(await compute(services, jurisdiction, day), fmt)
    return jurisdiction, body, reports.sha256_hex(body), False


async def store(services: Services, jurisdiction: str, day: date) -> dict[str, Any]:
    """Store a day's report in every format, once: a day already stored keeps its record (the
    table refuses rewrites; `INSERT OR IGNORE` makes a rerun of the job a no-op)."""
    report = await compute(services, jurisdiction, day)
    now = rfc3339(services.clock.now())
    bodies = {fmt: reports.render(report, fmt) for fmt in sorted(reports.FORMATS)}
    results = await services.db.batch(
        [
            regulatory_reports.add(
                services.db,
                (jurisdiction, day.isoformat(), fmt),
                body,
                reports.sha256_hex(body),
                now,
            )  # fmt: skip
            for fmt, body in bodies.items()
        ]
    )
    listed = await list_stored(services, jurisdiction, day.isoformat(), 1)
    return {
        "jurisdiction": jurisdiction,
        "date": day.isoformat(),
        "stored": sorted(fmt for rows in results for fmt in (r["format"] for r in rows)),
        "sha256": listed[0]["sha256"] if listed else {},
    }


async def jurisdictions_in_use(services: Services) -> list[str]:
    return await players.jurisdictions(services.db)


async def list_stored(
    services: Services, jurisdiction: str | None = None, day: str | None = None, limit: int = 366
) -> list[dict[str, Any]]:
    """The stored reports, newest day first: `{jurisdiction, date, formats, sha256}` with the
    SHA-256 of each format's bytes (`sha256: {csv: ..., json: ...}`)."""
    rows = await regulatory_reports.latest_days(services.db, jurisdiction, day, limit)
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        entry = found.setdefault(
            (row["jurisdiction"], row["day"]),
            {"jurisdiction": row["jurisdiction"], "date": row["day"], "formats": [], "sha256": {}},
        )
        entry["formats"].append(row["format"])
        entry["sha256"][row["format"]] = row["sha256"]
    return list(found.values())


# What the dashboards read --------------------------------------------------------------------
async def live_stats(services: Services) -> dict[str, int]:
    """Aggregate, non-personal figures, each kept incrementally (a handful of rows read)."""
    since = rfc3339(services.clock.now() - timedelta(hours=24))[:13]
    figures = await live_counters.figures_since(services.db, since)
    alerts = ("aml_alerts", "rg_alerts", "operator_alerts")
    return {
        "players": figures.get("players", 0),
        "rounds_24h": figures.get("rounds_24h", 0),
        "wallet_events": figures.get("wallet_events", 0),
        "fraud_alerts": sum(figures.get(n, 0) for n in alerts),
        "games": len(GAMES),
    }


async def operator_alerts_latest(services: Services) -> list[dict[str, Any]]:
    """The operator alerts, newest first (at most 500)."""
    return await operator_alerts.latest(services.db, 500)


async def audit_log(
    services: Services, actor_id: str | None, subject: str | None, limit: int
) -> list[dict[str, Any]]:
    """Staff's and the system's actions, newest first, each with its details decoded."""
    rows = await audit_log_table.latest(services.db, actor_id, subject, limit)
    return [{**r, "details": json.loads(r["details"])} for r in rows]

"""Public endpoints: health and live aggregate figures (non-personal)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter

from casino.games import GAMES
from casino.timefmt import rfc3339

from ..schemas import HealthOut, LiveStatsOut
from ..security import ServicesDep

router = APIRouter(tags=["public"])


@router.get("/healthz", response_model=HealthOut)
async def healthz() -> HealthOut:
    return HealthOut(status="ok")


@router.get("/v1/stats/live", response_model=LiveStatsOut)
async def live_stats(services: ServicesDep) -> LiveStatsOut:
    """Aggregate, non-personal figures. Each is kept incrementally (`live_counters`, by
    triggers on insert; rounds per hour in `round_counts_hourly`), so a call reads a handful
    of rows whatever the size of the history."""
    since = rfc3339(services.clock.now() - timedelta(hours=24))[:13]
    rows = await (
        services.db.prepare(
            "SELECT name, value FROM live_counters UNION ALL "
            "SELECT 'rounds_24h', coalesce(sum(rounds), 0) FROM round_counts_hourly WHERE hour > ?"
        )
        .bind(since)
        .all()
    )
    figures = {r["name"]: r["value"] for r in rows}
    return LiveStatsOut(
        players=figures.get("players", 0),
        rounds_24h=figures.get("rounds_24h", 0),
        wallet_events=figures.get("wallet_events", 0),
        fraud_alerts=sum(figures.get(n, 0) for n in ("aml_alerts", "rg_alerts", "operator_alerts")),
        games=len(GAMES),
    )

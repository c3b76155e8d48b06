"""Public endpoints: health and live aggregate figures (non-personal)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter

from casino.games import GAMES
from casino.timefmt import rfc3339

from ..security import ServicesDep

router = APIRouter(tags=["public"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/v1/stats/live")
async def live_stats(services: ServicesDep) -> dict[str, Any]:
    since = rfc3339(services.clock.now() - timedelta(hours=24))[:13]
    row = (
        await services.db.prepare(
            "SELECT (SELECT count(*) FROM players) AS players, "
            "(SELECT coalesce(sum(rounds), 0) FROM round_counts_hourly WHERE hour > ?) AS rounds_24h, "
            "(SELECT count(*) FROM wallet_events) AS wallet_events, "
            "(SELECT count(*) FROM rg_alerts) + (SELECT count(*) FROM operator_alerts) AS alerts"
        )
        .bind(since)
        .first()
        or {}
    )
    return {
        "players": row.get("players", 0),
        "rounds_24h": row.get("rounds_24h", 0),
        "wallet_events": row.get("wallet_events", 0),
        "fraud_alerts": row.get("alerts", 0),
        "games": len(GAMES),
    }

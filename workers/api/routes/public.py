"""Public endpoints: health and live aggregate figures (non-personal)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ..security import ServicesDep

router = APIRouter(tags=["public"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/v1/stats/live")
async def live_stats(services: ServicesDep) -> dict[str, Any]:
    row = await services.db.prepare(
        "SELECT (SELECT count(*) FROM players) AS players, "
        "(SELECT count(*) FROM wallet_events) AS wallet_events"
    ).first()
    row = row or {}
    return {
        "players": row.get("players", 0),
        "rounds_24h": 0,
        "wallet_events": row.get("wallet_events", 0),
        "fraud_alerts": 0,
        "games": 0,
    }

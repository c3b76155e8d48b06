"""Public endpoints: health and live aggregate figures (non-personal)."""

from fastapi import APIRouter

from .. import reports
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
    return LiveStatsOut(**await reports.live_stats(services))

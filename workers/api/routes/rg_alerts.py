"""/v1/ops/rg: behavioural (responsible gaming) alerts for compliance, operators and admins."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from .. import rg_alerts
from ..permissions import Permission, require
from ..schemas import RgAlertsOut
from ..security import Caller, ServicesDep

router = APIRouter(prefix="/v1/ops/rg", tags=["operators"])
RgAlertsStaff = Annotated[Caller, Depends(require(Permission.RG_ALERTS))]


@router.get("/alerts", response_model=RgAlertsOut)
async def behavioural_alerts(
    staff: RgAlertsStaff,
    services: ServicesDep,
    player_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    rule: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> RgAlertsOut:
    """Behavioural alerts raised by players' own play (loss chasing, rising stakes, long
    sessions, night play, declined deposits), newest first, with the intervention applied."""
    alerts = await rg_alerts.list_alerts(services, player_id, rule, limit)
    return RgAlertsOut.model_validate({"alerts": alerts})

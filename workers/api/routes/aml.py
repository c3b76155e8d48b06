"""/v1/ops/aml: the AML alerts the fraud queue's consumer raises, for compliance."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from .. import aml
from ..permissions import Permission, require
from ..schemas import (
    AmlAlertDetailOut,
    AmlAlertsOut,
    AmlRisk,
    AmlStatus,
    AmlStatusIn,
    PepIn,
    PepOut,
)
from ..security import Caller, ServicesDep

router = APIRouter(prefix="/v1/ops/aml", tags=["operators"])
AlertsStaff = Annotated[Caller, Depends(require(Permission.AML_ALERTS))]
ManageStaff = Annotated[Caller, Depends(require(Permission.AML_MANAGE))]


@router.get("/alerts", response_model=AmlAlertsOut)
async def aml_alerts(
    staff: AlertsStaff,
    services: ServicesDep,
    risk: Annotated[AmlRisk | None, Query()] = None,
    player_id: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[AmlStatus | None, Query()] = None,
    rule: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AmlAlertsOut:
    """Newest first, filtered by risk, player, status and rule."""
    rows = await aml.list_alerts(services, risk, player_id, status, rule, limit)
    return AmlAlertsOut.model_validate({"alerts": rows})


@router.get("/alerts/{alert_id}", response_model=AmlAlertDetailOut)
async def aml_alert(alert_id: str, staff: AlertsStaff, services: ServicesDep) -> AmlAlertDetailOut:
    """The alert with the events that raised it, its lifecycle and its COS draft."""
    return AmlAlertDetailOut.model_validate(await aml.alert_detail(services, alert_id))


@router.post("/alerts/{alert_id}/status", response_model=AmlAlertDetailOut)
async def aml_alert_status(
    alert_id: str, body: AmlStatusIn, staff: ManageStaff, services: ServicesDep
) -> AmlAlertDetailOut:
    """open -> under_review -> closed (with a reason) or reported (its COS filed); 409
    `illegal_transition` otherwise. Closing the last acting alert lifts the player's hold."""
    detail = await aml.change_status(
        services, staff.subject, staff.role, alert_id, body.status, body.reason
    )
    return AmlAlertDetailOut.model_validate(detail)


@router.put("/players/{player_id}/pep", response_model=PepOut)
async def set_pep_status(
    player_id: str, body: PepIn, staff: ManageStaff, services: ServicesDep
) -> PepOut:
    """Mark a player a politically exposed person (or no longer one), with the reason: every
    later alert of theirs weighs 30 points more. Audited."""
    await aml.set_pep(services, staff.subject, staff.role, player_id, body.pep, body.reason)
    return PepOut(player_id=player_id, pep=body.pep)

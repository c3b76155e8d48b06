"""/v1/limits, /v1/self-exclusion, /v1/breaks, /v1/reality-check."""

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from .. import responsible
from ..security import Caller, PlayerDep, ServicesDep
from ..services import Services
from .shaping import shaped

router = APIRouter(tags=["responsible gaming"])
Body = dict[str, Any]
AmountOrNull = Field(default=None, json_schema_extra={"type": ["integer", "null"], "minimum": 1})


class WindowLimitsIn(BaseModel):
    daily: Any = AmountOrNull
    weekly: Any = AmountOrNull
    monthly: Any = AmountOrNull


class SessionLimitIn(BaseModel):
    max_minutes: Any = Field(default=None, json_schema_extra={"type": ["integer", "null"]})


class SelfExclusionIn(BaseModel):
    days: Any = Field(default=None, json_schema_extra={"type": ["integer", "null"], "minimum": 1})
    permanent: bool = False


class BreakIn(BaseModel):
    hours: Any = Field(json_schema_extra={"type": "integer", "minimum": 1, "maximum": 1008})


class WindowsOut(BaseModel):
    daily: int | None
    weekly: int | None
    monthly: int | None


class PendingLimitOut(BaseModel):
    limit: str = Field(description="The limit's kind, e.g. `deposit_daily`, `time_weekly`")
    value: int | None = Field(description="The value it will take (null: removed)")
    effective_at: str | None


class LimitsOut(BaseModel):
    deposit: WindowsOut
    loss: WindowsOut
    time: WindowsOut = Field(description="Minutes of play per rolling window")
    session_minutes: int | None = Field(description="The daily time limit (`time.daily`)")
    pending: list[PendingLimitOut]


class ExclusionOut(BaseModel):
    excluded_until: str | None
    permanent: bool
    kind: str | None


class RealityCheckOut(BaseModel):
    session_started_at: str
    elapsed_minutes: int
    rounds: int
    total_staked: int
    total_won: int
    net_position: int
    active: bool


@router.get("/v1/limits", response_model=LimitsOut, response_model_exclude_unset=True)
async def get_limits(caller: PlayerDep, services: ServicesDep, response: Response) -> Body:
    return shaped(await responsible.get_limits(services, caller.subject), response)


async def _set_window_limits(
    family: str, body: WindowLimitsIn, caller: Caller, services: Services, response: Response
) -> Body:
    """Only the windows present in the body change; an explicit null removes one."""
    changes = responsible.window_changes(family, body.model_dump(exclude_unset=True))
    return shaped(await responsible.set_limits(services, caller.subject, changes), response)


@router.put("/v1/limits/deposit", response_model=LimitsOut, response_model_exclude_unset=True)
async def set_deposit_limits(
    body: WindowLimitsIn, caller: PlayerDep, services: ServicesDep, response: Response
) -> Body:
    return await _set_window_limits("deposit", body, caller, services, response)


@router.put("/v1/limits/loss", response_model=LimitsOut, response_model_exclude_unset=True)
async def set_loss_limits(
    body: WindowLimitsIn, caller: PlayerDep, services: ServicesDep, response: Response
) -> Body:
    return await _set_window_limits("loss", body, caller, services, response)


@router.put("/v1/limits/time", response_model=LimitsOut, response_model_exclude_unset=True)
async def set_time_limits(
    body: WindowLimitsIn, caller: PlayerDep, services: ServicesDep, response: Response
) -> Body:
    """Minutes of play per rolling day, week and month (30 days); a pause never resets them."""
    return await _set_window_limits("time", body, caller, services, response)


@router.put("/v1/limits/session", response_model=LimitsOut, response_model_exclude_unset=True)
async def set_session_limit(
    body: SessionLimitIn, caller: PlayerDep, services: ServicesDep, response: Response
) -> Body:
    """The first contract's session limit: the daily time limit (`time.daily`)."""
    if "max_minutes" not in body.model_fields_set:
        return shaped(await responsible.get_limits(services, caller.subject), response)
    changes = {"session_minutes": body.max_minutes}
    return shaped(await responsible.set_limits(services, caller.subject, changes), response)


@router.post(
    "/v1/self-exclusion", status_code=201, response_model=ExclusionOut,
    response_model_exclude_unset=True,
)  # fmt: skip
async def self_exclude(
    body: SelfExclusionIn, caller: PlayerDep, services: ServicesDep, response: Response
) -> Body:
    result = await responsible.exclude(
        services, caller.subject, "self_exclusion", days=body.days, permanent=body.permanent
    )
    return shaped(result, response)


@router.get("/v1/self-exclusion", response_model=ExclusionOut)
async def exclusion_status(caller: PlayerDep, services: ServicesDep) -> ExclusionOut:
    body = await responsible.exclusion_status(services, caller.subject)
    return ExclusionOut(
        excluded_until=body["excluded_until"], permanent=body["permanent"], kind=body["kind"]
    )


@router.post(
    "/v1/breaks", status_code=201, response_model=ExclusionOut, response_model_exclude_unset=True
)
async def take_a_break(
    body: BreakIn, caller: PlayerDep, services: ServicesDep, response: Response
) -> Body:
    result = await responsible.exclude(services, caller.subject, "break", hours=body.hours)
    return shaped(result, response)


@router.get("/v1/reality-check", response_model=RealityCheckOut, response_model_exclude_unset=True)
async def reality_check(caller: PlayerDep, services: ServicesDep, response: Response) -> Body:
    return shaped(await responsible.reality_check(services, caller.subject), response)

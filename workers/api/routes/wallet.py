"""/v1/wallet: balance, deposits, withdrawals, the event list."""

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response

from .. import wallet
from ..schemas import (
    BonusStatusOut,
    EventPageOut,
    MoneyMovementOut,
    PaymentIn,
    WalletOut,
    WithdrawalsOut,
)
from ..security import PlayerDep, ServicesDep
from .shaping import shaped

router = APIRouter(prefix="/v1/wallet", tags=["wallet"])
IdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", description="1-255 printable ASCII characters")
]


@router.get("", response_model=WalletOut)
async def get_wallet(caller: PlayerDep, services: ServicesDep) -> WalletOut:
    return WalletOut(**await wallet.balance(services, caller.subject))


DeviceId = Annotated[
    str | None,
    Header(alias="X-Device-Id", max_length=128, description="The app's install id, if it has one"),
]


@router.post(
    "/deposits", status_code=201, response_model=MoneyMovementOut,
    response_model_exclude_unset=True,
)  # fmt: skip
async def deposit(
    body: PaymentIn,
    caller: PlayerDep,
    services: ServicesDep,
    response: Response,
    key: IdempotencyKey = None,
    device: DeviceId = None,
) -> dict[str, Any]:
    answer = await wallet.move_money(
        services, caller.subject, "deposit", key, body.model_dump(exclude_none=True), device
    )
    return shaped(answer, response)


@router.post(
    "/withdrawals", status_code=201, response_model=MoneyMovementOut,
    response_model_exclude_unset=True,
)  # fmt: skip
async def withdraw(
    body: PaymentIn,
    caller: PlayerDep,
    services: ServicesDep,
    response: Response,
    key: IdempotencyKey = None,
) -> dict[str, Any]:
    answer = await wallet.move_money(
        services, caller.subject, "withdraw", key, body.model_dump(exclude_none=True)
    )
    return shaped(answer, response)


@router.get("/withdrawals", response_model=WithdrawalsOut, response_model_exclude_unset=True)
async def withdrawals(
    caller: PlayerDep, services: ServicesDep, response: Response
) -> dict[str, Any]:
    """The player's withdrawals, newest first: where each goes, its status and its age (prizes
    are due within the jurisdiction's deadline, 120 minutes in Brazil)."""
    return shaped(await wallet.withdrawals(services, caller.subject), response)


@router.get("/events", response_model=EventPageOut)
async def events(
    caller: PlayerDep,
    services: ServicesDep,
    after_seq: Annotated[int, Query(ge=0, le=2**53)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> EventPageOut:
    return EventPageOut(**await wallet.events(services, caller.subject, after_seq, limit))


@router.get("/bonus", response_model=BonusStatusOut, response_model_exclude_unset=True)
async def bonus_status(
    caller: PlayerDep, services: ServicesDep, response: Response
) -> dict[str, Any]:
    return shaped(await wallet.bonus_status(services, caller.subject), response)

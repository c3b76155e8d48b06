"""/v1/players: the player's own profile."""

from fastapi import APIRouter

from .. import players
from ..schemas import PlayerOut, PlayerUpdateIn
from ..security import PlayerDep, ServicesDep

router = APIRouter(prefix="/v1/players", tags=["accounts"])


@router.get("/me", response_model=PlayerOut)
async def me(caller: PlayerDep, services: ServicesDep) -> PlayerOut:
    return PlayerOut(**await players.me(services, caller.subject))


@router.put("/me", response_model=PlayerOut)
async def update_me(body: PlayerUpdateIn, caller: PlayerDep, services: ServicesDep) -> PlayerOut:
    """Set the address, phone or payout account (a PIX key that is your CPF, or a bank account
    in your CPF); fields left out keep their value."""
    given = body.model_dump(exclude_unset=True, exclude_none=True)
    return PlayerOut(**await players.update(services, caller.subject, given))

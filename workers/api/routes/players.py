"""/v1/players: the player's own profile."""

from __future__ import annotations

from fastapi import APIRouter

from casino.errors import NotFound

from ..schemas import PlayerOut
from ..security import PlayerDep, ServicesDep

router = APIRouter(prefix="/v1/players", tags=["accounts"])


@router.get("/me", response_model=PlayerOut)
async def me(caller: PlayerDep, services: ServicesDep) -> PlayerOut:
    row = (
        await services.db.prepare(
            "SELECT player_id, email, full_name, country, kyc_status, vip_tier, created_at "
            "FROM players WHERE player_id = ?"
        )
        .bind(caller.subject)
        .first()
    )
    if row is None:
        raise NotFound("No such player")
    return PlayerOut(**row)

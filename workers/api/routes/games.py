"""/v1/games and /v1/sessions: the catalogue, game sessions, rounds, seed rotation."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from .. import games
from ..schemas import (
    GameOut,
    GamesOut,
    ProviderSessionOut,
    RotationIn,
    RotationOut,
    RoundIn,
    RoundOut,
    RoundsOut,
    SessionIn,
    SessionOut,
)
from ..security import PlayerDep, PlayerRequestDep, ServicesDep
from .shaping import shaped
from .wallet import IdempotencyKey

router = APIRouter(tags=["games"])


JurisdictionQuery = Annotated[
    str | None,
    Query(pattern=r"^[A-Za-z]{2}$|^generic$", description="Show another market's RTPs"),
]


@router.get("/v1/games", response_model=GamesOut)
async def list_games(
    request: Request, services: ServicesDep, jurisdiction: JurisdictionQuery = None
) -> GamesOut:
    """Every game with the RTP, stakes and paytable of the market the request is under (the
    network's or deployment's, else the logged-in player's, else `generic`)."""
    profile = await games.lobby_profile(services, request.headers, jurisdiction)
    return GamesOut(games=[GameOut(**g) for g in await games.catalogue(services, profile)])


@router.get("/v1/games/{game_id}", response_model=GameOut)
async def get_game(
    game_id: str, request: Request, services: ServicesDep, jurisdiction: JurisdictionQuery = None
) -> GameOut:
    profile = await games.lobby_profile(services, request.headers, jurisdiction)
    [game] = [g for g in await games.catalogue(services, profile, only=game_id)]
    return GameOut(**game)


@router.post(
    "/v1/games/{game_id}/sessions", status_code=201, response_model=SessionOut | ProviderSessionOut,
    response_model_exclude_unset=True,
)  # fmt: skip
async def open_session(
    game_id: str,
    caller: PlayerDep,
    services: ServicesDep,
    response: Response,
    body: SessionIn | None = None,
) -> dict[str, Any]:
    result = await games.open_session(
        services, caller.subject, game_id, body.client_seed if body else None
    )
    return shaped(result, response)


@router.get(
    "/v1/sessions/{session_id}", response_model=SessionOut, response_model_exclude_unset=True
)
async def get_session(
    session_id: str, caller: PlayerDep, services: ServicesDep, response: Response
) -> dict[str, Any]:
    return shaped(await games.describe_session(services, caller.subject, session_id), response)


@router.post(
    "/v1/sessions/{session_id}/rounds", status_code=201, response_model=RoundOut,
    response_model_exclude_unset=True,
)  # fmt: skip
async def play_round(
    session_id: str,
    body: RoundIn,
    player: PlayerRequestDep,
    response: Response,
    key: IdempotencyKey = None,
) -> dict[str, Any]:
    result = await games.play(
        player.services, player.caller, session_id, key, body.stake, body.params
    )
    return shaped(result, response)


@router.get(
    "/v1/sessions/{session_id}/rounds", response_model=RoundsOut, response_model_exclude_unset=True
)
async def list_rounds(
    session_id: str, caller: PlayerDep, services: ServicesDep, response: Response
) -> dict[str, Any]:
    return shaped(await games.session_rounds(services, caller.subject, session_id), response)


@router.post(
    "/v1/sessions/{session_id}/seed-rotation", response_model=RotationOut,
    response_model_exclude_unset=True,
)  # fmt: skip
async def rotate_seed(
    session_id: str,
    caller: PlayerDep,
    services: ServicesDep,
    response: Response,
    body: RotationIn | None = None,
) -> dict[str, Any]:
    client_seed = body.client_seed if body else None
    result = await games.rotate_seed(services, caller.subject, session_id, client_seed)
    return shaped(result, response)

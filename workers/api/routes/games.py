"""/v1/games and /v1/sessions: the catalogue, game sessions, rounds, seed rotation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from .. import games, wallet
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
from ..security import PlayerDep, ServicesDep
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
    "/v1/games/{game_id}/sessions", status_code=201, response_model=SessionOut | ProviderSessionOut
)
async def open_session(
    game_id: str, caller: PlayerDep, services: ServicesDep, body: SessionIn | None = None
) -> JSONResponse:
    result = await games.open_session(
        services, caller.subject, game_id, body.client_seed if body else None
    )
    return wallet.answer(result)


@router.get("/v1/sessions/{session_id}", response_model=SessionOut)
async def get_session(session_id: str, caller: PlayerDep, services: ServicesDep) -> JSONResponse:
    return wallet.answer(await games.describe_session(services, caller.subject, session_id))


@router.post("/v1/sessions/{session_id}/rounds", status_code=201, response_model=RoundOut)
async def play_round(
    session_id: str,
    body: RoundIn,
    caller: PlayerDep,
    services: ServicesDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    result = await games.play(services, caller.subject, session_id, key, body.stake, body.params)
    return wallet.answer(result)


@router.get("/v1/sessions/{session_id}/rounds", response_model=RoundsOut)
async def list_rounds(session_id: str, caller: PlayerDep, services: ServicesDep) -> JSONResponse:
    return wallet.answer(await games.session_rounds(services, caller.subject, session_id))


@router.post("/v1/sessions/{session_id}/seed-rotation", response_model=RotationOut)
async def rotate_seed(
    session_id: str, caller: PlayerDep, services: ServicesDep, body: RotationIn | None = None
) -> JSONResponse:
    client_seed = body.client_seed if body else None
    return wallet.answer(await games.rotate_seed(services, caller.subject, session_id, client_seed))

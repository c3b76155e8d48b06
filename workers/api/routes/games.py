"""/v1/games and /v1/sessions: the catalogue, game sessions, rounds, seed rotation."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from .. import games, wallet
from ..schemas import (
    GameOut,
    GamesOut,
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


@router.get("/v1/games", response_model=GamesOut)
async def list_games(services: ServicesDep) -> GamesOut:
    return GamesOut(games=[GameOut(**g) for g in await games.catalogue(services)])


@router.get("/v1/games/{game_id}", response_model=GameOut)
async def get_game(game_id: str, services: ServicesDep) -> GameOut:
    [game] = [g for g in await games.catalogue(services, only=game_id)]
    return GameOut(**game)


@router.post("/v1/games/{game_id}/sessions", status_code=201, response_model=SessionOut)
async def open_session(
    game_id: str, caller: PlayerDep, services: ServicesDep, body: SessionIn | None = None
) -> JSONResponse:
    result = await games.open_session(
        services, caller.subject, game_id, body.client_seed if body else None
    )
    return wallet.answer(result)


@router.get("/v1/sessions/{session_id}", response_model=SessionOut)
async def get_session(session_id: str, caller: PlayerDep, services: ServicesDep) -> JSONResponse:
    return wallet.answer(
        await games.session_call(services, caller.subject, session_id, "describe", {})
    )


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
    return wallet.answer(
        await games.session_call(services, caller.subject, session_id, "rounds", {})
    )


@router.post("/v1/sessions/{session_id}/seed-rotation", response_model=RotationOut)
async def rotate_seed(
    session_id: str, caller: PlayerDep, services: ServicesDep, body: RotationIn | None = None
) -> JSONResponse:
    payload = {"client_seed": body.client_seed if body else None}
    return wallet.answer(
        await games.session_call(services, caller.subject, session_id, "rotate", payload)
    )

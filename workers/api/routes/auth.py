"""/v1/auth: registration, login, refresh, logout."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from casino.accounts import Registration

from .. import accounts, exclusions
from ..schemas import LoginIn, PlayerIdOut, RefreshIn, RegisterIn, TokenPairOut
from ..security import ServicesDep

router = APIRouter(prefix="/v1/auth", tags=["accounts"])


def client_address(request: Request, trust_forwarded: bool) -> str:
    if trust_forwarded and (forwarded := request.headers.get("cf-connecting-ip")):
        return forwarded
    return request.client.host if request.client else "unknown"


@router.post("/register", status_code=201, response_model=PlayerIdOut)
async def register(body: RegisterIn, services: ServicesDep) -> PlayerIdOut:
    reg = Registration(
        email=body.email,
        password=body.password,
        full_name=body.full_name,
        birth_date=body.birth_date,
        country=body.country,
        cpf=body.cpf,
    )
    await exclusions.refuse_if_listed(services, body.cpf, body.email)
    player_id = await accounts.register(services, reg, body.limits)
    return PlayerIdOut(player_id=player_id)


@router.post("/login", response_model=TokenPairOut)
async def login(body: LoginIn, request: Request, services: ServicesDep) -> TokenPairOut:
    address = client_address(request, services.settings.trust_forwarded_ip)
    pair = await accounts.login(services, body.email, body.password, address)
    if pair["role"] == "player":
        await exclusions.check_on_login(services, pair["subject"])
    return TokenPairOut(**pair)


@router.post("/refresh", response_model=TokenPairOut)
async def refresh(body: RefreshIn, services: ServicesDep) -> TokenPairOut:
    return TokenPairOut(**await accounts.refresh(services, body.refresh_token))


@router.post("/logout", status_code=204, response_class=Response)
async def logout(body: RefreshIn, services: ServicesDep) -> Response:
    await accounts.logout(services, body.refresh_token)
    return Response(status_code=204)

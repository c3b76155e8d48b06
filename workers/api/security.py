"""Access tokens (JWT, HS256) and the identity of the caller."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

import jwt
from fastapi import Depends, Request

from casino.errors import Forbidden, InvalidToken, TokenExpired

from .alerts import raise_alert
from .jurisdiction import for_request
from .services import Services

ALGORITHM = "HS256"
# Staff roles; what each may do is the table in `api.permissions`.
STAFF_ROLES = frozenset({"kyc_reviewer", "compliance", "operator", "admin"})


@dataclass(frozen=True)
class Caller:
    subject: str
    role: str
    family_id: str


def issue_access_token(
    services: Services, subject: str, role: str, family_id: str, now: datetime
) -> str:
    minutes = services.settings.access_token_minutes
    claims = {
        "sub": subject,
        "role": role,
        "sid": family_id,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=minutes)).timestamp()),
        "jti": str(uuid.UUID(bytes=services.entropy.token_bytes(16), version=4)),
    }
    return jwt.encode(claims, services.settings.jwt_secret, algorithm=ALGORITHM)


def decode_access_token(services: Services, token: str) -> Caller:
    try:
        claims = jwt.decode(
            token,
            services.settings.jwt_secret,
            algorithms=[ALGORITHM],
            options={"require": ["sub", "role", "exp", "iat", "jti"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenExpired("The access token has expired; refresh it") from exc
    except jwt.PyJWTError as exc:
        raise InvalidToken("The access token is invalid") from exc
    if claims["role"] not in STAFF_ROLES | {"player"}:
        raise InvalidToken("The access token is invalid")
    return Caller(str(claims["sub"]), str(claims["role"]), str(claims.get("sid", "")))


async def get_services(request: Request) -> Services:
    services: Services = request.scope["env"]
    for code, problem in await services.refresh_profiles():
        await raise_alert(
            services, "invalid_jurisdiction_profile", code,
            f"KV key jurisdiction:{code} holds an invalid profile ({problem}); the last good "
            "profile stays in force",
            problem,
        )  # fmt: skip
    return for_request(
        services, request.headers.get("host", ""), request.headers.get("cf-ipcountry")
    )


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_caller(request: Request, services: ServicesDep) -> Caller:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("A bearer access token is required")
    caller = decode_access_token(services, token.strip())
    revoked = (
        await services.db.prepare("SELECT revoked_at FROM login_families WHERE family_id = ?")
        .bind(caller.family_id)
        .first()
    )
    if revoked is None or revoked["revoked_at"] is not None:
        raise InvalidToken("This login has ended; log in again")
    return caller


CallerDep = Annotated[Caller, Depends(get_caller)]


async def get_player(caller: CallerDep) -> Caller:
    if caller.role != "player":
        raise Forbidden("This endpoint is for players")
    return caller


PlayerDep = Annotated[Caller, Depends(get_player)]
# Staff endpoints take `Annotated[Caller, Depends(permissions.require(Permission.X))]`.

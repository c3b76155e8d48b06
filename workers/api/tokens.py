"""Access tokens (JWT, HS256): issued at login, decoded into a `Caller` on every request."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import jwt

from casino.errors import InvalidToken, TokenExpired

from .caller import STAFF_ROLES, Caller
from .services import Services

ALGORITHM = "HS256"


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

"""Access tokens (JWT, HS256): issued at login, decoded into a `Caller` on every request.

A player's token also carries the player's standing as of its issue, so the round's path needs
no D1 read for it: `jur`, the jurisdiction the player registered under (never changes), and
`kyc`, the KYC status then (a refusal by it is checked again against D1, see `api.games`)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from casino.errors import InvalidToken, TokenExpired

from .caller import STAFF_ROLES, Caller
from .jwt_library import jwt
from .services import Services

ALGORITHM = "HS256"
_ROLES = STAFF_ROLES | {"player"}
# Tokens already verified, by (secret, token): a client sends the same token on every request
# for its life, and a signature check with two JSON decodes is most of what authentication
# costs. An entry answers only until the token's `exp`, as PyJWT would (valid while now < exp).
_VERIFIED: dict[tuple[str, str], Caller] = {}
_VERIFIED_MAX = 4096


def standing_claims(player: Mapping[str, Any] | None) -> dict[str, str]:
    """The claims of a player's standing from their D1 row (`home`, `kyc_status`); none else."""
    if not player or not player.get("home"):
        return {}
    return {"jur": str(player["home"]), "kyc": str(player.get("kyc_status") or "none")}


def issue_access_token(
    services: Services,
    subject: str,
    role: str,
    family_id: str,
    now: datetime,
    standing: Mapping[str, str] | None = None,
) -> str:
    """A signed access token; `standing` (from `standing_claims`) only in a player's."""
    minutes = services.settings.access_token_minutes
    claims = {
        "sub": subject,
        "role": role,
        "sid": family_id,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=minutes)).timestamp()),
        "jti": str(uuid.UUID(bytes=services.entropy.token_bytes(16), version=4)),
        **(standing or {}),
    }
    return jwt.encode(claims, services.settings.jwt_secret, algorithm=ALGORITHM)


def decode_access_token(services: Services, token: str) -> Caller:
    """The caller a valid token names; `TokenExpired` or `InvalidToken` otherwise."""
    key = (services.settings.jwt_secret, token)
    known = _VERIFIED.get(key)
    if known is not None and time.time() < known.expires_at:
        return known
    caller = _verify(services, token)
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _VERIFIED.clear()
    _VERIFIED[key] = caller
    return caller


def _verify(services: Services, token: str) -> Caller:
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
    role = claims["role"]
    if role not in _ROLES:
        raise InvalidToken("The access token is invalid")
    home, kyc = claims.get("jur"), claims.get("kyc")
    return Caller(
        str(claims["sub"]), str(role), str(claims.get("sid", "")),
        home=str(home) if home and role == "player" else None,
        kyc_status=str(kyc) if kyc and role == "player" else None,
        expires_at=int(claims["exp"]),
    )  # fmt: skip

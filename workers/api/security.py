"""The HTTP side of identity: the request's services and caller as FastAPI dependencies (the
plain `Caller` lives in `api.caller`, the tokens in `api.tokens`; both re-exported here).

No `from __future__ import annotations`: FastAPI reads these dependencies' signatures once per
route that uses them, and would evaluate (compile) each string annotation every time.
"""

from dataclasses import dataclass, replace
from typing import Annotated

from fastapi import Depends, Request

from casino.errors import Forbidden, InvalidToken
from infra.ports import Unavailable
from wallet_do.client import WalletClient

from .alerts import raise_alert
from .caller import STAFF_ROLES, Caller
from .jurisdiction import for_request
from .services import Services
from .tables import login_families
from .tokens import ALGORITHM, decode_access_token, issue_access_token

# Re-exported: the names the routes and older callers import from here.
__all__ = [
    "ALGORITHM",
    "STAFF_ROLES",
    "Caller",
    "CallerDep",
    "PlayerDep",
    "PlayerRequest",
    "PlayerRequestDep",
    "ServicesDep",
    "decode_access_token",
    "get_caller",
    "get_player",
    "get_services",
    "issue_access_token",
]


async def get_services(request: Request) -> Services:
    """The request's services, made once per request (kept in its scope): every dependency
    that needs them calls this rather than depending on `ServicesDep`, so each is one leaf that
    FastAPI reads at import (once per route) and solves per request."""
    made: Services | None = request.scope.get(_SERVICES)
    if made is None:
        made = await _request_services(request)
        request.scope[_SERVICES] = made
    return made


_SERVICES = "casino.services"


async def _request_services(request: Request) -> Services:
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


async def authenticate(request: Request, services: Services) -> Caller:
    """The caller of the request's bearer token, once its login is known not to have ended,
    with a player's KYC status as it is now.

    After a logout or a refresh token's reuse the login's access tokens answer 401 at once, and
    a player whose verification is withdrawn is refused play at once (the token's `kyc` claim
    is only as of its issue). A player's WalletDO answers both (`wallet_do.logins`), so a
    round reads no D1; a login or a KYC status it was never told of (from before it kept them)
    and a staff member's login are one D1 read of a primary-key row and its player."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("A bearer access token is required")
    caller = decode_access_token(services, token.strip())
    if caller.role == "player":
        kyc = await _kyc_from_wallet(services, caller)
        if kyc is not None:
            return _with_kyc(caller, kyc)
    login = await login_families.state(services.db, caller.family_id)
    if login is None or login["revoked_at"] is not None:
        raise InvalidToken(ENDED)
    return _with_kyc(caller, str(login["kyc_status"] or "none"))


ENDED = "This login has ended; log in again"


async def _kyc_from_wallet(services: Services, caller: Caller) -> str | None:
    """The player's KYC status now from their WalletDO when it knows the login and the status
    (401 when it knows the login has ended); None: ask D1, which holds the same facts (every
    writer writes both), also when the WalletDO cannot be reached: authentication degrades to
    the one D1 read rather than answering 503."""
    wallet = WalletClient(services.wallets, caller.subject)
    try:
        answer = await wallet.login_state(caller.family_id)
    except Unavailable:
        return None
    body = answer.get("body") or {}
    if answer.get("status") != 200 or not body.get("known"):
        return None
    if body.get("ended"):
        raise InvalidToken(ENDED)
    kyc = body.get("kyc_status")
    return str(kyc) if kyc else None


def _with_kyc(caller: Caller, kyc_status: str) -> Caller:
    if caller.role == "player" and caller.home is not None:
        return replace(caller, kyc_status=kyc_status)
    return caller


async def get_caller(request: Request) -> Caller:
    return await authenticate(request, await get_services(request))


CallerDep = Annotated[Caller, Depends(get_caller)]


async def get_player(request: Request) -> Caller:
    """A player's caller (one dependency level, not two: this runs on every round)."""
    caller = await authenticate(request, await get_services(request))
    if caller.role != "player":
        raise Forbidden("This endpoint is for players")
    return caller


PlayerDep = Annotated[Caller, Depends(get_player)]


@dataclass(frozen=True)
class PlayerRequest:
    """A player's caller with the request's services, as one dependency: what the round's route
    takes (each dependency FastAPI solves costs the round CPU time)."""

    caller: Caller
    services: Services


async def get_player_request(request: Request) -> PlayerRequest:
    return PlayerRequest(await get_player(request), await get_services(request))


PlayerRequestDep = Annotated[PlayerRequest, Depends(get_player_request)]
# Staff endpoints take `Annotated[Caller, Depends(permissions.require(Permission.X))]`.

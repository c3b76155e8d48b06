"""Who may do what: the one table of staff permissions, and the dependency every operator route
uses to enforce it (and to audit the access with the role used).

    @router.get("/aml/alerts")
    async def alerts(staff: Annotated[Caller, Depends(require(Permission.AML_ALERTS))], ...):

A route that names no permission is a bug: a test walks every `/v1/ops` route and checks that
it depends on `require` exactly once, and another checks every role against every route.

No `from __future__ import annotations`: FastAPI reads each route's `require` dependency's
signature, and string annotations there would be evaluated (compiled) once per staff route.
"""

from collections.abc import Awaitable, Callable
from enum import StrEnum

from fastapi import Request

from casino.errors import Forbidden

from .audit import audit_entry
from .security import STAFF_ROLES, Caller, get_caller, get_services

KYC_REVIEWER, COMPLIANCE, OPERATOR, ADMIN = "kyc_reviewer", "compliance", "operator", "admin"


class Permission(StrEnum):
    KYC_QUEUE = "kyc.queue"  # the review queue with document metadata
    KYC_DECIDE = "kyc.decide"  # approve or reject a player's identity
    KYC_DOCUMENTS = "kyc.documents"  # download a document
    AML_ALERTS = "aml.alerts"  # read AML alerts and the events behind them
    AML_MANAGE = "aml.manage"  # move an alert through its lifecycle, report it
    REPORTS = "reports"  # regulatory reports
    GAMES = "games"  # game statistics and RTP history
    GAMES_CONFIGURE = "games.configure"  # set a game's RTP
    EXCLUSION_LIST = "exclusions.import"  # replace the national exclusion list
    OPERATOR_ALERTS = "operator.alerts"  # configuration and platform alerts
    WALLET_AUDIT = "wallet.audit"  # replay a player's ledger
    BONUSES = "bonuses"  # grant a bonus
    STAFF = "staff"  # create, list, change, reset staff accounts
    AUDIT_LOG = "audit.read"  # read the audit log of staff actions
    PROVIDERS = "providers"  # register external game providers, their games and secrets
    PLAYER_LOOKUP = "players.lookup"  # find a player by id, e-mail or CPF
    RG_ALERTS = "rg.alerts"  # read behavioural (responsible gaming) alerts


ALLOWED: dict[Permission, frozenset[str]] = {
    Permission.KYC_QUEUE: frozenset({KYC_REVIEWER, COMPLIANCE, ADMIN}),
    Permission.KYC_DECIDE: frozenset({KYC_REVIEWER, ADMIN}),
    Permission.KYC_DOCUMENTS: frozenset({KYC_REVIEWER, ADMIN}),
    Permission.AML_ALERTS: frozenset({COMPLIANCE, ADMIN}),
    Permission.AML_MANAGE: frozenset({COMPLIANCE, ADMIN}),
    Permission.REPORTS: frozenset({COMPLIANCE, ADMIN}),
    Permission.GAMES: frozenset({OPERATOR, ADMIN}),
    Permission.GAMES_CONFIGURE: frozenset({OPERATOR, ADMIN}),
    Permission.EXCLUSION_LIST: frozenset({OPERATOR, ADMIN}),
    Permission.OPERATOR_ALERTS: frozenset({OPERATOR, ADMIN}),
    Permission.WALLET_AUDIT: frozenset({COMPLIANCE, OPERATOR, ADMIN}),
    Permission.BONUSES: frozenset({ADMIN}),
    Permission.STAFF: frozenset({ADMIN}),
    Permission.AUDIT_LOG: frozenset({COMPLIANCE, ADMIN}),
    Permission.PROVIDERS: frozenset({OPERATOR, ADMIN}),
    Permission.PLAYER_LOOKUP: frozenset({KYC_REVIEWER, COMPLIANCE, OPERATOR, ADMIN}),
    Permission.RG_ALERTS: frozenset({COMPLIANCE, OPERATOR, ADMIN}),
}
assert set(ALLOWED) == set(Permission), "every permission names its roles"
assert all(roles <= STAFF_ROLES for roles in ALLOWED.values())


def allows(role: str, permission: Permission) -> bool:
    return role in ALLOWED[permission]


def require(permission: Permission) -> Callable[..., Awaitable[Caller]]:
    """A dependency: the caller, when their role holds `permission`; else 403 `forbidden`.
    Every staff request is written to the audit log, allowed or not, with the role used."""

    async def dependency(request: Request) -> Caller:
        caller = await get_caller(request)
        if caller.role not in STAFF_ROLES:
            raise Forbidden("This endpoint is for staff")
        allowed = allows(caller.role, permission)
        details = {"method": request.method, "permission": str(permission), "allowed": allowed}
        services = await get_services(request)
        await audit_entry(
            services, caller.subject, caller.role, "access" if allowed else "access.denied",
            request.url.path, details,
        ).run()  # fmt: skip
        if not allowed:
            raise Forbidden(f"The {caller.role} role may not do this ({permission})")
        return caller

    dependency.permission = permission  # type: ignore[attr-defined]
    return dependency

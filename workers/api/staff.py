"""Staff accounts: creation (with a TOTP factor handed over once), the list, role and status
changes, and the admin-driven reset of a password and second factor. Every change is audited
in the same D1 batch that makes it, and ends the member's logins where it changes their rights.
"""

from __future__ import annotations

import base64
from typing import Any

from casino.accounts import check_password_policy
from casino.errors import EmailTaken, NotFound, ValidationFailed
from casino.passwords import hash_password
from casino.timefmt import rfc3339
from infra.ports import ConstraintViolation

from . import mfa
from .accounts import email_taken, end_logins
from .audit import audit_entry
from .caller import STAFF_ROLES, Caller
from .services import Services
from .tables import staff as staff_table

# The actor of a command-line task on a local state (no staff member is logged in).
CLI_ACTOR = Caller("cli", "admin", "")


def _check_role(role: str) -> None:
    if role not in STAFF_ROLES:
        raise ValidationFailed(f"role must be one of {', '.join(sorted(STAFF_ROLES))}")


async def _hash(services: Services, password: str) -> str:
    return await hash_password(
        password, services.settings.password_pepper, services.entropy.token_bytes(16),
        services.pbkdf2,
    )  # fmt: skip


async def create_staff(
    services: Services, actor: Caller, email: str, password: str, role: str
) -> dict[str, Any]:
    """A staff account with its TOTP factor active at once: the answer carries the otpauth URI
    and the recovery codes, shown this once."""
    email = email.strip().lower()
    _check_role(role)
    check_password_policy(password, email)
    if await email_taken(services, email):
        raise EmailTaken("A player or staff account already has this email")
    staff_id = services.new_id()
    now = rfc3339(services.clock.now())
    try:
        password_hash = await _hash(services, password)
        await services.db.batch(
            [
                staff_table.insert(
                    services.db, staff_id, email, password_hash, role, now, actor.subject
                ),
                audit_entry(
                    services,
                    actor.subject,
                    actor.role,
                    "staff.created",
                    staff_id,
                    {"email": email, "role": role},
                    now,
                ),  # fmt: skip
            ]
        )
    except ConstraintViolation as exc:  # a concurrent registration or creation won the race
        raise EmailTaken("A player or staff account already has this email") from exc
    factor = await mfa.enroll(services, staff_id, email, active=True)
    return {
        "staff_id": staff_id,
        "email": email,
        "role": role,
        "otpauth_uri": factor["otpauth_uri"],
        "recovery_codes": factor["recovery_codes"],
    }


async def list_staff(services: Services) -> list[dict[str, Any]]:
    return await staff_table.listing(services.db)


async def _load(services: Services, staff_id: str) -> dict[str, Any]:
    row = await staff_table.member(services.db, staff_id)
    if row is None:
        raise NotFound("No such staff member")
    return row


async def update_staff(
    services: Services, actor: Caller, staff_id: str, role: str | None, status: str | None
) -> dict[str, Any]:
    """Change a member's role or status; their logins end (their tokens carry the old role)."""
    current = await _load(services, staff_id)
    if role is not None:
        _check_role(role)
    if status is not None and status not in ("active", "disabled"):
        raise ValidationFailed("status must be active or disabled")
    if staff_id == actor.subject:
        raise ValidationFailed("Staff members cannot change their own role or status")
    new_role, new_status = role or current["role"], status or current["status"]
    now = rfc3339(services.clock.now())
    await services.db.batch(
        [
            staff_table.set_role_and_status(services.db, staff_id, new_role, new_status),
            *end_logins(services, staff_id, "staff_updated", now),
            audit_entry(
                services,
                actor.subject,
                actor.role,
                "staff.updated",
                staff_id,
                {
                    "from": {"role": current["role"], "status": current["status"]},
                    "to": {"role": new_role, "status": new_status},
                },
                now,
            ),  # fmt: skip
        ]
    )
    return {**current, "role": new_role, "status": new_status}


def _temporary_password(services: Services) -> str:
    """Four groups of base32 (80 bits), with a digit as the policy asks."""
    while True:
        text = base64.b32encode(services.entropy.token_bytes(10)).decode("ascii").lower()
        candidate = "-".join(text[i : i + 4] for i in range(0, 16, 4))
        if any(c.isdigit() for c in candidate) and any(c.isalpha() for c in candidate):
            return candidate


async def reset_staff(
    services: Services, actor: Caller, staff_id: str, reset_mfa: bool
) -> dict[str, Any]:
    """An admin-driven reset: a temporary password (and, when asked, a new TOTP secret and
    recovery codes), every login of the member ended. The answer is shown this once."""
    current = await _load(services, staff_id)
    if staff_id == actor.subject:
        raise ValidationFailed("Change your own password with POST /v1/auth/password")
    password = _temporary_password(services)
    now = rfc3339(services.clock.now())
    await services.db.batch(
        [
            staff_table.reset_password(services.db, staff_id, await _hash(services, password), now),
            *end_logins(services, staff_id, "password_reset", now),
            audit_entry(
                services,
                actor.subject,
                actor.role,
                "staff.reset",
                staff_id,
                {"reset_mfa": reset_mfa},
                now,
            ),  # fmt: skip
        ]
    )
    answer: dict[str, Any] = {"staff_id": staff_id, "temporary_password": password}
    if reset_mfa or await mfa.factor_status(services, staff_id) != "active":
        factor = await mfa.enroll(services, staff_id, current["email"], active=True)
        answer |= {
            "otpauth_uri": factor["otpauth_uri"],
            "recovery_codes": factor["recovery_codes"],
        }
    return answer

"""Second factors: TOTP (RFC 6238 through `pyotp`: SHA-1, 30-second steps, 6 digits) with the
secret sealed at rest, and single-use recovery codes.

A code is accepted in the step it belongs to or one step either side (clock drift), and never
twice: accepting it moves the factor's `last_step` forward in one conditional UPDATE, so of two
parallel logins with the same code only one gets through (RFC 6238 section 5.2).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import pyotp

from casino.errors import MfaAlreadyEnabled, MfaNotPending
from casino.sealed import seal, unseal
from casino.timefmt import rfc3339

from .services import Services
from .tables import mfa_totp, recovery_codes

ISSUER = "AcmeToCasino"
STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1
SECRET_BYTES = 20  # 160 bits, RFC 4226's recommendation
RECOVERY_CODES = 10
PURPOSE = "totp-secret"


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)


def new_secret(services: Services) -> str:
    return base64.b32encode(services.entropy.token_bytes(SECRET_BYTES)).decode("ascii")


def otpauth_uri(secret: str, account: str) -> str:
    return _totp(secret).provisioning_uri(name=account, issuer_name=ISSUER)


def _normalize_code(code: str) -> str:
    return "".join(c for c in code.lower() if c.isalnum())


def _code_hash(services: Services, code: str) -> str:
    material = b"recovery-code:" + _normalize_code(code).encode()
    return hmac.new(services.settings.password_pepper, material, hashlib.sha256).hexdigest()


def _new_recovery_code(services: Services) -> str:
    text = base64.b32encode(services.entropy.token_bytes(10)).decode("ascii").lower()
    return f"{text[:5]}-{text[5:10]}-{text[10:16]}"


async def enroll(services: Services, subject: str, account: str, *, active: bool) -> dict[str, Any]:
    """A new TOTP secret for `subject` (replacing any), with fresh recovery codes when active.
    Staff factors are active at once (the secret is handed over once, by the CLI or an admin);
    a player's waits for a first code (`confirm`)."""
    secret = new_secret(services)
    now = rfc3339(services.clock.now())
    sealed = await seal(
        secret.encode(), services.settings.mfa_key, PURPOSE, services.entropy.token_bytes(12),
        services.aead,
    )  # fmt: skip
    statements = [
        mfa_totp.put(
            services.db,
            subject,
            sealed,
            "active" if active else "pending",
            now,
            now if active else None,
        )  # fmt: skip
    ]
    codes: list[str] = []
    if active:
        codes, replace = _recovery_statements(services, subject, now)
        statements += replace
    await services.db.batch(statements)
    return {"otpauth_uri": otpauth_uri(secret, account), "secret": secret, "recovery_codes": codes}


def _recovery_statements(services: Services, subject: str, now: str) -> tuple[list[str], list[Any]]:
    codes = [_new_recovery_code(services) for _ in range(RECOVERY_CODES)]
    statements = [
        recovery_codes.delete(services.db, subject),
        *(
            recovery_codes.insert(services.db, subject, _code_hash(services, code), now)
            for code in codes
        ),
    ]
    return codes, statements


async def factor_status(services: Services, subject: str) -> str | None:
    row = await mfa_totp.status(services.db, subject)
    return None if row is None else str(row["status"])


async def _matching_step(services: Services, subject: str, code: str, status: str) -> int | None:
    row = await mfa_totp.secret(services.db, subject, status)
    code = code.strip()
    if row is None or len(code) != DIGITS or not code.isdigit():
        return None
    try:
        secret = (
            await unseal(row["secret_enc"], services.settings.mfa_key, PURPOSE, services.aead)
        ).decode("ascii")
    except ValueError:
        return None  # sealed under another key: the factor must be reset
    totp = _totp(secret)
    now_step = int(services.clock.now().timestamp()) // STEP_SECONDS
    for step in range(now_step + DRIFT_STEPS, now_step - DRIFT_STEPS - 1, -1):
        if step > int(row["last_step"]) and hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


async def _claim_step(services: Services, subject: str, step: int) -> bool:
    changed = await mfa_totp.claim_step(services.db, subject, step)
    return changed == 1


async def verify_totp(services: Services, subject: str, code: str) -> bool:
    """True once for a right code of the active factor; a replayed code is False."""
    step = await _matching_step(services, subject, code, "active")
    return step is not None and await _claim_step(services, subject, step)


async def use_recovery_code(services: Services, subject: str, code: str) -> bool:
    changed = await recovery_codes.use(
        services.db, rfc3339(services.clock.now()), subject, _code_hash(services, code)
    )
    return changed == 1


async def start_player_enrollment(services: Services, subject: str, email: str) -> dict[str, Any]:
    if await factor_status(services, subject) == "active":
        raise MfaAlreadyEnabled("Two-step login is already on; turn it off first to re-enrol")
    enrolled = await enroll(services, subject, email, active=False)
    return {"otpauth_uri": enrolled["otpauth_uri"], "secret": enrolled["secret"]}


async def confirm_enrollment(services: Services, subject: str, code: str) -> list[str] | None:
    """Activate a pending factor with its first code; its recovery codes, or None for a wrong
    code."""
    if await factor_status(services, subject) != "pending":
        raise MfaNotPending("Start the enrolment first (POST /v1/auth/mfa/totp)")
    step = await _matching_step(services, subject, code, "pending")
    if step is None:
        return None
    now = rfc3339(services.clock.now())
    codes, statements = _recovery_statements(services, subject, now)
    await services.db.batch(
        [
            mfa_totp.activate(services.db, subject, now, step),
            *statements,
        ]
    )
    return codes


async def remove(services: Services, subject: str) -> None:
    await services.db.batch(
        [
            mfa_totp.delete(services.db, subject),
            recovery_codes.delete(services.db, subject),
        ]
    )

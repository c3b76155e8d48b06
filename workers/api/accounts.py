"""Accounts application: registration, login with throttling, refresh-token rotation, logout."""

from __future__ import annotations

import base64
import hashlib
import math
from datetime import datetime, timedelta
from typing import Any

from casino.accounts import Registration, validate_registration
from casino.errors import (
    CpfTaken,
    EmailTaken,
    InvalidCredentials,
    InvalidToken,
    RateLimited,
    RefreshTokenReused,
)
from casino.jurisdictions import Jurisdiction
from casino.national_list import list_hash
from casino.passwords import hash_password, verify_password
from casino.timefmt import parse_rfc3339, rfc3339
from infra.ports import ConstraintViolation

from . import messages, responsible
from .audit import audit_entry
from .security import issue_access_token
from .services import Services

FAILURE_WINDOW_MS = 15 * 60 * 1000
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 300  # behind one NAT or proxy many players share an address


iso = rfc3339


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def register(services: Services, reg: Registration, limits: Any = None) -> str:
    """A new player: the rules of the jurisdiction (the network's or deployment's, else the
    declared country's), its limits in the player's WalletDO first, then the row in D1, so a
    failure in between leaves nothing a retry would collide with."""
    now = services.clock.now()
    profile = services.profile(reg.country)
    valid = validate_registration(reg, profile, now.date())
    changes = responsible.initial_changes(profile, limits)
    if await services.db.prepare("SELECT 1 FROM players WHERE email = ?").bind(valid.email).first():
        raise EmailTaken("An account with this email already exists")
    if valid.cpf:
        await _claim_cpf(services, valid.cpf, profile, now)
    password_hash = await hash_password(
        valid.password,
        services.settings.password_pepper,
        services.entropy.token_bytes(16),
        services.pbkdf2,
    )
    player_id = services.new_id()
    # The wallet first: a player never exists in D1 without the limits they chose.
    await responsible.apply_initial_limits(services, player_id, profile, changes)
    try:
        await (
            services.db.prepare(
                "INSERT INTO players (player_id, email, password_hash, full_name, birth_date, "
                "country, cpf, jurisdiction, created_at, cpf_list_hash) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            )
            .bind(
                player_id,
                valid.email,
                password_hash,
                valid.full_name,
                valid.birth_date.isoformat(),
                valid.country,
                valid.cpf,
                profile.code,
                iso(now),
                list_hash(valid.cpf, services.settings.exclusion_key) if valid.cpf else None,
            )
            .run()
        )
    except ConstraintViolation as exc:  # a concurrent registration won the race
        if "cpf" in str(exc):
            raise CpfTaken("An account with this CPF already exists") from exc
        raise EmailTaken("An account with this email already exists") from exc
    return player_id


CPF_ATTEMPT_SUBJECT = "Tentativa de cadastro com o seu CPF / A sign-up tried your CPF"
CPF_ATTEMPT_TEXT = (
    "Alguém tentou abrir uma conta com o seu CPF. Se não foi você, nada muda: conclua a "
    "verificação de identidade (KYC) para garantir que o CPF fique com a sua conta.\n\n"
    "Someone tried to open an account with your CPF. If it was not you, nothing changes: "
    "complete the identity verification (KYC) so the CPF stays with your account."
)
CPF_RELEASED_TEXT = (
    "O CPF desta conta foi cadastrado por outra pessoa depois de {days} dias sem verificação de "
    "identidade; esta conta foi encerrada sem movimentação.\n\nThe CPF of this account was "
    "registered by someone else after {days} days without identity verification; this account, "
    "which never moved money, is closed."
)


async def _claim_cpf(services: Services, cpf: str, profile: Jurisdiction, now: datetime) -> None:
    """One account per CPF, but an unverified account cannot hold someone else's CPF forever:
    once it is older than the profile's claim period, never verified nor in review and has never
    moved money, the CPF goes to the new sign-up and the old account is closed. Otherwise the
    sign-up is 409 `cpf_taken` and the holder is told by e-mail."""
    holder = (
        await services.db.prepare(
            "SELECT p.player_id, p.email, p.kyc_status, p.created_at, "
            "(SELECT count(*) FROM wallet_events w WHERE w.player_id = p.player_id) AS events "
            "FROM players p WHERE p.cpf = ?"
        )
        .bind(cpf)
        .first()
    )
    if holder is None:
        return
    days = profile.unverified_cpf_claim_days
    lapsed = (
        days > 0
        and holder["kyc_status"] in ("none", "rejected")
        and holder["events"] == 0
        and parse_rfc3339(holder["created_at"]) <= now - timedelta(days=days)
    )
    if lapsed:
        text = CPF_RELEASED_TEXT.format(days=days)
        await services.db.batch(
            [
                services.db.prepare(
                    "UPDATE players SET cpf = NULL, cpf_list_hash = NULL, "
                    "account_status = 'closed' WHERE player_id = ?"
                ).bind(holder["player_id"]),
                messages.email(
                    services,
                    holder["email"],
                    "cpf_released",
                    CPF_ATTEMPT_SUBJECT,
                    text,
                    holder["player_id"],
                ),  # fmt: skip
                audit_entry(
                    services,
                    "system",
                    "system",
                    "account.cpf_released",
                    holder["player_id"],
                    {"reason": "unverified_claim_lapsed", "days": days},
                    iso(now),
                ),  # fmt: skip
            ]
        )
        return
    recent = await services.db.prepare(
        "SELECT 1 FROM outbound_messages WHERE player_id = ? AND kind = 'cpf_attempt' "
        "AND created_at > ?"
    ).bind(holder["player_id"], iso(now - timedelta(days=1))).first()  # fmt: skip
    if recent is None:
        await messages.email(
            services, holder["email"], "cpf_attempt", CPF_ATTEMPT_SUBJECT, CPF_ATTEMPT_TEXT,
            holder["player_id"],
        ).run()  # fmt: skip
    raise CpfTaken("An account with this CPF already exists")


async def _recent_failures(services: Services, bucket: str, now_ms: int) -> list[int]:
    rows = (
        await services.db.prepare(
            "SELECT at_ms FROM login_failures WHERE bucket = ? AND at_ms > ? ORDER BY at_ms"
        )
        .bind(bucket, now_ms - FAILURE_WINDOW_MS)
        .all()
    )
    return [int(r["at_ms"]) for r in rows]


async def _check_throttle(services: Services, buckets: dict[str, int], now_ms: int) -> None:
    for bucket, limit in buckets.items():
        failures = await _recent_failures(services, bucket, now_ms)
        if len(failures) >= limit:
            unlock_ms = failures[-limit] + FAILURE_WINDOW_MS
            retry_after = max(1, math.ceil((unlock_ms - now_ms) / 1000))
            raise RateLimited(
                "Too many failed login attempts; try again later", retry_after=retry_after
            )


async def _record_failure(services: Services, buckets: list[str], now_ms: int) -> None:
    statements = [
        services.db.prepare("INSERT INTO login_failures (bucket, at_ms) VALUES (?, ?)").bind(
            bucket, now_ms
        )
        for bucket in buckets
    ]
    statements.append(
        services.db.prepare("DELETE FROM login_failures WHERE at_ms <= ?").bind(
            now_ms - FAILURE_WINDOW_MS
        )
    )
    await services.db.batch(statements)


async def _find_account(services: Services, email: str) -> dict[str, Any] | None:
    player = (
        await services.db.prepare(
            "SELECT player_id AS subject, password_hash, 'player' AS role FROM players WHERE email = ?"
        )
        .bind(email)
        .first()
    )
    if player is not None:
        return player
    return (
        await services.db.prepare(
            "SELECT staff_id AS subject, password_hash, role FROM staff WHERE email = ?"
        )
        .bind(email)
        .first()
    )


_DUMMY_HASH = (
    "pbkdf2_sha256$100000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
)


async def login(services: Services, email: str, password: str, address: str) -> dict[str, Any]:
    now = services.clock.now()
    now_ms = int(now.timestamp() * 1000)
    email = email.strip().lower()
    account_bucket = "account:" + hashlib.sha256(email.encode()).hexdigest()
    address_bucket = "address:" + address
    await _check_throttle(
        services,
        {account_bucket: MAX_FAILURES_PER_ACCOUNT, address_bucket: MAX_FAILURES_PER_ADDRESS},
        now_ms,
    )
    account = await _find_account(services, email)
    # An unknown email costs the same hash as a wrong password: same answer, same time.
    stored = account["password_hash"] if account else _DUMMY_HASH
    ok = await verify_password(password, stored, services.settings.password_pepper, services.pbkdf2)
    if account is None or not ok:
        await _record_failure(services, [account_bucket, address_bucket], now_ms)
        raise InvalidCredentials("Invalid email or password")
    await (
        services.db.prepare("DELETE FROM login_failures WHERE bucket = ?")
        .bind(account_bucket)
        .run()
    )
    family_id = services.new_id()
    await (
        services.db.prepare(
            "INSERT INTO login_families (family_id, subject, role, created_at) VALUES (?, ?, ?, ?)"
        )
        .bind(family_id, account["subject"], account["role"], iso(now))
        .run()
    )
    return await _issue_pair(services, account["subject"], account["role"], family_id, now)


async def _issue_pair(
    services: Services, subject: str, role: str, family_id: str, now: datetime
) -> dict[str, Any]:
    refresh = base64.urlsafe_b64encode(services.entropy.token_bytes(32)).decode().rstrip("=")
    expires = now + timedelta(days=services.settings.refresh_token_days)
    await (
        services.db.prepare(
            "INSERT INTO refresh_tokens (token_hash, family_id, status, created_at, expires_at) "
            "VALUES (?, ?, 'active', ?, ?)"
        )
        .bind(_token_hash(refresh), family_id, iso(now), iso(expires))
        .run()
    )
    return {
        "access_token": issue_access_token(services, subject, role, family_id, now),
        "refresh_token": refresh,
        "token_type": "bearer",
        "expires_in": services.settings.access_token_minutes * 60,
        "subject": subject,
        "role": role,
    }


async def _revoke_family(services: Services, family_id: str, why: str) -> None:
    now = iso(services.clock.now())
    await services.db.batch(
        [
            services.db.prepare(
                "UPDATE login_families SET revoked_at = ?, revoked_why = ? "
                "WHERE family_id = ? AND revoked_at IS NULL"
            ).bind(now, why, family_id),
            services.db.prepare(
                "UPDATE refresh_tokens SET status = 'revoked' "
                "WHERE family_id = ? AND status = 'active'"
            ).bind(family_id),
        ]
    )


async def refresh(services: Services, token: str) -> dict[str, Any]:
    now = services.clock.now()
    row = (
        await services.db.prepare(
            "SELECT t.family_id, t.status, t.expires_at, f.subject, f.role, f.revoked_at "
            "FROM refresh_tokens t JOIN login_families f ON f.family_id = t.family_id "
            "WHERE t.token_hash = ?"
        )
        .bind(_token_hash(token))
        .first()
    )
    if row is None or row["revoked_at"] is not None and row["status"] != "used":
        raise InvalidToken("The refresh token is invalid")
    if row["status"] == "used":
        await _revoke_family(services, row["family_id"], "refresh_token_reused")
        raise RefreshTokenReused("This refresh token was already used; the login is revoked")
    if row["expires_at"] <= iso(now):
        raise InvalidToken("The refresh token has expired")
    # Claim the token with a conditional update: of two concurrent refreshes, one wins and the
    # other is treated as a reuse.
    changed = (
        await services.db.prepare(
            "UPDATE refresh_tokens SET status = 'used' WHERE token_hash = ? AND status = 'active'"
        )
        .bind(_token_hash(token))
        .run()
    )
    if changed != 1:
        await _revoke_family(services, row["family_id"], "refresh_token_reused")
        raise RefreshTokenReused("This refresh token was already used; the login is revoked")
    return await _issue_pair(services, row["subject"], row["role"], row["family_id"], now)


async def logout(services: Services, token: str) -> None:
    row = (
        await services.db.prepare("SELECT family_id FROM refresh_tokens WHERE token_hash = ?")
        .bind(_token_hash(token))
        .first()
    )
    if row is not None:
        await _revoke_family(services, row["family_id"], "logout")


async def create_staff(services: Services, email: str, password: str, role: str) -> str:
    """A staff account (operator or admin); the password policy applies to staff too."""
    from casino.accounts import check_password_policy

    email = email.strip().lower()
    check_password_policy(password, email)
    password_hash = await hash_password(
        password,
        services.settings.password_pepper,
        services.entropy.token_bytes(16),
        services.pbkdf2,
    )
    staff_id = services.new_id()
    try:
        await (
            services.db.prepare(
                "INSERT INTO staff (staff_id, email, password_hash, role, created_at) "
                "VALUES (?, ?, ?, ?, ?)"
            )
            .bind(staff_id, email, password_hash, role, iso(services.clock.now()))
            .run()
        )
    except ConstraintViolation as exc:
        raise EmailTaken("A staff account with this email already exists") from exc
    return staff_id

"""Accounts application: registration, login (throttled, with a second factor for staff and for
players who turned it on), password change, refresh-token rotation, logout.

Staff and players are separate identities: an e-mail belongs to one of them (the API refuses a
player registration with a staff e-mail, and D1 triggers refuse it whatever writes it), and login
looks for a staff account first, so no player row can ever shadow a staff member's.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from casino.accounts import Registration, check_password_policy, validate_registration
from casino.errors import (
    CpfTaken,
    EmailTaken,
    InvalidCredentials,
    InvalidOtp,
    InvalidToken,
    MfaRequired,
    RateLimited,
    RefreshTokenReused,
    WeakPassword,
)
from casino.jurisdictions import Jurisdiction
from casino.national_list import list_hash
from casino.passwords import hash_password, verify_password
from casino.throttle import ACCOUNT_LOGIN, ADDRESS_LOGIN, ADDRESS_REGISTRATION
from casino.timefmt import parse_rfc3339, rfc3339
from infra.ports import ConstraintViolation
from wallet_do.client import WalletClient

from . import messages, mfa, players, responsible, throttle
from .audit import audit_entry
from .caller import STAFF_ROLES, Caller
from .services import Services
from .tables import login_families, outbound_messages, refresh_tokens
from .tables import players as players_table
from .tables import staff as staff_table
from .tokens import issue_access_token, standing_claims

iso = rfc3339


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def charge_registration(services: Services, address: str) -> None:
    """Registrations are throttled per client address (loopback exempt on the local runtime)."""
    if throttle.exempt_address(services, address):
        return
    now_ms = int(services.clock.now().timestamp() * 1000)
    name = throttle.bucket(ADDRESS_REGISTRATION, address)
    await throttle.charge(services, ADDRESS_REGISTRATION, name, now_ms)


async def email_taken(services: Services, email: str) -> bool:
    """Whether a player or a staff member already has this e-mail."""
    row = await players_table.email_taken(services.db, email)
    return bool(row and row["taken"])


async def register(
    services: Services,
    reg: Registration,
    limits: Any = None,
    extras: dict[str, Any] | None = None,
) -> str:
    """A new player: the rules of the jurisdiction (the network's or deployment's, else the
    declared country's), its limits in the player's WalletDO first, then the row in D1, so a
    failure in between leaves nothing a retry would collide with. An e-mail of a player or of a
    staff member is taken."""
    now = services.clock.now()
    profile = services.profile(reg.country)
    valid = validate_registration(reg, profile, now.date())
    changes = responsible.initial_changes(profile, limits)
    columns = _extra_columns(extras or {}, valid.cpf)
    if await email_taken(services, valid.email):
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
        await _insert_player(services, player_id, valid, password_hash, profile.code, columns, now)
    except ConstraintViolation as exc:  # a concurrent registration won the race
        if "cpf" in str(exc):
            raise CpfTaken("An account with this CPF already exists") from exc
        raise EmailTaken("An account with this email already exists") from exc
    return player_id


def _extra_columns(extras: dict[str, Any], cpf: str | None) -> dict[str, Any]:
    """The optional profile columns of a registration, and the sign-up address."""
    columns = players.profile_columns(extras, cpf)
    if extras.get("signup_ip"):
        columns["signup_ip"] = extras["signup_ip"]
    return columns


async def _insert_player(
    services: Services,
    player_id: str,
    valid: Registration,
    password_hash: str,
    jurisdiction: str,
    columns: dict[str, Any],
    now: datetime,
) -> None:
    cpf_hash = list_hash(valid.cpf, services.settings.exclusion_key) if valid.cpf else None
    values = (
        player_id,
        valid.email,
        password_hash,
        valid.full_name,
        valid.birth_date.isoformat(),
        valid.country,
        valid.cpf,
        jurisdiction,
        iso(now),
        cpf_hash,
    )  # fmt: skip
    await players_table.insert(services.db, values, columns)


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
    holder = await players_table.cpf_holder(services.db, cpf)
    if holder is None:
        return
    days = profile.unverified_cpf_claim_days
    if _claim_lapsed(holder, days, now):
        await _release_cpf(services, holder, days, now)
        return
    await _tell_cpf_holder(services, holder, now)
    raise CpfTaken("An account with this CPF already exists")


def _claim_lapsed(holder: dict[str, Any], days: int, now: datetime) -> bool:
    """Whether the holder's claim on the CPF has lapsed (see `_claim_cpf`)."""
    return (
        days > 0
        and holder["kyc_status"] in ("none", "rejected")
        and holder["events"] == 0
        and parse_rfc3339(holder["created_at"]) <= now - timedelta(days=days)
    )


async def _release_cpf(
    services: Services, holder: dict[str, Any], days: int, now: datetime
) -> None:
    """Close the lapsed holder's account, free its CPF, tell its owner and audit it."""
    text = CPF_RELEASED_TEXT.format(days=days)
    await services.db.batch(
        [
            players_table.release_cpf(services.db, holder["player_id"]),
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


async def _tell_cpf_holder(services: Services, holder: dict[str, Any], now: datetime) -> None:
    """E-mail the CPF's holder about the attempt, at most once a day."""
    since = iso(now - timedelta(days=1))
    recent = await outbound_messages.cpf_attempt_since(services.db, holder["player_id"], since)
    if recent is None:
        await messages.email(
            services, holder["email"], "cpf_attempt", CPF_ATTEMPT_SUBJECT, CPF_ATTEMPT_TEXT,
            holder["player_id"],
        ).run()  # fmt: skip


async def _find_account(services: Services, email: str) -> dict[str, Any] | None:
    """Staff first: a staff member's e-mail can never be shadowed by a player's row."""
    staff = await staff_table.for_login(services.db, email)
    if staff is not None:
        return staff
    return await players_table.for_login(services.db, email)


_DUMMY_HASH = (
    "pbkdf2_sha256$100000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
)


class _Charges:
    """The throttle buckets one login attempt was charged to."""

    def __init__(self, services: Services, email: str, address: str, now_ms: int) -> None:
        self.services, self.now_ms = services, now_ms
        self.account = throttle.bucket(ACCOUNT_LOGIN, email)
        exempt = throttle.exempt_address(services, address)
        self.address = None if exempt else throttle.bucket(ADDRESS_LOGIN, address)

    async def charge(self) -> None:
        """Per account first (its back-off protects the owner's password), then per address."""
        await throttle.charge(self.services, ACCOUNT_LOGIN, self.account, self.now_ms)
        if self.address is None:
            return
        try:
            await throttle.charge(self.services, ADDRESS_LOGIN, self.address, self.now_ms)
        except RateLimited:
            await throttle.refund(self.services, self.account)
            raise

    async def refund(self) -> None:
        await throttle.refund(self.services, self.account)
        if self.address is not None:
            await throttle.refund(self.services, self.address)

    async def succeeded(self) -> None:
        await throttle.reset(self.services, self.account, self.now_ms)
        if self.address is not None:
            await throttle.refund(self.services, self.address)


async def _second_factor(
    services: Services,
    account: dict[str, Any],
    otp: str | None,
    recovery_code: str | None,
    charges: _Charges,
) -> None:
    """Staff always, players who turned it on: a TOTP code or an unused recovery code."""
    subject, staff = account["subject"], account["role"] in STAFF_ROLES
    status = await mfa.factor_status(services, subject)
    if status != "active" and not staff:
        return
    if not otp and not recovery_code:
        # The password was right: asking for the code is not a failed attempt.
        await charges.refund()
        detail = "Enter the 6-digit code from your authenticator app (field `otp`)"
        if status != "active":
            detail = "This staff account has no second factor yet; ask an admin to reset it"
        raise MfaRequired(detail)
    if otp and await mfa.verify_totp(services, subject, otp):
        return
    if recovery_code and await mfa.use_recovery_code(services, subject, recovery_code):
        return
    raise InvalidOtp("The code is wrong, expired or already used; wait for the next code")


async def login(
    services: Services,
    email: str,
    password: str,
    address: str,
    otp: str | None = None,
    recovery_code: str | None = None,
) -> dict[str, Any]:
    """Every attempt is charged to the throttle before its password is hashed, so a burst of
    parallel guesses gets no more evaluations than the back-off allows; a charged attempt whose
    password was right is refunded, a successful login forgets the account's failures."""
    now = services.clock.now()
    email = email.strip().lower()
    charges = _Charges(services, email, address, int(now.timestamp() * 1000))
    await charges.charge()
    account = await _find_account(services, email)
    # An unknown email costs the same hash as a wrong password: same answer, same time.
    stored = account["password_hash"] if account else _DUMMY_HASH
    ok = await verify_password(password, stored, services.settings.password_pepper, services.pbkdf2)
    if account is None or not ok or account["status"] != "active":
        raise InvalidCredentials("Invalid email or password")
    await _second_factor(services, account, otp, recovery_code, charges)
    await charges.succeeded()
    family_id = services.new_id()
    await _start_in_wallet(services, account, family_id, now)
    await services.db.batch(_login_statements(services, account, family_id, otp, now))
    return await _issue_pair(
        services, account["subject"], account["role"], family_id, now, standing_claims(account)
    )


def _login_statements(
    services: Services, account: dict[str, Any], family_id: str, otp: str | None, now: datetime
) -> list[Any]:
    """The new login family, and for staff the audit entry of the login."""
    subject, role = account["subject"], account["role"]
    statements = [login_families.insert(services.db, family_id, subject, role, iso(now))]
    if role in STAFF_ROLES:
        method = "totp" if otp else "recovery_code"
        statements.append(
            audit_entry(
                services,
                subject,
                role,
                "auth.login",
                subject,
                {"second_factor": method, "login": family_id},
                iso(now),
            )  # fmt: skip
        )
    return statements


async def change_password(
    services: Services, caller: Caller, current_password: str, new_password: str
) -> None:
    """Check the current password (throttled like a login of the account), set the new one, and
    end every other login of the account (this one goes on)."""
    now = services.clock.now()
    table = staff_table if caller.role in STAFF_ROLES else players_table
    row = await table.credentials(services.db, caller.subject)
    if row is None:
        raise InvalidToken("This login has ended; log in again")
    await _check_current_password(services, row, current_password, now)
    check_password_policy(new_password, row["email"])
    if new_password == current_password:
        raise WeakPassword("The new password must differ from the current one")
    password_hash = await hash_password(
        new_password, services.settings.password_pepper, services.entropy.token_bytes(16),
        services.pbkdf2,
    )  # fmt: skip
    ending = (services, caller.subject, "password_changed", iso(now), caller.family_id)
    staff = table is staff_table
    ended = end_logins(*ending) if staff else await _end_player_logins(*ending)
    statements = [table.set_password_hash(services.db, caller.subject, password_hash), *ended]
    if staff:
        statements += _staff_password_statements(services, caller, now)
    await services.db.batch(statements)


async def _check_current_password(
    services: Services, row: dict[str, Any], password: str, now: datetime
) -> None:
    """The account's current password, throttled like a login of the account."""
    account_bucket = throttle.bucket(ACCOUNT_LOGIN, row["email"])
    now_ms = int(now.timestamp() * 1000)
    await throttle.charge(services, ACCOUNT_LOGIN, account_bucket, now_ms)
    pepper = services.settings.password_pepper
    if not await verify_password(password, row["password_hash"], pepper, services.pbkdf2):
        raise InvalidCredentials("The current password is wrong")
    await throttle.reset(services, account_bucket, now_ms)


def _staff_password_statements(services: Services, caller: Caller, now: datetime) -> list[Any]:
    return [
        staff_table.set_password_changed_at(services.db, caller.subject, iso(now)),
        audit_entry(
            services,
            caller.subject,
            caller.role,
            "auth.password_changed",
            caller.subject,
            {},
            iso(now),
        ),  # fmt: skip
    ]


def end_logins(services: Services, subject: str, why: str, at: str, keep: str = "") -> list[Any]:
    """Statements revoking every login of `subject` but `keep`: its refresh tokens, and (through
    the revoked family) its access tokens."""
    return [
        refresh_tokens.revoke_other_logins(services.db, subject, keep),
        login_families.revoke_others(services.db, subject, keep, at, why),
    ]


async def _start_in_wallet(
    services: Services, login: dict[str, Any], family_id: str, now: datetime
) -> None:
    """A player's login (or its refresh) recorded as started in their WalletDO, which answers
    whether it has ended on every request (`security.authenticate`); staff logins are D1's."""
    if login["role"] == "player":
        until = iso(now + timedelta(days=services.settings.refresh_token_days))
        await WalletClient(services.wallets, login["subject"]).start_login(
            family_id, iso(now), until
        )


ENDED_AT_ONCE = 500  # logins ended by one WalletDO command (it takes up to 1,000)


async def _end_player_logins(
    services: Services, player_id: str, why: str, at: str, keep: str
) -> list[Any]:
    """A player's logins but `keep` ended in their WalletDO first (a crash before D1's write
    leaves it stricter than D1, never laxer), and the statements ending in D1 exactly those: a
    login started meanwhile is left open in both."""
    rows = await login_families.open_others(services.db, player_id, keep)
    families = [str(r["family_id"]) for r in rows]
    wallet = WalletClient(services.wallets, player_id)
    for start in range(0, len(families), ENDED_AT_ONCE):
        await wallet.end_logins(families[start : start + ENDED_AT_ONCE], why)
    listed = json.dumps(families)
    return [
        refresh_tokens.revoke_families(services.db, listed),
        login_families.revoke_listed(services.db, listed, at, why),
    ]


async def _issue_pair(
    services: Services,
    subject: str,
    role: str,
    family_id: str,
    now: datetime,
    standing: dict[str, str] | None = None,
) -> dict[str, Any]:
    refresh = base64.urlsafe_b64encode(services.entropy.token_bytes(32)).decode().rstrip("=")
    expires = now + timedelta(days=services.settings.refresh_token_days)
    await refresh_tokens.insert(
        services.db, _token_hash(refresh), family_id, iso(now), iso(expires)
    )
    return {
        "access_token": issue_access_token(services, subject, role, family_id, now, standing),
        "refresh_token": refresh,
        "token_type": "bearer",
        "expires_in": services.settings.access_token_minutes * 60,
        "subject": subject,
        "role": role,
    }


async def _revoke_family(services: Services, login: dict[str, Any], why: str) -> None:
    """End one login: in the player's WalletDO first (a crash before D1's write leaves it
    stricter than D1, never laxer), then in D1."""
    now, family_id = iso(services.clock.now()), login["family_id"]
    if login["role"] == "player":
        await WalletClient(services.wallets, login["subject"]).end_logins([family_id], why)
    await services.db.batch(
        [
            login_families.revoke(services.db, family_id, now, why),
            refresh_tokens.revoke_family(services.db, family_id),
        ]
    )


async def refresh(services: Services, token: str) -> dict[str, Any]:
    now = services.clock.now()
    row = await refresh_tokens.for_refresh(services.db, _token_hash(token))
    if row is None or row["revoked_at"] is not None and row["status"] != "used":
        raise InvalidToken("The refresh token is invalid")
    if row["status"] == "used":
        await _revoke_family(services, row, "refresh_token_reused")
        raise RefreshTokenReused("This refresh token was already used; the login is revoked")
    if row["expires_at"] <= iso(now):
        raise InvalidToken("The refresh token has expired")
    # Claim the token with a conditional update: of two concurrent refreshes, one wins and the
    # other is treated as a reuse.
    changed = await refresh_tokens.claim(services.db, _token_hash(token))
    if changed != 1:
        await _revoke_family(services, row, "refresh_token_reused")
        raise RefreshTokenReused("This refresh token was already used; the login is revoked")
    await _start_in_wallet(services, row, row["family_id"], now)
    return await _issue_pair(
        services, row["subject"], row["role"], row["family_id"], now, standing_claims(row)
    )


async def logout(services: Services, token: str) -> None:
    row = await refresh_tokens.login_of(services.db, _token_hash(token))
    if row is not None:
        await _revoke_family(services, row, "logout")

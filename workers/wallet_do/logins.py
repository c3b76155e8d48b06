"""The player's logins and KYC status, kept by the player's WalletDO so that an authenticated
request is answered without D1: whether a login (a family of tokens) has ended, and the KYC
status as the app's KYC writers (an operator's decision, an upload) last set it.

A login is recorded when it starts (login, refresh) and when it ends (logout, a refresh token's
reuse, a password change); an end is written here before D1, so a crash in between leaves this
object stricter than D1, never laxer. An ended login never starts again. A login this object
has never heard of (one from before it kept them) is answered `known: false`, and the API reads
D1 as before; so is a KYC status it was never told (`kyc_status: None`).

Each start also says until when the login can be used (its refresh token's expiry, moved on by
every refresh); a login past that is deleted at the next start, so the table holds the logins
that can still be used, not every login the player ever made. A token of a deleted login is
expired wherever it is shown (and D1, asked about a login this object does not know, agrees).
"""

from __future__ import annotations

import re
from typing import Any

from casino.errors import ValidationFailed
from casino.kyc import KycStatus
from infra.ports import ActorStorage

KYC_KEY = "kyc_status"
MAX_ENDED_AT_ONCE = 1_000
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")  # timefmt.rfc3339's
PRUNED_AT_ONCE = 100  # past logins deleted by one start: a start's cost stays bounded


def family_id(value: Any) -> str:
    if not isinstance(value, str) or not value or len(value) > 100:
        raise ValidationFailed("A login's family_id is a non-empty string")
    return value


def family_ids(values: Any) -> list[str]:
    if not isinstance(values, list) or len(values) > MAX_ENDED_AT_ONCE:
        raise ValidationFailed(f"family_ids is a list of at most {MAX_ENDED_AT_ONCE} logins")
    return [family_id(v) for v in values]


def until(value: Any) -> str | None:
    """A login's last moment of use: an RFC 3339 timestamp, or None when the caller has none."""
    if value is None:
        return None
    if not isinstance(value, str) or not TIMESTAMP.fullmatch(value):
        raise ValidationFailed("A login's until is an RFC 3339 UTC timestamp")
    return value


def kyc_status(value: Any) -> str:
    try:
        return str(KycStatus(value))
    except ValueError as exc:
        raise ValidationFailed("kyc_status is none, pending, verified or rejected") from exc


class Logins:
    def __init__(self, storage: ActorStorage) -> None:
        self.storage = storage

    def start(self, family: str, at: str, until: str | None = None) -> None:
        """Record the login as started (usable until `until`) and delete logins no longer
        usable; an ended login stays ended, a known one keeps its start."""
        self.storage.exec(
            "INSERT INTO logins (family_id, started_at, until) VALUES (?, ?, ?) "
            "ON CONFLICT (family_id) DO UPDATE SET until = max(coalesce(until, ''), "
            "coalesce(excluded.until, '')) WHERE ended_at IS NULL",
            family, at, until,
        )  # fmt: skip
        self.storage.exec(
            "DELETE FROM logins WHERE family_id IN (SELECT family_id FROM logins "
            "WHERE until IS NOT NULL AND until != '' AND until < ? LIMIT ?)",
            at, PRUNED_AT_ONCE,
        )  # fmt: skip

    def end(self, families: list[str], why: str, at: str) -> None:
        """Record each login as ended (known or not: a login from before this object kept them
        is refused here too); the first end of a login is the one kept."""
        for family in families:
            self.storage.exec(
                "INSERT INTO logins (family_id, ended_at, ended_why) VALUES (?, ?, ?) "
                "ON CONFLICT (family_id) DO UPDATE SET "
                "ended_at = coalesce(ended_at, excluded.ended_at), "
                "ended_why = coalesce(ended_why, excluded.ended_why)",
                family, at, why,
            )  # fmt: skip

    def set_kyc(self, status: str) -> None:
        self.storage.exec(
            "INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v",
            KYC_KEY,
            status,
        )

    def state(self, family: str) -> dict[str, Any]:
        """`{known, ended, kyc_status}` of one login (one read of each)."""
        rows = self.storage.exec("SELECT ended_at FROM logins WHERE family_id = ?", family)
        kyc = self.storage.exec("SELECT v FROM meta WHERE k = ?", KYC_KEY)
        return {
            "known": bool(rows),
            "ended": bool(rows) and rows[0]["ended_at"] is not None,
            "kyc_status": str(kyc[0]["v"]) if kyc else None,
        }

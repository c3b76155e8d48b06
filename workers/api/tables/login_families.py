"""Named queries against `login_families` (one per login: its refresh tokens rotate within it,
and revoking it ends every token of that login)."""

from __future__ import annotations

from infra.ports import Database, Row, Statement

STATE = (
    "SELECT f.revoked_at, p.kyc_status FROM login_families f "
    "LEFT JOIN players p ON p.player_id = f.subject WHERE f.family_id = ?"
)


async def state(db: Database, family_id: str) -> Row | None:
    """Whether the login has ended (`revoked_at`) and its player's KYC status now (None for
    staff): one primary-key row and its player, the one D1 read of an authenticated request."""
    return await db.prepare(STATE).bind(family_id).first()


async def open_others(db: Database, subject: str, keep: str) -> list[Row]:
    """The ids of the open logins of `subject` but `keep`."""
    return await (
        db.prepare(
            "SELECT family_id FROM login_families WHERE subject = ? AND family_id != ? "
            "AND revoked_at IS NULL"
        )
        .bind(subject, keep)
        .all()
    )


def insert(db: Database, family_id: str, subject: str, role: str, created_at: str) -> Statement:
    """A new login of `subject` as `role` (for a batch)."""
    return db.prepare(
        "INSERT INTO login_families (family_id, subject, role, created_at) VALUES (?, ?, ?, ?)"
    ).bind(family_id, subject, role, created_at)


def revoke(db: Database, family_id: str, at: str, why: str) -> Statement:
    """The login ended at `at` for `why`, unless it already has (for a batch)."""
    return db.prepare(
        "UPDATE login_families SET revoked_at = ?, revoked_why = ? "
        "WHERE family_id = ? AND revoked_at IS NULL"
    ).bind(at, why, family_id)


def revoke_others(db: Database, subject: str, keep: str, at: str, why: str) -> Statement:
    """Every open login of `subject` but `keep` ended at `at` for `why` (for a batch)."""
    return db.prepare(
        "UPDATE login_families SET revoked_at = ?, revoked_why = ? "
        "WHERE subject = ? AND family_id != ? AND revoked_at IS NULL"
    ).bind(at, why, subject, keep)


def revoke_listed(db: Database, listed: str, at: str, why: str) -> Statement:
    """The open logins in `listed` (a JSON array of ids) ended at `at` for `why` (for a
    batch)."""
    return db.prepare(
        "UPDATE login_families SET revoked_at = ?, revoked_why = ? "
        "WHERE family_id IN (SELECT value FROM json_each(?)) AND revoked_at IS NULL"
    ).bind(at, why, listed)

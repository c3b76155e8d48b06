"""Named queries against `refresh_tokens` (one row per refresh token, by the hash of the token:
each belongs to a login family, and is used once when it rotates)."""

from __future__ import annotations

from infra.ports import Database, Row, Statement


async def insert(
    db: Database, token_hash: str, family_id: str, created_at: str, expires_at: str
) -> int:
    """A new active refresh token of the login `family_id`."""
    return await (
        db.prepare(
            "INSERT INTO refresh_tokens (token_hash, family_id, status, created_at, expires_at) "
            "VALUES (?, ?, 'active', ?, ?)"
        )
        .bind(token_hash, family_id, created_at, expires_at)
        .run()
    )


async def for_refresh(db: Database, token_hash: str) -> Row | None:
    """The token with its login family and (for a player) the player's home and KYC status."""
    return await (
        db.prepare(
            "SELECT t.family_id, t.status, t.expires_at, f.subject, f.role, f.revoked_at, "
            "coalesce(nullif(p.jurisdiction, ''), p.country) AS home, p.kyc_status "
            "FROM refresh_tokens t JOIN login_families f ON f.family_id = t.family_id "
            "LEFT JOIN players p ON p.player_id = f.subject AND f.role = 'player' "
            "WHERE t.token_hash = ?"
        )
        .bind(token_hash)
        .first()
    )


async def login_of(db: Database, token_hash: str) -> Row | None:
    """The token's login family and its subject and role."""
    return await (
        db.prepare(
            "SELECT t.family_id, f.subject, f.role FROM refresh_tokens t "
            "JOIN login_families f ON f.family_id = t.family_id WHERE t.token_hash = ?"
        )
        .bind(token_hash)
        .first()
    )


async def claim(db: Database, token_hash: str) -> int:
    """The active token marked used (1: claimed; 0: already used or revoked)."""
    return await (
        db.prepare(
            "UPDATE refresh_tokens SET status = 'used' WHERE token_hash = ? AND status = 'active'"
        )
        .bind(token_hash)
        .run()
    )


def revoke_family(db: Database, family_id: str) -> Statement:
    """The login's active tokens revoked (for a batch)."""
    return db.prepare(
        "UPDATE refresh_tokens SET status = 'revoked' WHERE family_id = ? AND status = 'active'"
    ).bind(family_id)


def revoke_other_logins(db: Database, subject: str, keep: str) -> Statement:
    """The active tokens of every open login of `subject` but `keep` revoked (for a batch)."""
    return db.prepare(
        "UPDATE refresh_tokens SET status = 'revoked' WHERE status = 'active' AND family_id IN "
        "(SELECT family_id FROM login_families WHERE subject = ? AND family_id != ? "
        "AND revoked_at IS NULL)"
    ).bind(subject, keep)


def revoke_families(db: Database, listed: str) -> Statement:
    """The active tokens of the logins in `listed` (a JSON array of ids) revoked (for a
    batch)."""
    return db.prepare(
        "UPDATE refresh_tokens SET status = 'revoked' WHERE status = 'active' AND family_id IN "
        "(SELECT value FROM json_each(?))"
    ).bind(listed)

"""Named queries against `recovery_codes` (a subject's one-time codes for when the TOTP factor
is not at hand: their keyed hashes, `used_at` set once used)."""

from __future__ import annotations

from infra.ports import Database, Statement


def delete(db: Database, subject: str) -> Statement:
    """Every code of the subject removed (for a batch)."""
    return db.prepare("DELETE FROM recovery_codes WHERE subject = ?").bind(subject)


def insert(db: Database, subject: str, code_hash: str, created_at: str) -> Statement:
    """One new code (for a batch)."""
    return db.prepare(
        "INSERT INTO recovery_codes (subject, code_hash, created_at) VALUES (?, ?, ?)"
    ).bind(subject, code_hash, created_at)


async def use(db: Database, at: str, subject: str, code_hash: str) -> int:
    """The unused code marked used at `at` (1: it was one of the subject's unused codes)."""
    return await (
        db.prepare(
            "UPDATE recovery_codes SET used_at = ? WHERE subject = ? AND code_hash = ? "
            "AND used_at IS NULL"
        )
        .bind(at, subject, code_hash)
        .run()
    )

"""Named queries against `mfa_totp` (one TOTP factor per subject, player or staff: the sealed
secret, `pending` until confirmed then `active`, and the last time step used)."""

from __future__ import annotations

from infra.ports import Database, Row, Statement


def put(
    db: Database, subject: str, sealed: str, status: str, now: str, activated_at: str | None
) -> Statement:
    """The subject's factor, replacing any, its last step reset (for a batch)."""
    return db.prepare(
        "INSERT INTO mfa_totp (subject, secret_enc, status, last_step, created_at, "
        "activated_at) VALUES (?, ?, ?, 0, ?, ?) ON CONFLICT (subject) DO UPDATE SET "
        "secret_enc = excluded.secret_enc, status = excluded.status, last_step = 0, "
        "created_at = excluded.created_at, activated_at = excluded.activated_at"
    ).bind(subject, sealed, status, now, activated_at)


async def status(db: Database, subject: str) -> Row | None:
    return await db.prepare("SELECT status FROM mfa_totp WHERE subject = ?").bind(subject).first()


async def secret(db: Database, subject: str, status: str) -> Row | None:
    """The sealed secret and last step of the subject's factor in `status`."""
    return await (
        db.prepare("SELECT secret_enc, last_step FROM mfa_totp WHERE subject = ? AND status = ?")
        .bind(subject, status)
        .first()
    )


async def claim_step(db: Database, subject: str, step: int) -> int:
    """`step` recorded as used when it is later than the last (1: claimed)."""
    return await (
        db.prepare("UPDATE mfa_totp SET last_step = ? WHERE subject = ? AND last_step < ?")
        .bind(step, subject, step)
        .run()
    )


def activate(db: Database, subject: str, now: str, step: int) -> Statement:
    """The pending factor active from `now`, `step` used (for a batch)."""
    return db.prepare(
        "UPDATE mfa_totp SET status = 'active', activated_at = ?, last_step = ? "
        "WHERE subject = ? AND status = 'pending'"
    ).bind(now, step, subject)


def delete(db: Database, subject: str) -> Statement:
    """The subject's factor removed (for a batch)."""
    return db.prepare("DELETE FROM mfa_totp WHERE subject = ?").bind(subject)

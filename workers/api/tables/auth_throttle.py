"""Named queries against `auth_throttle` (one bucket per throttled identity: the attempts
charged and when the last one was)."""

from __future__ import annotations

from casino.throttle import MAX_SHIFT
from infra.ports import Database, Row, Statement

CHARGE = f"""
INSERT INTO auth_throttle (bucket, attempts, last_ms) VALUES (?1, 1, ?2)
ON CONFLICT (bucket) DO UPDATE SET
    attempts = CASE WHEN ?2 - last_ms >= ?6 THEN 1 ELSE attempts + 1 END,
    last_ms = ?2
WHERE ?2 - last_ms >= ?6
   OR ?2 >= last_ms + CASE WHEN attempts < ?3 THEN 0
                           ELSE min(?5, ?4 << min(attempts - ?3, {MAX_SHIFT})) END
RETURNING attempts
"""  # ?1 bucket, ?2 now, ?3 free attempts, ?4 base, ?5 max wait, ?6 forget after


async def charge(
    db: Database, name: str, now_ms: int, free: int, base_ms: int, max_ms: int, forget_ms: int
) -> Row | None:
    """One attempt charged to the bucket when its back-off has passed (none: it has not)."""
    return await db.prepare(CHARGE).bind(name, now_ms, free, base_ms, max_ms, forget_ms).first()


async def state(db: Database, name: str) -> Row | None:
    """The bucket's attempts and last attempt's time."""
    return await (
        db.prepare("SELECT attempts, last_ms FROM auth_throttle WHERE bucket = ?")
        .bind(name)
        .first()
    )


async def refund(db: Database, name: str) -> int:
    """One attempt taken back from the bucket."""
    return await (
        db.prepare("UPDATE auth_throttle SET attempts = max(attempts - 1, 0) WHERE bucket = ?")
        .bind(name)
        .run()
    )


def delete(db: Database, name: str) -> Statement:
    """The bucket forgotten (for a batch)."""
    return db.prepare("DELETE FROM auth_throttle WHERE bucket = ?").bind(name)


def delete_idle(db: Database, before_ms: int) -> Statement:
    """Every bucket whose last attempt was before `before_ms` forgotten (for a batch)."""
    return db.prepare("DELETE FROM auth_throttle WHERE last_ms < ?").bind(before_ms)

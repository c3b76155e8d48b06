"""Named queries against `operator_alerts` (what the platform raised for operators to act on)."""

from __future__ import annotations

from infra.ports import Database, Row


async def latest(db: Database, limit: int = 500) -> list[Row]:
    """The newest alerts first."""
    return await (
        db.prepare(
            "SELECT alert_id, kind, subject, detail, created_at, status FROM operator_alerts "
            "ORDER BY created_at DESC LIMIT ?"
        )
        .bind(limit)
        .all()
    )


async def insert_once(
    db: Database, alert_id: str, kind: str, subject: str, detail: str, fingerprint: str, at: str
) -> int:
    """A new alert unless one with its fingerprint exists (1: it is new)."""
    return await (
        db.prepare(
            "INSERT OR IGNORE INTO operator_alerts (alert_id, kind, subject, detail, fingerprint, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?)"
        )
        .bind(alert_id, kind, subject, detail, fingerprint, at)
        .run()
    )

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

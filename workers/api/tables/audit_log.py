"""Named queries against `audit_log` (staff and system actions; written by `api.audit`)."""

from __future__ import annotations

from infra.ports import Database, Row, Statement


async def latest(db: Database, actor_id: str | None, subject: str | None, limit: int) -> list[Row]:
    """The newest entries first, of one actor and/or about one subject when given."""
    return await (
        db.prepare(
            "SELECT audit_id, actor_id, actor_role, action, subject, details, at FROM audit_log "
            "WHERE (?1 IS NULL OR actor_id = ?1) AND (?2 IS NULL OR subject = ?2) "
            "ORDER BY at DESC, audit_id LIMIT ?3"
        )
        .bind(actor_id, subject, limit)
        .all()
    )


def insert(
    db: Database,
    audit_id: str,
    actor_id: str,
    actor_role: str,
    action: str,
    subject: str,
    details: str,
    at: str,
) -> Statement:
    """One entry (to run alone or in a batch with the change it records)."""
    return db.prepare(
        "INSERT INTO audit_log (audit_id, actor_id, actor_role, action, subject, details, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)"
    ).bind(audit_id, actor_id, actor_role, action, subject, details, at)

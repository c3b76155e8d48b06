"""Named queries against `aml_alert_history` (each status an AML alert took: when, why, by
whom)."""

from __future__ import annotations

from infra.ports import Database, Statement


def opened(db: Database, alert_id: str, at: str, reason: str) -> Statement:
    """The alert's first entry, `open` by the engine; nothing when it exists (for a batch)."""
    return db.prepare(
        "INSERT OR IGNORE INTO aml_alert_history (alert_id, at, status, reason, actor_id) "
        "VALUES (?, ?, 'open', ?, 'aml-engine')"
    ).bind(alert_id, at, reason)


def moved(
    db: Database, alert_id: str, at: str, status: str, reason: str | None, actor_id: str
) -> Statement:
    """The entry of a move, written only when the statement before it in the batch changed one
    row (the move itself)."""
    return db.prepare(
        "INSERT OR IGNORE INTO aml_alert_history (alert_id, at, status, reason, actor_id) "
        "SELECT ?, ?, ?, ?, ? WHERE changes() = 1"
    ).bind(alert_id, at, status, reason, actor_id)


def of_alert(db: Database, alert_id: str) -> Statement:
    """The alert's entries, oldest first (for a batch)."""
    return db.prepare(
        "SELECT at, status, reason, actor_id FROM aml_alert_history WHERE alert_id = ? "
        "ORDER BY at, status"
    ).bind(alert_id)

"""Named queries against `aml_cos_reports` (the COS for COAF a critical AML alert drafts, and
its filing)."""

from __future__ import annotations

from infra.ports import Database, Statement


def draft(
    db: Database, alert_id: str, player_id: str, due_by: str, body: str, at: str
) -> Statement:
    """The alert's COS, drafted; nothing when it exists already (for a batch)."""
    return db.prepare(
        "INSERT OR IGNORE INTO aml_cos_reports (alert_id, player_id, due_by, body, "
        "created_at) VALUES (?, ?, ?, ?, ?)"
    ).bind(alert_id, player_id, due_by, body, at)


def file_if_reported(db: Database, alert_id: str, status: str, at: str) -> Statement:
    """The alert's draft COS filed at `at` when the alert moves to `status` `reported` (a
    statement either way, so that a batch keeps its shape)."""
    return db.prepare(
        "UPDATE aml_cos_reports SET status = 'filed', filed_at = ? WHERE alert_id = ? "
        "AND status = 'draft' AND ? = 'reported'"
    ).bind(at, alert_id, status)


def of_alert(db: Database, alert_id: str) -> Statement:
    """The alert's COS: its status, due date, creation and filing (for a batch)."""
    return db.prepare(
        "SELECT status, due_by, created_at, filed_at FROM aml_cos_reports WHERE alert_id = ?"
    ).bind(alert_id)

"""Named queries against `payments` (one row per deposit or withdrawal: kind, method, amount,
when created and, for a withdrawal, when paid)."""

from __future__ import annotations

from infra.ports import Database, Statement

DAY_BY_KIND_AND_METHOD = (
    "SELECT y.kind, y.method, count(*) AS count, sum(y.amount) AS amount "
    "FROM payments y JOIN players p ON p.player_id = y.player_id "
    "WHERE y.created_at >= ?1 AND y.created_at < ?2 AND p.jurisdiction = ?3 "
    "GROUP BY y.kind, y.method "
    "UNION ALL "
    "SELECT 'withdrawal_paid', y.method, count(*), sum(y.amount) "
    "FROM payments y JOIN players p ON p.player_id = y.player_id "
    "WHERE y.kind = 'withdrawal' AND y.paid_at >= ?1 AND y.paid_at < ?2 AND p.jurisdiction = ?3 "
    "GROUP BY y.method"
)


def day_by_kind_and_method(db: Database, start: str, end: str, jurisdiction: str) -> Statement:
    """One UTC day's payments of a jurisdiction's players, per kind and method, and the
    withdrawals paid that day per method (for the report's batch)."""
    return db.prepare(DAY_BY_KIND_AND_METHOD).bind(start, end, jurisdiction)

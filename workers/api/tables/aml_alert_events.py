"""Named queries against `aml_alert_events` (the links of an AML alert to the wallet events it
names, by event id `player_id:seq`)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from infra.ports import Database, Statement


def link(db: Database, pairs: Sequence[tuple[str, str]]) -> Statement:
    """Every (alert id, event id) pair in one statement, the pairs as one parameter (one of an
    invocation's 1,000 D1 queries, however many events an alert names); the links that exist
    already are left."""
    return db.prepare(
        "INSERT OR IGNORE INTO aml_alert_events (alert_id, event_id) "
        "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)"
    ).bind(json.dumps([list(p) for p in pairs]))


def wallet_events(db: Database, alert_id: str) -> Statement:
    """The wallet events the alert names, in `seq` order (for a batch)."""
    return db.prepare(
        "SELECT e.player_id, e.seq, e.type, e.amount, e.balance_after, e.created_at, e.ref "
        "FROM aml_alert_events l JOIN aml_alerts a ON a.alert_id = l.alert_id "
        "JOIN wallet_events e ON e.player_id = a.player_id "
        "AND l.event_id = e.player_id || ':' || e.seq WHERE l.alert_id = ? ORDER BY e.seq"
    ).bind(alert_id)

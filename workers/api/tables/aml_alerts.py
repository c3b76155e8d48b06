"""Named queries against `aml_alerts` (each alert the AML rules raised on a player: its rule,
score, risk, the action it took, its facts and where it stands in its lifecycle)."""

from __future__ import annotations

import json

from casino import aml
from infra.ports import Database, Row, Statement

COLUMNS = "alert_id, player_id, rule, score, risk, created_at, status"
DETAIL_COLUMNS = f"{COLUMNS}, reason, status_reason, updated_at, action, facts"
FILTERS = ("risk", "player_id", "status", "rule")  # the columns an alert listing filters on


def raised_since(db: Database, player_id: str, since: str) -> Statement:
    """The ids of the player's alerts raised since `since` (for a batch)."""
    return db.prepare(
        "SELECT alert_id FROM aml_alerts WHERE player_id = ? AND created_at >= ?"
    ).bind(player_id, since)


def add(db: Database, alert: aml.Alert, created_at: str, updated_at: str) -> Statement:
    """A new alert, `open`; nothing when it exists already (for a batch with its history entry,
    events and COS draft)."""
    return db.prepare(
        "INSERT OR IGNORE INTO aml_alerts (alert_id, player_id, rule, score, risk, status, "
        "reason, created_at, updated_at, action, facts) "
        "VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?)"
    ).bind(
        alert.alert_id,
        alert.player_id,
        alert.rule,
        alert.score,
        alert.risk,
        alert.reason,
        created_at,
        updated_at,
        alert.action,
        json.dumps(dict(alert.facts), sort_keys=True),
    )  # fmt: skip


async def matching(db: Database, filters: dict[str, str | None], limit: int) -> list[Row]:
    """The newest alerts first, at most `limit`, equal to each of `filters` (names among
    `FILTERS`) given a value."""
    where, params = [], []
    for column in FILTERS:
        value = filters.get(column)
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    sql = f"SELECT {COLUMNS} FROM aml_alerts"  # noqa: S608 (no value is spliced)
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY created_at DESC, alert_id LIMIT ?"
    return await db.prepare(sql).bind(*params, limit).all()


def detail(db: Database, alert_id: str) -> Statement:
    """The alert's row with its reasons, action and facts (for a batch)."""
    return db.prepare(
        f"SELECT {DETAIL_COLUMNS} FROM aml_alerts WHERE alert_id = ?"  # noqa: S608
    ).bind(alert_id)


async def player_and_status(db: Database, alert_id: str) -> Row | None:
    """The alert's player and status (none: no such alert)."""
    return await (
        db.prepare("SELECT player_id, status FROM aml_alerts WHERE alert_id = ?")
        .bind(alert_id)
        .first()
    )


async def status(db: Database, alert_id: str) -> Row | None:
    """The alert's status, as a row (none: no such alert)."""
    return (
        await db.prepare("SELECT status FROM aml_alerts WHERE alert_id = ?").bind(alert_id).first()
    )


def move(
    db: Database, alert_id: str, from_status: str, status: str, reason: str | None, at: str
) -> Statement:
    """The alert moved to `status` only if it is still `from_status`, returning its id when it
    moved (for a batch whose next statement sees `changes()`)."""
    return db.prepare(
        "UPDATE aml_alerts SET status = ?, status_reason = ?, updated_at = ? "
        "WHERE alert_id = ? AND status = ? RETURNING alert_id"
    ).bind(status, reason, at, alert_id, from_status)


async def acting_unresolved(db: Database, player_id: str) -> int | None:
    """How many of the player's alerts that took an action are still open, under review or
    reported (none when D1 answered no row)."""
    row = await (
        db.prepare(
            "SELECT count(*) AS n FROM aml_alerts WHERE player_id = ? AND action IS NOT NULL AND "
            "status IN ('open', 'under_review', 'reported')"
        )
        .bind(player_id)
        .first()
    )
    return int(row["n"]) if row else None

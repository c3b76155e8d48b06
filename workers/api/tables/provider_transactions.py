"""Named queries against `provider_transactions` (one row per bet, win, refund or rollback an
external game provider sent, by player and game)."""

from __future__ import annotations

from infra.ports import Database, Statement

DAY_BY_GAME = (
    "SELECT t.game_id, sum(t.kind = 'bet') AS bets, "
    "sum(CASE WHEN t.kind = 'bet' THEN t.amount ELSE 0 END) AS staked, "
    "sum(CASE WHEN t.kind IN ('refund', 'rollback') THEN t.amount ELSE 0 END) AS refunded, "
    "sum(CASE WHEN t.kind = 'win' THEN t.amount ELSE 0 END) AS paid "
    "FROM provider_transactions t JOIN players p ON p.player_id = t.player_id "
    "WHERE t.created_at >= ?1 AND t.created_at < ?2 AND p.jurisdiction = ?3 GROUP BY t.game_id"
)


def day_by_game(db: Database, start: str, end: str, jurisdiction: str) -> Statement:
    """One UTC day's provider transactions of a jurisdiction's players, per game: bets, staked,
    refunded, paid (for the report's batch)."""
    return db.prepare(DAY_BY_GAME).bind(start, end, jurisdiction)

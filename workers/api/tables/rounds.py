"""Named queries against `rounds` (one row per settled round of the platform's own games:
player, game, stake, payout, when)."""

from __future__ import annotations

from infra.ports import Database, Statement

DAY_BY_GAME = (
    "SELECT r.game_id, count(*) AS bets, sum(r.stake) AS staked, 0 AS refunded, "
    "sum(r.payout) AS paid FROM rounds r JOIN players p ON p.player_id = r.player_id "
    "WHERE r.created_at >= ?1 AND r.created_at < ?2 AND p.jurisdiction = ?3 GROUP BY r.game_id"
)


def day_by_game(db: Database, start: str, end: str, jurisdiction: str) -> Statement:
    """One UTC day's rounds of a jurisdiction's players, per game: bets, staked, paid (for the
    report's batch)."""
    return db.prepare(DAY_BY_GAME).bind(start, end, jurisdiction)

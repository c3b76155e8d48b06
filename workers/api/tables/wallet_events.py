"""Named queries against `wallet_events` (the D1 projection of each player's wallet events,
written by the WalletDO, by `player_id` and `seq`)."""

from __future__ import annotations

from infra.ports import Database, Statement


def aml_history(db: Database, player_id: str, since: str, max_seq: int, min_bet: int) -> Statement:
    """What the AML rules look back on, in `seq` order: the player's deposits, withdrawals and
    bets of at least `min_bet` after `since`, up to `max_seq` (for a batch)."""
    return db.prepare(
        "SELECT seq, type, amount, created_at FROM wallet_events WHERE player_id = ? AND "
        "created_at > ? AND seq <= ? AND (type IN ('DEPOSIT', 'WITHDRAWAL') OR "
        "(type = 'BET' AND amount >= ?)) ORDER BY seq"
    ).bind(player_id, since, max_seq, min_bet)


def totals_by_type(db: Database, player_id: str, since: str, max_seq: int) -> Statement:
    """The player's events after `since` up to `max_seq`, by type: their count `n` and sum
    `total` (for a batch)."""
    return db.prepare(
        "SELECT type, count(*) AS n, coalesce(sum(amount), 0) AS total "
        "FROM wallet_events WHERE player_id = ? AND created_at > ? AND seq <= ? "
        "GROUP BY type"
    ).bind(player_id, since, max_seq)

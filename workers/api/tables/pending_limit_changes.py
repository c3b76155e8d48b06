"""Named queries against `pending_limit_changes` (D1's note of a player's limit change waiting
for its effective time; the WalletDO holds the limits themselves)."""

from __future__ import annotations

from infra.ports import Database, Row


async def players_due(db: Database, at: str, limit: int) -> list[Row]:
    """The players with a change not yet activated and effective by `at`, by id."""
    return await (
        db.prepare(
            "SELECT DISTINCT player_id FROM pending_limit_changes "
            "WHERE activated_at IS NULL AND effective_at <= ? ORDER BY player_id LIMIT ?"
        )
        .bind(at, limit)
        .all()
    )


async def mark_activated(db: Database, player_id: str, at: str) -> int:
    """The player's changes effective by `at` noted as activated then: how many."""
    return await (
        db.prepare(
            "UPDATE pending_limit_changes SET activated_at = ? WHERE player_id = ? "
            "AND activated_at IS NULL AND effective_at <= ?"
        )
        .bind(at, player_id, at)
        .run()
    )

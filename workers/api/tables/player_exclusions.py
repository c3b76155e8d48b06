"""Named queries against `player_exclusions` (every exclusion a player took, for the reports;
the one in force is on the player's row and, authoritatively, in the WalletDO)."""

from __future__ import annotations

from infra.ports import Database


async def add(db: Database, player_id: str, kind: str, until: str | None, at: str) -> int:
    return await (
        db.prepare(
            "INSERT INTO player_exclusions (player_id, kind, excluded_until, created_at) "
            "VALUES (?, ?, ?, ?)"
        )
        .bind(player_id, kind, until, at)
        .run()
    )

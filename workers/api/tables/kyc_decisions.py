"""Named queries against `kyc_decisions` (each approval or rejection of a player's identity)."""

from __future__ import annotations

from infra.ports import Database


async def last_rejection_reason(db: Database, player_id: str) -> str | None:
    """The reason given with the player's latest rejection, if any."""
    row = await db.prepare(
        "SELECT reason FROM kyc_decisions WHERE player_id = ? AND decision = 'reject' "
        "ORDER BY decided_at DESC LIMIT 1"
    ).bind(player_id).first()  # fmt: skip
    return row["reason"] if row else None

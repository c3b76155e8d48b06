"""Named queries against `player_notices` (what was sent to a player, by which channel)."""

from __future__ import annotations

from infra.ports import Database, Statement


def national_exclusion(
    db: Database, notice_id: str, player_id: str, text: str, at: str
) -> Statement:
    """The e-mail telling a player their account is closed under the national list (for a
    batch)."""
    return db.prepare(
        "INSERT INTO player_notices (notice_id, player_id, kind, channel, text, at) "
        "VALUES (?, ?, 'national_exclusion', 'email', ?, ?)"
    ).bind(notice_id, player_id, text, at)

"""Named queries against `game_configs` (the last good configuration per game and jurisdiction:
RTP, stake bounds, when and by whom it was set)."""

from __future__ import annotations

from infra.ports import Database, Row, Statement

PUT = (
    "INSERT INTO game_configs (game_id, jurisdiction, rtp_bps, min_stake, max_stake, updated_at, "
    "updated_by) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (game_id, jurisdiction) DO UPDATE SET "
    "rtp_bps = excluded.rtp_bps, min_stake = excluded.min_stake, max_stake = excluded.max_stake, "
    "updated_at = excluded.updated_at, updated_by = excluded.updated_by"
)


async def last_good(db: Database, game_id: str, jurisdiction: str) -> Row | None:
    """The configuration in force, with the RTP its latest recorded change replaced."""
    return await (
        db.prepare(
            "SELECT c.rtp_bps, c.min_stake, c.max_stake, c.updated_at, ("
            "SELECT h.old_rtp_bps FROM game_config_changes h WHERE h.game_id = c.game_id "
            "AND h.jurisdiction = c.jurisdiction ORDER BY h.changed_at DESC, h.rowid DESC LIMIT 1"
            ") AS replaced_rtp_bps FROM game_configs c WHERE c.game_id = ? AND c.jurisdiction = ?"
        )
        .bind(game_id, jurisdiction)
        .first()
    )


def put(db: Database, values: tuple[object, ...]) -> Statement:
    """The new last good value: `values` are game id, jurisdiction, RTP, minimum and maximum
    stake, when, by whom (for a batch)."""
    return db.prepare(PUT).bind(*values)


def put_if_unchanged(db: Database, values: tuple[object, ...], seen: str | None) -> Statement:
    """As `put`, only when the row's `updated_at` is still `seen` (none: no row yet)."""
    return db.prepare(PUT + " WHERE game_configs.updated_at IS ?").bind(*values, seen)

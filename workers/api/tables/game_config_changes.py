"""Named queries against `game_config_changes` (the history of game configurations: one row per
change, by the API or noticed in KV, with the RTP it replaced)."""

from __future__ import annotations

from infra.ports import Database, Row, Statement

ADD = (
    "INSERT OR IGNORE INTO game_config_changes (change_id, game_id, jurisdiction, old_rtp_bps, "
    "new_rtp_bps, changed_by, changed_at, source) "
)


def add_by_api(db: Database, values: tuple[object, ...]) -> Statement:
    """A change through the API: `values` are change id, game id, jurisdiction, old and new RTP,
    by whom, when (for a batch)."""
    return db.prepare(ADD + "VALUES (?, ?, ?, ?, ?, ?, ?, 'api')").bind(*values)


def add_noticed_in_kv(db: Database, values: tuple[object, ...], at: str) -> Statement:
    """A change noticed in KV, recorded only when the last good value was written by KV at `at`
    (`values`: change id, game id, jurisdiction, old and new RTP; for a batch after that
    write)."""
    _, game_id, jurisdiction, *_ = values
    return db.prepare(
        ADD + "SELECT ?, ?, ?, ?, ?, 'kv', ?, 'kv' WHERE EXISTS (SELECT 1 FROM "
        "game_configs WHERE game_id = ? AND jurisdiction = ? AND updated_at = ? "
        "AND updated_by = 'kv')"
    ).bind(*values, at, game_id, jurisdiction, at)


async def history(db: Database, game_id: str) -> list[Row]:
    """Every change of the game, oldest first."""
    return await (
        db.prepare(
            "SELECT change_id, game_id, jurisdiction, old_rtp_bps, new_rtp_bps, changed_by, "
            "changed_at, source FROM game_config_changes WHERE game_id = ? "
            "ORDER BY changed_at, rowid"
        )
        .bind(game_id)
        .all()
    )

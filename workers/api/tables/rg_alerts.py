"""Named queries against `rg_alerts` (the behavioural alerts each WalletDO projects into D1: the
rule that fired, its level within the week and the intervention applied)."""

from __future__ import annotations

from infra.ports import Database, Row


async def latest(db: Database, player_id: str | None, rule: str | None, limit: int) -> list[Row]:
    """The newest alerts first, of one player and/or one rule when given."""
    return await (
        db.prepare(
            "SELECT alert_id, player_id, rule, level, intervention, created_at FROM rg_alerts "
            "WHERE (?1 IS NULL OR player_id = ?1) AND (?2 IS NULL OR rule = ?2) "
            "ORDER BY created_at DESC, alert_id DESC LIMIT ?3"
        )
        .bind(player_id, rule, limit)
        .all()
    )

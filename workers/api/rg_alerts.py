"""Behavioural (responsible gaming) alerts for staff: the rows each WalletDO projects into D1's
`rg_alerts` (the rule that fired, its level within the week and the intervention applied),
newest first, filtered by player and rule."""

from __future__ import annotations

from typing import Any

from .services import Services


async def list_alerts(
    services: Services, player_id: str | None, rule: str | None, limit: int
) -> list[dict[str, Any]]:
    return await (
        services.db.prepare(
            "SELECT alert_id, player_id, rule, level, intervention, created_at FROM rg_alerts "
            "WHERE (?1 IS NULL OR player_id = ?1) AND (?2 IS NULL OR rule = ?2) "
            "ORDER BY created_at DESC, alert_id DESC LIMIT ?3"
        )
        .bind(player_id, rule, limit)
        .all()
    )

"""Behavioural (responsible gaming) alerts for staff: the rows each WalletDO projects into D1's
`rg_alerts` (the rule that fired, its level within the week and the intervention applied),
newest first, filtered by player and rule."""

from __future__ import annotations

from typing import Any

from .services import Services
from .tables import rg_alerts


async def list_alerts(
    services: Services, player_id: str | None, rule: str | None, limit: int
) -> list[dict[str, Any]]:
    return await rg_alerts.latest(services.db, player_id, rule, limit)

"""The `vip_tiers` job: every player's tier recomputed from their wagering over the last 30
days (BET events in D1), with the tiers of `casino.vip` as data, in one statement."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from casino.timefmt import rfc3339
from casino.vip import TIERS, WINDOW_DAYS, Tier

from .services import Services
from .tables import players


def _tier_case(tiers: tuple[Tier, ...]) -> tuple[str, list[Any]]:
    """`CASE WHEN wagered >= ? THEN ? ... ELSE ? END` from the highest tier down, with its
    parameters (the tiers are data, never spliced into the SQL)."""
    whens, params = [], []
    for tier in reversed(tiers[1:]):
        whens.append("WHEN coalesce(w.wagered, 0) >= ? THEN ?")
        params += [tier.min_wagered, tier.name]
    return f"CASE {' '.join(whens)} ELSE ? END", [*params, tiers[0].name]


async def recompute(services: Services, tiers: tuple[Tier, ...] = TIERS) -> dict[str, Any]:
    since = rfc3339(services.clock.now() - timedelta(days=WINDOW_DAYS))
    case, params = _tier_case(tiers)
    changed = await players.set_vip_tiers(services.db, case, params, since)
    by_tier = await players.count_by_vip_tier(services.db)
    return {
        "since": since,
        "changed": changed,
        "players_by_tier": by_tier,
    }

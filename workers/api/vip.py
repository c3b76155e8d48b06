"""The `vip_tiers` job: every player's tier recomputed from their wagering over the last 30
days (BET events in D1), with the tiers of `casino.vip` as data, in one statement."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from casino.timefmt import rfc3339
from casino.vip import TIERS, WINDOW_DAYS, Tier

from .services import Services


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
    changed = await (
        services.db.prepare(
            "UPDATE players SET vip_tier = t.tier FROM ("  # noqa: S608 (no value is spliced)
            f" SELECT p.player_id, {case} AS tier FROM players p LEFT JOIN ("
            "  SELECT player_id, sum(amount) AS wagered FROM wallet_events "
            "  WHERE type = 'BET' AND created_at >= ? GROUP BY player_id"
            " ) w ON w.player_id = p.player_id"
            ") t WHERE players.player_id = t.player_id AND players.vip_tier IS NOT t.tier"
        )
        .bind(*params, since)
        .run()
    )
    rows = await services.db.prepare(
        "SELECT vip_tier, count(*) AS players FROM players GROUP BY vip_tier ORDER BY vip_tier"
    ).all()
    return {
        "since": since,
        "changed": changed,
        "players_by_tier": {r["vip_tier"]: r["players"] for r in rows},
    }

"""VIP tiers as data: a player's tier is the highest whose threshold their wagering (the sum of
their stakes, BET events, over a rolling window) reaches. Thresholds are in minor units."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WINDOW_DAYS = 30


@dataclass(frozen=True)
class Tier:
    name: str
    min_wagered: int  # centavos staked over the window


TIERS: tuple[Tier, ...] = (
    Tier("bronze", 0),
    Tier("silver", 100_000),  # R$ 1.000,00 staked in 30 days
    Tier("gold", 1_000_000),  # R$ 10.000,00
    Tier("platinum", 10_000_000),  # R$ 100.000,00
)


def check_tiers(tiers: Sequence[Tier]) -> tuple[Tier, ...]:
    """Tiers in ascending order of threshold, the first at 0 (everyone has a tier), names and
    thresholds distinct."""
    if not tiers or tiers[0].min_wagered != 0:
        raise ValueError("the first tier starts at 0")
    thresholds = [t.min_wagered for t in tiers]
    if thresholds != sorted(set(thresholds)):
        raise ValueError("tier thresholds must strictly increase")
    if len({t.name for t in tiers}) != len(tiers):
        raise ValueError("tier names must be distinct")
    return tuple(tiers)


def tier_for(wagered: int, tiers: Sequence[Tier] = TIERS) -> str:
    """The highest tier whose threshold `wagered` reaches."""
    found = tiers[0].name
    for tier in tiers:
        if wagered >= tier.min_wagered:
            found = tier.name
    return found


check_tiers(TIERS)

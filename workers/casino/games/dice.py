"""Dice, the canonical game (API.md).

params   {"target": T}, an integer with 100 <= T < rtp_bps
draw     roll = one unbiased draw in [0, 10000)
outcome  {"roll": roll, "win": roll < T}
payout   stake * rtp_bps // T on a win, else 0 (multiplier rtp_bps / T)

Exact RTP: T of the 10000 rolls win, each paying rtp_bps / T, so the expected return is
(T / 10000) * (rtp_bps / T) = rtp_bps / 10000 exactly, for every T. Rounding the payout down
costs less than one minor unit per winning round: at stake S the RTP is at most
T / (10000 * S) below the target (zero when S * rtp_bps is a multiple of T).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .game import Distribution, DrawSource, GameRules, exact_keys, grouped, int_param

ROLLS = 10_000
MIN_TARGET = 100


def wins(roll: int, target: int) -> bool:
    """The rule of the game: one comparison, shared by `resolve` and the enumeration."""
    return roll < target


@functools.lru_cache(maxsize=4096)
def _distribution(rtp_bps: int, target: int) -> Distribution:
    """Every one of the 10000 rolls, counted by multiplier."""
    winning = sum(1 for roll in range(ROLLS) if wins(roll, target))
    return grouped({Fraction(rtp_bps, target): winning, Fraction(0): ROLLS - winning}, ROLLS)


@dataclass(frozen=True)
class Dice(GameRules):
    game_id: str = "dice"
    name: str = "Dice"
    kind: str = "dice"
    default_rtp_bps: int = 9700
    min_stake: int = 10
    max_stake: int = 100_000_00

    def describe(self, rtp_bps: int) -> dict[str, Any]:
        return {
            "params": {
                "target": {"type": "integer", "minimum": MIN_TARGET, "maximum": rtp_bps - 1}
            },
            "draws": [{"range": ROLLS, "name": "roll"}],
            "outcome": {"roll": f"integer in [0, {ROLLS})", "win": "roll < target"},
            "win_probability": f"target / {ROLLS}",
            "multiplier": f"{rtp_bps} / target",
            "payout": f"stake * {rtp_bps} // target on a win, else 0",
            "theoretical_rtp_bps": rtp_bps,
            "rtp_bps": rtp_bps,
            "example_params": {"target": 5000},
        }

    def validate_params(self, params: object, rtp_bps: int) -> dict[str, Any]:
        given = exact_keys(params, ("target",), 'dice takes exactly {"target": T}')
        return {"target": int_param(given, "target", MIN_TARGET, rtp_bps - 1)}

    def resolve(
        self, draws: DrawSource, stake: int, params: dict[str, Any], rtp_bps: int
    ) -> tuple[dict[str, Any], int]:
        target = params["target"]
        roll = draws.below(ROLLS)
        win = wins(roll, target)
        return {"roll": roll, "win": win}, (stake * rtp_bps // target if win else 0)

    def distribution(self, rtp_bps: int, params: dict[str, Any]) -> Distribution:
        return _distribution(rtp_bps, params["target"])


DICE = Dice()

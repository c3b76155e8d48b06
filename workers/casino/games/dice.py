"""Dice, the canonical game (API.md): params {"target": T}, 100 <= T < rtp_bps; one draw
`roll` in [0, 10000); a win when roll < T pays stake * rtp_bps // T.

Exact RTP: P(win) = T / 10000 and the multiplier is rtp_bps / T, so before integer rounding the
expected return is exactly rtp_bps / 10000; rounding the payout down costs at most 1 minor unit
per winning round.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..errors import InvalidParams
from ..fairness import Draws

ROLLS = 10_000
MIN_TARGET = 100


@dataclass(frozen=True)
class Dice:
    game_id: str = "dice"
    name: str = "Dice"
    kind: str = "dice"
    default_rtp_bps: int = 9700
    min_stake: int = 10
    max_stake: int = 100_000_00

    def describe(self, rtp_bps: int) -> dict[str, Any]:
        return {
            "params": {"target": f"integer, {MIN_TARGET} <= target < {rtp_bps}"},
            "outcome": "roll: one unbiased draw in [0, 10000); win when roll < target",
            "payout": f"stake * {rtp_bps} // target on a win, else 0",
            "rtp_bps": rtp_bps,
            "example_params": {"target": 5000},
        }

    def validate_params(self, params: object, rtp_bps: int) -> dict[str, Any]:
        if not isinstance(params, dict) or set(params) != {"target"}:
            raise InvalidParams('dice takes exactly {"target": T}')
        target = params["target"]
        if isinstance(target, bool) or not isinstance(target, int):
            raise InvalidParams("target must be an integer")
        if not MIN_TARGET <= target < rtp_bps:
            raise InvalidParams(f"target must satisfy {MIN_TARGET} <= target < {rtp_bps}")
        return {"target": target}

    def resolve(
        self, draws: Draws, stake: int, params: dict[str, Any], rtp_bps: int
    ) -> tuple[dict[str, Any], int]:
        roll = draws.below(ROLLS)
        win = roll < params["target"]
        return {"roll": roll, "win": win}, (stake * rtp_bps // params["target"] if win else 0)

    def distribution(
        self, stake: int, params: dict[str, Any], rtp_bps: int
    ) -> list[tuple[Fraction, int]]:
        target = params["target"]
        p_win = Fraction(target, ROLLS)
        return [(p_win, stake * rtp_bps // target), (1 - p_win, 0)]


DICE = Dice()

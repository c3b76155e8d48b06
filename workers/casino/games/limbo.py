"""Limbo, a multiplier game: the player names a target multiplier and wins when the drawn
result multiplier reaches it.

params   {"target_multiplier_x100": M}, an integer, 101 <= M <= 1000000 (1.01x to 10000x)
draw     u = one unbiased draw in [0, N), N = 10^8
result   result_x100 = max(100, rtp_bps * N // ((u + 1) * 100))   (independent of M)
outcome  {"result_x100": result_x100, "win": result_x100 >= M}
payout   stake * M // 100 on a win, else 0 (multiplier M / 100)

Exact RTP: result_x100 never increases with u, so the winning draws are u = 0 .. W - 1 with
W = #{u : result_x100(u) >= M}; `winning_draws` finds W by bisection over that same function
(the tests also enumerate all 10^8 draws in blocks of equal result). Since floor(a / b) >= M
exactly when a >= M * b, W = rtp_bps * N // (100 * M). The RTP is W * M / (100 * N): below the
target by less than M / (100 * N) <= 1 / 10000 (the draw space is finite), and rounding the
payout down costs less than one minor unit per winning round on top.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .game import Distribution, DrawSource, GameRules, exact_keys, grouped, int_param

N = 100_000_000
MIN_MULTIPLIER_X100 = 101
MAX_MULTIPLIER_X100 = 1_000_000


def result_x100(rtp_bps: int, u: int, n: int = N) -> int:
    """The rule of the game: the result multiplier of draw u, in hundredths."""
    return max(100, rtp_bps * n // ((u + 1) * 100))


def winning_draws(rtp_bps: int, multiplier_x100: int, n: int = N) -> int:
    """#{u in [0, n) : result_x100(u) >= M}, by bisection on the non-increasing result."""
    low, high = 0, n  # invariant: draws below `low` win, draws from `high` on lose
    while low < high:
        mid = (low + high) // 2
        if result_x100(rtp_bps, mid, n) >= multiplier_x100:
            low = mid + 1
        else:
            high = mid
    return low


def winning_draws_closed_form(rtp_bps: int, multiplier_x100: int, n: int = N) -> int:
    return min(n, rtp_bps * n // (100 * multiplier_x100))


@functools.lru_cache(maxsize=4096)
def _distribution(rtp_bps: int, multiplier_x100: int) -> Distribution:
    winning = winning_draws(rtp_bps, multiplier_x100)
    return grouped({Fraction(multiplier_x100, 100): winning, Fraction(0): N - winning}, N)


@dataclass(frozen=True)
class Limbo(GameRules):
    game_id: str = "limbo"
    name: str = "Limbo"
    kind: str = "multiplier"
    default_rtp_bps: int = 9700
    min_stake: int = 10
    max_stake: int = 10_000_00

    def describe(self, rtp_bps: int) -> dict[str, Any]:
        return {
            "params": {
                "target_multiplier_x100": {
                    "type": "integer",
                    "minimum": MIN_MULTIPLIER_X100,
                    "maximum": MAX_MULTIPLIER_X100,
                }
            },
            "draws": [{"range": N, "name": "u"}],
            "outcome": {
                "result_x100": f"max(100, {rtp_bps} * {N} // ((u + 1) * 100))",
                "win": "result_x100 >= target_multiplier_x100",
            },
            "win_probability": f"({rtp_bps} * {N} // (100 * target_multiplier_x100)) / {N}",
            "multiplier": "target_multiplier_x100 / 100",
            "payout": "stake * target_multiplier_x100 // 100 on a win, else 0",
            "theoretical_rtp": "win_probability * target_multiplier_x100 / 100, "
            f"within 1/10000 below {rtp_bps} bps",
            "rtp_bps": rtp_bps,
            "example_params": {"target_multiplier_x100": 200},
        }

    def validate_params(self, params: object, rtp_bps: int) -> dict[str, Any]:
        given = exact_keys(
            params,
            ("target_multiplier_x100",),
            'limbo takes exactly {"target_multiplier_x100": M}',
        )
        m = int_param(given, "target_multiplier_x100", MIN_MULTIPLIER_X100, MAX_MULTIPLIER_X100)
        return {"target_multiplier_x100": m}

    def resolve(
        self, draws: DrawSource, stake: int, params: dict[str, Any], rtp_bps: int
    ) -> tuple[dict[str, Any], int]:
        target = params["target_multiplier_x100"]
        result = result_x100(rtp_bps, draws.below(N))
        win = result >= target
        return {"result_x100": result, "win": win}, (stake * target // 100 if win else 0)

    def distribution(self, rtp_bps: int, params: dict[str, Any]) -> Distribution:
        return _distribution(rtp_bps, params["target_multiplier_x100"])


LIMBO = Limbo()

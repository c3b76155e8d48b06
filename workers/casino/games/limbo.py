"""Limbo, a multiplier game: the player names a target multiplier M (params
{"target_multiplier_x100": M}, 101 <= M <= 1,000,000, i.e. 1.01x to 10,000x); one draw u in
[0, N) with N = 10^8 gives the result multiplier

    result_x100 = max(100, rtp_bps * N // ((u + 1) * 100))

and the round wins when result_x100 >= M, paying stake * M // 100.

Exact RTP: floor(a / b) >= M exactly when a >= M * b, so the winning draws are
u + 1 <= rtp_bps * N / (100 * M): there are W = rtp_bps * N // (100 * M) of them, P(win) = W / N,
and the expected return is W * M / (100 * N), within M / (100 * N) <= 10^-4 of rtp_bps / 10000.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..errors import InvalidParams
from ..fairness import Draws

N = 100_000_000
MIN_MULTIPLIER_X100 = 101
MAX_MULTIPLIER_X100 = 1_000_000


def winning_draws(rtp_bps: int, multiplier_x100: int, n: int = N) -> int:
    return rtp_bps * n // (100 * multiplier_x100)


def result_x100(rtp_bps: int, u: int, n: int = N) -> int:
    return max(100, rtp_bps * n // ((u + 1) * 100))


@dataclass(frozen=True)
class Limbo:
    game_id: str = "limbo"
    name: str = "Limbo"
    kind: str = "multiplier"
    default_rtp_bps: int = 9700
    min_stake: int = 10
    max_stake: int = 10_000_00

    def describe(self, rtp_bps: int) -> dict[str, Any]:
        return {
            "params": {
                "target_multiplier_x100": f"integer, {MIN_MULTIPLIER_X100} to {MAX_MULTIPLIER_X100}"
            },
            "outcome": f"u: one draw in [0, {N}); result_x100 = max(100, {rtp_bps} * {N} // ((u + 1) * 100))",
            "payout": "stake * target_multiplier_x100 // 100 when result_x100 >= target, else 0",
            "win_probability": f"({rtp_bps} * {N} // (100 * target)) / {N}",
            "rtp_bps": rtp_bps,
            "example_params": {"target_multiplier_x100": 200},
        }

    def validate_params(self, params: object, rtp_bps: int) -> dict[str, Any]:
        if not isinstance(params, dict) or set(params) != {"target_multiplier_x100"}:
            raise InvalidParams('limbo takes exactly {"target_multiplier_x100": M}')
        m = params["target_multiplier_x100"]
        if isinstance(m, bool) or not isinstance(m, int):
            raise InvalidParams("target_multiplier_x100 must be an integer")
        if not MIN_MULTIPLIER_X100 <= m <= MAX_MULTIPLIER_X100:
            raise InvalidParams(
                f"target_multiplier_x100 must be from {MIN_MULTIPLIER_X100} to {MAX_MULTIPLIER_X100}"
            )
        return {"target_multiplier_x100": m}

    def resolve(
        self, draws: Draws, stake: int, params: dict[str, Any], rtp_bps: int
    ) -> tuple[dict[str, Any], int]:
        target = params["target_multiplier_x100"]
        result = result_x100(rtp_bps, draws.below(N))
        win = result >= target
        return {"result_x100": result, "win": win}, (stake * target // 100 if win else 0)

    def distribution(
        self, stake: int, params: dict[str, Any], rtp_bps: int
    ) -> list[tuple[Fraction, int]]:
        target = params["target_multiplier_x100"]
        p_win = Fraction(winning_draws(rtp_bps, target), N)
        return [(p_win, stake * target // 100), (1 - p_win, 0)]


LIMBO = Limbo()

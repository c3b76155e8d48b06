"""The games: each one a pure module with its paytable, its outcome space and its exact RTP.

A game resolves a round from the round's `Draws` (the fairness derivation) and the RTP the
session was opened with; `distribution` lists every outcome's probability and payout exactly,
from which the theoretical RTP and the variance are computed (no sampling).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Protocol

from ..fairness import Draws


class Game(Protocol):
    @property
    def game_id(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def default_rtp_bps(self) -> int: ...

    @property
    def min_stake(self) -> int: ...

    @property
    def max_stake(self) -> int: ...

    def describe(self, rtp_bps: int) -> dict[str, Any]: ...

    def validate_params(self, params: object, rtp_bps: int) -> dict[str, Any]: ...

    def resolve(
        self, draws: Draws, stake: int, params: dict[str, Any], rtp_bps: int
    ) -> tuple[dict[str, Any], int]: ...

    def distribution(
        self, stake: int, params: dict[str, Any], rtp_bps: int
    ) -> list[tuple[Fraction, int]]: ...


def theoretical_rtp(game: Game, rtp_bps: int, params: dict[str, Any], stake: int) -> Fraction:
    """Exact expected return per unit staked, integer rounding of payouts included."""
    total = sum((p for p, _ in game.distribution(stake, params, rtp_bps)), Fraction(0))
    assert total == 1, f"{game.game_id}: probabilities sum to {total}"
    return sum((p * payout for p, payout in game.distribution(stake, params, rtp_bps)),
               Fraction(0)) / stake  # fmt: skip


def payout_moments(
    game: Game, stake: int, params: dict[str, Any], rtp_bps: int
) -> tuple[float, float]:
    """Mean and variance of one round's payout (for the deviation statistics)."""
    outcomes = game.distribution(stake, params, rtp_bps)
    mean = sum((p * x for p, x in outcomes), Fraction(0))
    variance = sum((p * (x - mean) ** 2 for p, x in outcomes), Fraction(0))
    return float(mean), float(variance)


def strict_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


from .dice import DICE  # noqa: E402
from .limbo import LIMBO  # noqa: E402
from .slots import SLOTS  # noqa: E402

GAMES: dict[str, Game] = {g.game_id: g for g in (DICE, SLOTS, LIMBO)}

__all__ = ["GAMES", "Game", "payout_moments", "strict_int", "theoretical_rtp"]

"""What every game is: the `Game` protocol, exact distributions and their RTP, strict params.

A game maps the draws of a round to an outcome and an exact rational multiplier; the payout is
the stake times the multiplier, rounded down to the minor unit. `distribution` lists every
multiplier with its exact probability, obtained by enumerating the game's outcome space with
the same rule `resolve` uses, so the theoretical RTP and the variance need no sampling.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Protocol

from ..errors import InvalidParams

# (probability, multiplier) pairs: probabilities sum to 1, multipliers are distinct.
Distribution = tuple[tuple[Fraction, Fraction], ...]


class DrawSource(Protocol):
    """What a game needs from a round's draws (`fairness.Draws`, or a verifier's own)."""

    def below(self, k: int) -> int: ...


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

    def describe(self, rtp_bps: int) -> dict[str, Any]:
        """The paytable and outcome space as shown before the bet (JSON, no floats)."""
        ...

    def validate_params(self, params: object, rtp_bps: int) -> dict[str, Any]:
        """The normalised params, or `InvalidParams`."""
        ...

    def resolve(
        self, draws: DrawSource, stake: int, params: dict[str, Any], rtp_bps: int
    ) -> tuple[dict[str, Any], int]:
        """(outcome, payout) of one round; params already validated."""
        ...

    def distribution(self, rtp_bps: int, params: dict[str, Any]) -> Distribution: ...

    def theoretical_rtp(
        self, rtp_bps: int, params: dict[str, Any] | None = None, stake: int | None = None
    ) -> Fraction: ...


def payout(stake: int, multiplier: Fraction) -> int:
    """stake * multiplier rounded down: what every game pays."""
    return stake * multiplier.numerator // multiplier.denominator


def expected_return(dist: Distribution, stake: int | None = None) -> Fraction:
    """Exact expected payout per unit staked: with exact multipliers when `stake` is None, else
    with the payouts rounded down as a round of that stake pays them."""
    if stake is None:
        return sum((p * m for p, m in dist), Fraction(0))
    return sum((p * payout(stake, m) for p, m in dist), Fraction(0)) / stake


def win_probability(dist: Distribution) -> Fraction:
    return sum((p for p, m in dist if m > 0), Fraction(0))


def return_variance(dist: Distribution, stake: int) -> Fraction:
    """Exact variance of one round's payout / stake, payouts rounded down at `stake`."""
    mean = expected_return(dist, stake)
    return sum((p * (Fraction(payout(stake, m), stake) - mean) ** 2 for p, m in dist), Fraction(0))


def grouped(counts: dict[Fraction, int], space: int) -> Distribution:
    """Outcome counts by multiplier over an outcome space of `space` equally likely draws."""
    if sum(counts.values()) != space:
        raise AssertionError("the enumeration missed part of the outcome space")
    return tuple((Fraction(n, space), m) for m, n in sorted(counts.items()) if n)


class GameRules:
    """Shared behaviour of the games: the RTP computed from the exhaustive distribution."""

    def describe(self, rtp_bps: int) -> dict[str, Any]:
        raise NotImplementedError

    def validate_params(self, params: object, rtp_bps: int) -> dict[str, Any]:
        raise NotImplementedError

    def distribution(self, rtp_bps: int, params: dict[str, Any]) -> Distribution:
        raise NotImplementedError

    def theoretical_rtp(
        self, rtp_bps: int, params: dict[str, Any] | None = None, stake: int | None = None
    ) -> Fraction:
        """Exact expected return per unit staked over the whole outcome space, for `params`
        (None: the game's `example_params`). `stake` None: exact multipliers; else payouts
        rounded down as at that stake."""
        if params is None:
            params = self.describe(rtp_bps)["example_params"]
        params = self.validate_params(params, rtp_bps)
        return expected_return(self.distribution(rtp_bps, params), stake)


def strict_int(value: object) -> bool:
    """An int that is not a bool (JSON true is not 1 here)."""
    return isinstance(value, int) and not isinstance(value, bool)


def exact_keys(params: object, keys: tuple[str, ...], usage: str) -> dict[str, Any]:
    if not isinstance(params, dict) or set(params) != set(keys):
        raise InvalidParams(usage)
    return params


def int_param(params: dict[str, Any], key: str, low: int, high: int) -> int:
    """params[key] as an int in [low, high]: floats, bools and strings are refused."""
    value = params[key]
    if not strict_int(value):
        raise InvalidParams(f"{key} must be an integer")
    if not low <= value <= high:
        raise InvalidParams(f"{key} must be from {low} to {high}")
    return int(value)


def multiplier_text(multiplier_x100: int) -> str:
    """418.07 for 41807: a multiplier shown exactly, without a float."""
    return f"{multiplier_x100 // 100}.{multiplier_x100 % 100:02d}"


def theoretical_rtp(
    game: Game, rtp_bps: int, params: dict[str, Any], stake: int | None = None
) -> Fraction:
    """`game.theoretical_rtp` as a function (the older spelling callers use)."""
    return game.theoretical_rtp(rtp_bps, params, stake)


def payout_moments(
    game: Game, stake: int, params: dict[str, Any], rtp_bps: int
) -> tuple[float, float]:
    """Mean and variance of one round's payout in minor units (for the deviation statistics)."""
    dist = game.distribution(rtp_bps, params)
    mean = expected_return(dist, stake) * stake
    variance = return_variance(dist, stake) * stake * stake
    return float(mean), float(variance)

"""RTP by simulation through the real core: `casino simulate`.

Rounds are resolved with the fairness derivation and the game's own rules, nonce after nonce
under one server seed, and the actual RTP is compared with the exact theoretical RTP and its
99% interval, theoretical +- 2.576 * sigma / sqrt(N), sigma the exact standard deviation of one
round's return (payout / stake) from the game's distribution (DOMAIN.md section 3).

Dice, the game simulated by the million, takes its rolls from `fairness.first_draws` (the same
values as `Draws(...).below(10000)`, batched) and pays from the win count: every winning round
of one (stake, target, rtp) pays the same amount. Other games run `resolve` round by round.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Protocol

from .errors import InvalidParams, InvalidStake, RtpOutOfRange
from .fairness import (
    Draws,
    check_client_seed,
    first_draws,
    new_server_seed,
    server_seed_hash,
)
from .games import GAMES, Game, expected_return, return_variance, strict_int
from .games.dice import ROLLS

Z_99 = 2.576  # two-sided 99%
CHUNK = 250_000


@dataclass(frozen=True)
class Tally:
    rounds: int
    staked: int
    paid: int

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.rounds + other.rounds, self.staked + other.staked, self.paid + other.paid)


def play_range(
    game_id: str,
    rtp_bps: int,
    params: dict[str, Any],
    stake: int,
    server_seed: str,
    client_seed: str,
    first_nonce: int,
    count: int,
) -> Tally:
    """Play nonces [first_nonce, first_nonce + count) of one seed pair (params validated)."""
    if game_id == "dice":
        target = params["target"]
        rolls = first_draws(server_seed, client_seed, first_nonce, count, ROLLS)
        wins = sum(map(target.__gt__, rolls))  # roll < target, counted in C
        return Tally(count, stake * count, wins * (stake * rtp_bps // target))
    game, paid = GAMES[game_id], 0
    for nonce in range(first_nonce, first_nonce + count):
        paid += game.resolve(Draws(server_seed, client_seed, nonce), stake, params, rtp_bps)[1]
    return Tally(count, stake * count, paid)


@dataclass(frozen=True)
class SimulationStats:
    game_id: str
    rtp_bps: int
    params: dict[str, Any]
    stake: int
    tally: Tally
    theoretical_exact: Fraction  # expected payout / stake, payouts rounded as at `stake`
    sigma: float  # standard deviation of one round's payout / stake
    server_seed: str = ""
    client_seed: str = ""
    target: Fraction = field(default=Fraction(0))  # rtp_bps / 10000

    @property
    def rounds(self) -> int:
        return self.tally.rounds

    @property
    def actual_exact(self) -> Fraction:
        return Fraction(self.tally.paid, self.tally.staked) if self.tally.staked else Fraction(0)

    @property
    def actual(self) -> float:
        return float(self.actual_exact)

    @property
    def theoretical(self) -> float:
        return float(self.theoretical_exact)

    @property
    def half_width(self) -> float:
        return Z_99 * self.sigma / math.sqrt(max(self.tally.rounds, 1))

    @property
    def low(self) -> float:
        return self.theoretical - self.half_width

    @property
    def high(self) -> float:
        return self.theoretical + self.half_width

    @property
    def within(self) -> bool:
        return self.low <= self.actual <= self.high

    def as_dict(self) -> dict[str, Any]:
        return {
            "game_id": self.game_id,
            "rtp_bps": self.rtp_bps,
            "params": self.params,
            "stake": self.stake,
            "rounds": self.tally.rounds,
            "staked": self.tally.staked,
            "paid": self.tally.paid,
            "actual_rtp": self.actual,
            "theoretical_rtp": self.theoretical,
            "theoretical_rtp_exact": str(self.theoretical_exact),
            "sigma": self.sigma,
            "ci99": [self.low, self.high],
            "within_ci99": self.within,
            "server_seed": self.server_seed,
            "server_seed_hash": server_seed_hash(self.server_seed) if self.server_seed else "",
            "client_seed": self.client_seed,
        }


def report(
    game_id: str,
    rtp_bps: int,
    params: dict[str, Any],
    stake: int,
    tally: Tally,
    server_seed: str = "",
    client_seed: str = "",
) -> SimulationStats:
    """The statistics of a tally against the game's exact distribution at this stake."""
    dist = GAMES[game_id].distribution(rtp_bps, params)
    sigma = math.sqrt(return_variance(dist, stake))
    return SimulationStats(
        game_id,
        rtp_bps,
        params,
        stake,
        tally,
        expected_return(dist, stake),
        sigma,
        server_seed,
        client_seed,
        Fraction(rtp_bps, 10_000),
    )


class Executor(Protocol):
    """The part of `concurrent.futures.Executor` a simulation uses (None: run inline)."""

    def submit(self, fn: Callable[..., Tally], /, *args: Any) -> Future[Tally]: ...


# `play_range`'s arguments for one chunk: game, rtp, params, stake, seeds, first nonce, count.
ChunkArgs = tuple[str, int, dict[str, Any], int, str, str, int, int]


def chunks(rounds: int, size: int = CHUNK) -> list[tuple[int, int]]:
    return [(first, min(size, rounds - first)) for first in range(0, rounds, size)]


def simulate(
    game_id: str,
    rounds: int,
    rtp_bps: int,
    params: dict[str, Any] | None,
    seed_source: Callable[[int], bytes],
    *,
    stake: int = 100,
    client_seed: str = "simulate",
    progress: Callable[[int, int], None] | None = None,
    executor: Executor | None = None,
    chunk: int = CHUNK,
) -> SimulationStats:
    """Play `rounds` rounds (nonces 0 .. rounds - 1) under a server seed drawn from
    `seed_source` (a `token_bytes(n)`); `progress(done, total)` after every chunk."""
    game = _checked_game(game_id, rounds, rtp_bps, stake, client_seed)
    params = game.validate_params(
        game.describe(rtp_bps)["example_params"] if params is None else params, rtp_bps
    )
    server_seed = new_server_seed(seed_source)
    work = chunks(rounds, chunk)
    args = [(game_id, rtp_bps, params, stake, server_seed, client_seed, f, c) for f, c in work]
    tally = _play(args, rounds, progress, executor)
    return report(game_id, rtp_bps, params, stake, tally, server_seed, client_seed)


def _checked_game(game_id: str, rounds: int, rtp_bps: int, stake: int, client_seed: str) -> Game:
    """The game a simulation plays, once its arguments are valid (else the refusal)."""
    game = GAMES.get(game_id)
    if game is None:
        raise InvalidParams(f"no game {game_id!r}; games: {', '.join(sorted(GAMES))}")
    if not strict_int(rounds) or rounds < 1:
        raise InvalidParams("rounds must be a positive integer")
    if not strict_int(rtp_bps) or not 1 <= rtp_bps <= 10_000:
        raise RtpOutOfRange("rtp_bps must be an integer from 1 to 10000")
    if not strict_int(stake) or stake < 1:
        raise InvalidStake("stake must be a positive integer number of minor units")
    check_client_seed(client_seed)
    return game


def _play(
    args: Sequence[ChunkArgs],
    rounds: int,
    progress: Callable[[int, int], None] | None,
    executor: Executor | None,
) -> Tally:
    """Every chunk's tally (`play_range(*a)` for each of `args`, inline or on `executor`),
    summed in chunk order, with `progress` after each."""
    results: Iterable[Tally | Future[Tally]]
    if executor is None:
        results = (play_range(*a) for a in args)
    else:
        results = [executor.submit(play_range, *a) for a in args]
    tally = Tally(0, 0, 0)
    for result in results:
        tally = tally + (result.result() if isinstance(result, Future) else result)
        if progress is not None:
            progress(tally.rounds, rounds)
    return tally

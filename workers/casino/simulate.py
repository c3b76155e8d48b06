"""RTP simulation through the real core: rounds resolved with the fairness derivation and the
game's own rules, compared with the exact theoretical RTP and its confidence interval."""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from typing import Any

from .fairness import Draws
from .games import GAMES, payout_moments, theoretical_rtp
from .games.dice import ROLLS

Z_99 = 2.576


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
    """Play nonces [first_nonce, first_nonce + count) of one seed pair."""
    game = GAMES[game_id]
    if game_id == "dice":
        return _dice_range(rtp_bps, params["target"], stake, server_seed, client_seed,
                           first_nonce, count)  # fmt: skip
    paid = 0
    for nonce in range(first_nonce, first_nonce + count):
        paid += game.resolve(Draws(server_seed, client_seed, nonce), stake, params, rtp_bps)[1]
    return Tally(count, stake * count, paid)


def _dice_range(
    rtp_bps: int,
    target: int,
    stake: int,
    server_seed: str,
    client_seed: str,
    first: int,
    count: int,
) -> Tally:
    """Dice with the derivation inlined (the same bytes as `Draws.below(10000)`), for speed."""
    keyed = hmac.new(server_seed.encode("ascii"), digestmod=hashlib.sha256)
    prefix = client_seed.encode() + b":"
    limit = (2**64 // ROLLS) * ROLLS
    from_bytes = int.from_bytes
    wins = 0
    for nonce in range(first, first + count):
        head = prefix + str(nonce).encode() + b":"
        cursor = 0
        while True:
            mac = keyed.copy()
            mac.update(head + str(cursor).encode())
            u = from_bytes(mac.digest()[:8], "big")
            if u < limit:
                break
            cursor += 1
        if u % ROLLS < target:
            wins += 1
    return Tally(count, stake * count, wins * (stake * rtp_bps // target))


@dataclass(frozen=True)
class Report:
    game_id: str
    rtp_bps: int
    tally: Tally
    theoretical: float
    low: float
    high: float

    @property
    def actual(self) -> float:
        return self.tally.paid / self.tally.staked if self.tally.staked else 0.0

    @property
    def within(self) -> bool:
        return self.low <= self.actual <= self.high


def report(game_id: str, rtp_bps: int, params: dict[str, Any], stake: int, tally: Tally) -> Report:
    game = GAMES[game_id]
    theoretical = float(theoretical_rtp(game, rtp_bps, params, stake))
    _, variance = payout_moments(game, stake, params, rtp_bps)
    half = Z_99 * math.sqrt(variance) / stake / math.sqrt(max(tally.rounds, 1))
    return Report(game_id, rtp_bps, tally, theoretical, theoretical - half, theoretical + half)

"""A 3-reel, 1-line slot. Each reel is the same 20-stop strip; one unbiased draw per reel picks
its stop. The base paytable (multipliers of the stake) is scaled by rtp / base_rtp, so the
theoretical RTP equals the configured target exactly before integer rounding of payouts:

    strip     7 x1, BAR x3, BELL x4, CHERRY x5, LEMON x7   (20 stops)
    7 7 7             500      P = 1/8000
    BAR BAR BAR        60      P = 27/8000
    BELL BELL BELL     25      P = 64/8000
    CHERRY x3          12      P = 125/8000
    LEMON x3            5      P = 343/8000
    exactly 2 CHERRY    2      P = 3 * 25 * 15 / 8000 = 1125/8000
    base_rtp = 9185/8000 = 1.148125

A winning combination pays stake * base * rtp_bps / (10000 * base_rtp), rounded down. The
outcome space is the 20^3 = 8000 stop triples, enumerated exactly by `distribution`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from itertools import product
from typing import Any

from ..errors import InvalidParams
from ..fairness import Draws

STRIP: tuple[str, ...] = ("7",) + ("BAR",) * 3 + ("BELL",) * 4 + ("CHERRY",) * 5 + ("LEMON",) * 7
THREE_OF_A_KIND = {"7": 500, "BAR": 60, "BELL": 25, "CHERRY": 12, "LEMON": 5}
TWO_CHERRIES = 2


def combo(symbols: tuple[str, str, str]) -> tuple[str | None, int]:
    """The winning combination of a line and its base multiplier (0 when it loses)."""
    if symbols[0] == symbols[1] == symbols[2]:
        return f"three_{symbols[0].lower()}", THREE_OF_A_KIND[symbols[0]]
    if symbols.count("CHERRY") == 2:
        return "two_cherries", TWO_CHERRIES
    return None, 0


def _outcomes() -> Counter[int]:
    """How many of the 8000 stop triples give each base multiplier."""
    counts: Counter[int] = Counter()
    for stops in product(range(len(STRIP)), repeat=3):
        counts[combo(tuple(STRIP[s] for s in stops))[1]] += 1  # type: ignore[arg-type]
    return counts


OUTCOMES = _outcomes()
SPACE = len(STRIP) ** 3
BASE_RTP = Fraction(sum(mult * n for mult, n in OUTCOMES.items()), SPACE)


def payout(stake: int, base: int, rtp_bps: int) -> int:
    scaled = Fraction(stake * base * rtp_bps, 10_000) / BASE_RTP
    return scaled.numerator // scaled.denominator


@dataclass(frozen=True)
class Slots:
    game_id: str = "slots"
    name: str = "Fruit Slot"
    kind: str = "slot"
    default_rtp_bps: int = 9600
    min_stake: int = 10
    max_stake: int = 1_000_00

    def describe(self, rtp_bps: int) -> dict[str, Any]:
        factor = Fraction(rtp_bps, 10_000) / BASE_RTP
        lines = {f"three_{s.lower()}": float(m * factor) for s, m in THREE_OF_A_KIND.items()}
        lines["two_cherries"] = float(TWO_CHERRIES * factor)
        return {
            "params": {},
            "reel_strip": list(STRIP),
            "multipliers": {k: round(v, 4) for k, v in lines.items()},
            "payout": "stake * multiplier, rounded down to the centavo",
            "top_prize_odds": f"1 in {SPACE}",
            "rtp_bps": rtp_bps,
            "example_params": {},
        }

    def validate_params(self, params: object, rtp_bps: int) -> dict[str, Any]:
        if params not in ({}, None):
            raise InvalidParams("slots takes no params")
        return {}

    def resolve(
        self, draws: Draws, stake: int, params: dict[str, Any], rtp_bps: int
    ) -> tuple[dict[str, Any], int]:
        stops = [draws.below(len(STRIP)) for _ in range(3)]
        symbols = (STRIP[stops[0]], STRIP[stops[1]], STRIP[stops[2]])
        line, base = combo(symbols)
        return (
            {"stops": stops, "reels": list(symbols), "line": line, "win": base > 0},
            payout(stake, base, rtp_bps) if base else 0,
        )

    def distribution(
        self, stake: int, params: dict[str, Any], rtp_bps: int
    ) -> list[tuple[Fraction, int]]:
        return [
            (Fraction(n, SPACE), payout(stake, base, rtp_bps) if base else 0)
            for base, n in sorted(OUTCOMES.items())
        ]


SLOTS = Slots()

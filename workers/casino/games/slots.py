"""A 3-reel, 1-line fruit slot whose paytable is scaled to the configured RTP exactly.

Each reel is the same 20-stop strip; the round takes one unbiased draw in [0, 20) per reel
(reel 1, 2, 3 at successive cursors). The 20^3 = 8000 stop triples are equally likely.

    strip            7 x1, BAR x3, BELL x4, CHERRY x5, LEMON x7          (20 stops)
    line             triples   base weight
    three_7                1       500
    three_bar             27        60
    three_bell            64        25
    three_cherry         125        12
    three_lemon          343         5
    two_cherries        1125         2     exactly two CHERRY, anywhere on the line
    (losing)            6315         0
    sum of triples x weight = 9185

Multipliers are integers in hundredths (`multiplier_x100`), so the paytable shows them exactly
and a win pays stake * multiplier_x100 // 100. For a target rtp_bps the return over the 8000
triples must be sum(triples * m) = rtp_bps * 8000 / 100 = 80 * rtp_bps. Every line but the
top one gets m = weight * 80 * rtp_bps // 9185 (the base weights scaled down to the target);
the top line (one triple) takes the remainder, so the sum is exactly 80 * rtp_bps and the
theoretical RTP is exactly rtp_bps / 10000 before payouts are rounded down (which costs less
than one minor unit per winning round). The counts above come from enumerating the 8000
triples with the same `line_of` that resolves a round, not from a formula.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from itertools import product
from typing import Any

from ..errors import InvalidParams
from .game import Distribution, DrawSource, GameRules, grouped, multiplier_text

STRIP: tuple[str, ...] = ("7",) + ("BAR",) * 3 + ("BELL",) * 4 + ("CHERRY",) * 5 + ("LEMON",) * 7
REELS = 3
SPACE = len(STRIP) ** REELS
TOP_LINE = "three_7"
# line -> (what it is, base weight), best first.
LINES: dict[str, tuple[str, int]] = {
    "three_7": ("7 7 7", 500),
    "three_bar": ("BAR BAR BAR", 60),
    "three_bell": ("BELL BELL BELL", 25),
    "three_cherry": ("CHERRY CHERRY CHERRY", 12),
    "three_lemon": ("LEMON LEMON LEMON", 5),
    "two_cherries": ("exactly two CHERRY", 2),
}


def line_of(symbols: tuple[str, ...]) -> str | None:
    """The winning line of three symbols, or None: the rule of the game."""
    if symbols[0] == symbols[1] == symbols[2]:
        return f"three_{symbols[0].lower()}"
    if symbols.count("CHERRY") == 2:
        return "two_cherries"
    return None


@functools.cache
def line_counts() -> dict[str | None, int]:
    """How many of the 8000 stop triples land on each line (None: no win), by enumeration."""
    counts: Counter[str | None] = Counter()
    for stops in product(range(len(STRIP)), repeat=REELS):
        counts[line_of(tuple(STRIP[s] for s in stops))] += 1
    return dict(counts)


@functools.lru_cache(maxsize=256)
def paytable_x100(rtp_bps: int) -> dict[str, int]:
    """Each line's multiplier in hundredths, summing to exactly 80 * rtp_bps over the triples."""
    counts = line_counts()
    target, remainder = divmod(rtp_bps * SPACE, 100)  # the return over SPACE, in hundredths
    base_total = sum(counts[line] * weight for line, (_, weight) in LINES.items())
    if remainder or counts[TOP_LINE] != 1:
        raise AssertionError("the paytable cannot be scaled exactly")
    table = {
        line: weight * target // base_total
        for line, (_, weight) in LINES.items()
        if line != TOP_LINE
    }
    table[TOP_LINE] = target - sum(counts[line] * m for line, m in table.items())
    return {line: table[line] for line in LINES}


@functools.lru_cache(maxsize=256)
def _distribution(rtp_bps: int) -> Distribution:
    table = paytable_x100(rtp_bps)
    counts: Counter[Fraction] = Counter()
    for line, n in line_counts().items():
        counts[Fraction(table[line], 100) if line else Fraction(0)] += n
    return grouped(counts, SPACE)


@dataclass(frozen=True)
class Slots(GameRules):
    game_id: str = "slots"
    name: str = "Fruit Slot"
    kind: str = "slot"
    default_rtp_bps: int = 9600
    min_stake: int = 10
    max_stake: int = 1_000_00

    def describe(self, rtp_bps: int) -> dict[str, Any]:
        table, counts = paytable_x100(rtp_bps), line_counts()
        return {
            "params": {},
            "reel_strip": list(STRIP),
            "reels": REELS,
            "draws": [{"range": len(STRIP), "name": f"reel {i + 1} stop"} for i in range(REELS)],
            "outcome_space": SPACE,
            "lines": [
                {
                    "line": line,
                    "symbols": symbols,
                    "combinations": counts[line],
                    "probability": f"{counts[line]}/{SPACE}",
                    "multiplier_x100": table[line],
                    "multiplier": multiplier_text(table[line]),
                }
                for line, (symbols, _) in LINES.items()
            ],
            "outcome": {
                "stops": "the stop of each reel, in [0, 20)",
                "reels": "the symbol at each stop",
                "line": "the winning line, or null",
                "multiplier_x100": "the line's multiplier in hundredths, 0 when it loses",
                "win": "multiplier_x100 > 0",
            },
            "payout": "stake * multiplier_x100 // 100",
            "theoretical_rtp_bps": rtp_bps,
            "rtp_bps": rtp_bps,
            "example_params": {},
        }

    def validate_params(self, params: object, rtp_bps: int) -> dict[str, Any]:
        if not isinstance(params, dict) or params:
            raise InvalidParams("slots takes no params: {}")
        return {}

    def resolve(
        self, draws: DrawSource, stake: int, params: dict[str, Any], rtp_bps: int
    ) -> tuple[dict[str, Any], int]:
        stops = [draws.below(len(STRIP)) for _ in range(REELS)]
        symbols = tuple(STRIP[s] for s in stops)
        line = line_of(symbols)
        multiplier_x100 = paytable_x100(rtp_bps)[line] if line else 0
        outcome = {
            "stops": stops,
            "reels": list(symbols),
            "line": line,
            "multiplier_x100": multiplier_x100,
            "win": multiplier_x100 > 0,
        }
        return outcome, stake * multiplier_x100 // 100

    def distribution(self, rtp_bps: int, params: dict[str, Any]) -> Distribution:
        return _distribution(rtp_bps)


SLOTS = Slots()

"""The games, by id: each a pure module with its paytable, its outcome space and its exact RTP."""

from __future__ import annotations

from .dice import DICE
from .game import (
    Distribution,
    DrawSource,
    Game,
    expected_return,
    payout,
    payout_moments,
    return_variance,
    strict_int,
    theoretical_rtp,
    win_probability,
)
from .limbo import LIMBO
from .slots import SLOTS

GAMES: dict[str, Game] = {game.game_id: game for game in (DICE, SLOTS, LIMBO)}

__all__ = [
    "GAMES",
    "Distribution",
    "DrawSource",
    "Game",
    "expected_return",
    "payout",
    "payout_moments",
    "return_variance",
    "strict_int",
    "theoretical_rtp",
    "win_probability",
]

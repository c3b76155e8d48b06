"""The core's settlement of a round, the same code on CPython and in Pyodide (B8): the dice
params validated, the round's draws derived, the outcome resolved, its payout moments, the BET
and WIN decided and folded into the ledger. Standard library and `casino` only."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def settle(rounds: int) -> int:
    from casino import fairness
    from casino.games import GAMES, payout_moments
    from casino.ledger import Ledger, decide_bet_and_win, evolve

    game = GAMES["dice"]
    ledger = Ledger(10**12, 1)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    seed = "ab" * 32
    for nonce in range(rounds):
        params = game.validate_params({"target": 5000}, 9700)
        _, payout = game.resolve(fairness.Draws(seed, "client", nonce), 100, params, 9700)
        payout_moments(game, 100, params, 9700)
        for event in decide_bet_and_win(ledger, 100, payout, f"round:{nonce}", now):
            ledger = evolve(ledger, event)
    return ledger.balance


def timed(rounds: int, repeats: int) -> list[float]:
    settle(min(rounds, 200))  # imports and caches warm
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        settle(rounds)
        times.append(time.perf_counter() - start)
    return times

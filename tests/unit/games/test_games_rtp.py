"""Each game's exact theoretical RTP equals the configured target within the integer rounding
of payouts, for every target from 80.00% to 99.00%."""

from __future__ import annotations

from fractions import Fraction

import pytest

from casino.errors import InvalidParams
from casino.fairness import Draws
from casino.games import GAMES, payout_moments, theoretical_rtp
from casino.games.limbo import result_x100, winning_draws
from casino.games.slots import BASE_RTP, OUTCOMES, SPACE

STAKE = 1_000_000  # R$ 10,000: large enough that rounding is visible but small
TARGETS = range(8000, 9901)


@pytest.mark.parametrize("game_id", sorted(GAMES))
def test_theoretical_rtp_equals_the_target_within_rounding_for_every_target(game_id):
    game = GAMES[game_id]
    params = game.describe(9700)["example_params"]
    for rtp_bps in TARGETS:
        exact = theoretical_rtp(game, rtp_bps, params, STAKE)
        target = Fraction(rtp_bps, 10_000)
        assert exact <= target  # payouts are rounded down, never up
        # Rounding loses less than one minor unit per outcome: at most 1/stake per round.
        bound = Fraction(1, STAKE)
        if game_id == "limbo":  # the win count is rounded down as well: M / (100 N)
            bound += Fraction(params["target_multiplier_x100"], 100 * 100_000_000)
        assert target - exact <= bound, (game_id, rtp_bps, float(target - exact))


def test_dice_is_exact_for_every_target_parameter():
    dice = GAMES["dice"]
    for target in range(100, 9700, 37):
        exact = theoretical_rtp(dice, 9700, {"target": target}, 10_000 * target)
        assert exact == Fraction(97, 100)  # stake multiple of target: no rounding at all


def test_the_slot_outcome_space_is_enumerated_exhaustively():
    assert sum(OUTCOMES.values()) == SPACE == 8000
    assert Fraction(9185, 8000) == BASE_RTP


def test_limbo_counts_its_winning_draws_exactly():
    # Exhaustive over a small outcome space: the closed form equals the count.
    n = 10_000
    for rtp in (8000, 9700, 9900):
        for m in (101, 150, 200, 777, 5000):
            count = sum(1 for u in range(n) if result_x100(rtp, u, n) >= m)
            assert count == winning_draws(rtp, m, n)


@pytest.mark.parametrize(
    ("game_id", "params"),
    [
        ("dice", {"target": 99}),
        ("dice", {"target": 9700}),
        ("dice", {"target": 50.0}),
        ("dice", {"target": True}),
        ("dice", {"target": "5000"}),
        ("dice", {"target": 5000, "extra": 1}),
        ("dice", []),
        ("limbo", {"target_multiplier_x100": 100}),
        ("limbo", {"target_multiplier_x100": 1_000_001}),
        ("slots", {"lines": 3}),
    ],
)
def test_invalid_params_are_refused(game_id, params):
    with pytest.raises(InvalidParams):
        GAMES[game_id].validate_params(params, 9700)


@pytest.mark.parametrize("game_id", sorted(GAMES))
def test_resolution_agrees_with_the_distribution(game_id):
    game = GAMES[game_id]
    params = game.validate_params(game.describe(9700)["example_params"], 9700)
    payouts = {x for _, x in game.distribution(1000, params, 9700)}
    rounds = 20_000
    total = 0
    for nonce in range(rounds):
        _, payout = game.resolve(Draws("cd" * 32, "rtp", nonce), 1000, params, 9700)
        assert payout in payouts
        total += payout
    mean, variance = payout_moments(game, 1000, params, 9700)
    sd_of_mean = (variance / rounds) ** 0.5
    assert abs(total / rounds - mean) < 4.5 * sd_of_mean

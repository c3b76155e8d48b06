"""Each game's exact theoretical RTP equals the configured target, for every target from
8000 to 9900 bps (every 1 bps), within bounds stated per game:

- dice, slots: exactly rtp_bps / 10000 with exact multipliers (no bound at all);
- limbo: below the target by less than M / (100 * N) (the draw space N = 10^8 is finite);
- at a stake S, payouts are rounded down: the RTP is lower by less than P(win) / S (each
  winning round loses less than one minor unit), and never higher.

The distributions come from enumerating each game's outcome space with its own rule.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from casino.games import GAMES, expected_return, payout_moments, theoretical_rtp, win_probability
from casino.games.dice import ROLLS, wins
from casino.games.limbo import N, result_x100, winning_draws, winning_draws_closed_form
from casino.games.slots import LINES, SPACE, STRIP, line_counts, line_of, paytable_x100

TARGETS = range(8000, 9901)
STAKE = 1001  # a reference stake that is not a round number, so rounding shows


def dice_targets(rtp_bps: int) -> tuple[int, ...]:
    # The extremes and one that moves through the whole range as rtp_bps does.
    return 100, rtp_bps - 1, 100 + (rtp_bps * 7919) % (rtp_bps - 100)


def check_rounding(game_id: str, rtp_bps: int, params: dict, stake: int) -> None:
    game = GAMES[game_id]
    exact = game.theoretical_rtp(rtp_bps, params)
    rounded = game.theoretical_rtp(rtp_bps, params, stake=stake)
    p_win = win_probability(game.distribution(rtp_bps, params))
    assert 0 <= exact - rounded < p_win / stake, (game_id, rtp_bps, params)


def test_dice_rtp_is_exactly_the_target_for_every_target_and_spread_of_params():
    for rtp_bps in TARGETS:
        for target in dice_targets(rtp_bps):
            params = {"target": target}
            assert GAMES["dice"].theoretical_rtp(rtp_bps, params) == Fraction(rtp_bps, 10_000)
            check_rounding("dice", rtp_bps, params, STAKE)


def test_dice_rtp_is_exact_for_every_target_param_when_the_stake_divides_evenly():
    dice = GAMES["dice"]
    for target in range(100, 9700, 7):
        # stake * rtp_bps is a multiple of target: the payout needs no rounding at all.
        assert dice.theoretical_rtp(9700, {"target": target}, stake=10 * target) == Fraction(
            97, 100
        )


def test_slots_rtp_is_exactly_the_target_for_every_target():
    counts = line_counts()
    for rtp_bps in TARGETS:
        table = paytable_x100(rtp_bps)
        assert sum(counts[line] * m for line, m in table.items()) == 80 * rtp_bps
        assert GAMES["slots"].theoretical_rtp(rtp_bps) == Fraction(rtp_bps, 10_000)
        check_rounding("slots", rtp_bps, {}, STAKE)


def test_limbo_rtp_is_within_one_draw_of_the_target_for_every_target():
    for rtp_bps in TARGETS:
        for m in (101, 200, 1000, 12_345, 1_000_000):
            params = {"target_multiplier_x100": m}
            exact = GAMES["limbo"].theoretical_rtp(rtp_bps, params)
            gap = Fraction(rtp_bps, 10_000) - exact
            assert 0 <= gap < Fraction(m, 100 * N), (rtp_bps, m)
            check_rounding("limbo", rtp_bps, params, STAKE)


def test_the_dice_distribution_counts_every_roll():
    for rtp_bps, target in ((9700, 5000), (8000, 100), (9900, 9899)):
        dist = GAMES["dice"].distribution(rtp_bps, {"target": target})
        winning = sum(1 for roll in range(ROLLS) if wins(roll, target))
        assert dist == (
            (Fraction(ROLLS - winning, ROLLS), Fraction(0)),
            (Fraction(winning, ROLLS), Fraction(rtp_bps, target)),
        )
        assert winning == target


def test_the_slot_outcome_space_is_enumerated_exhaustively():
    counts = line_counts()
    assert sum(counts.values()) == SPACE == len(STRIP) ** 3 == 8000
    assert counts == {
        "three_7": 1, "three_bar": 27, "three_bell": 64, "three_cherry": 125,
        "three_lemon": 343, "two_cherries": 1125, None: 6315,
    }  # fmt: skip
    assert sum(counts[line] * weight for line, (_, weight) in LINES.items()) == 9185
    assert line_of(("CHERRY", "7", "CHERRY")) == "two_cherries"
    assert line_of(("CHERRY",) * 3) == "three_cherry"
    assert line_of(("7", "7", "BAR")) is None


def test_the_slot_paytable_keeps_its_order_and_scales_with_the_target():
    for rtp_bps in (8000, 8500, 9600, 9900):
        table = paytable_x100(rtp_bps)
        values = [table[line] for line in LINES]
        assert values == sorted(values, reverse=True) and values[-1] > 100  # every win > 1x
    assert paytable_x100(9600) == {
        "three_7": 42184, "three_bar": 5016, "three_bell": 2090, "three_cherry": 1003,
        "three_lemon": 418, "two_cherries": 167,
    }  # fmt: skip


@pytest.mark.parametrize("rtp_bps", [8000, 9700, 9900])
def test_limbo_wins_counted_over_all_10_pow_8_draws_equal_the_bisection(rtp_bps):
    # Every draw u, grouped in blocks of q = u + 1 where rtp * N // (100 q) is constant; the
    # game's own function is evaluated at both ends of each block.
    a = rtp_bps * N // 100
    by_result: dict[int, int] = {}
    q = 1
    while q <= N:
        v = a // q
        last = min(N, a // v) if v else N
        assert result_x100(rtp_bps, q - 1) == result_x100(rtp_bps, last - 1) == max(100, v)
        by_result[max(100, v)] = by_result.get(max(100, v), 0) + last - q + 1
        q = last + 1
    assert sum(by_result.values()) == N
    for m in (101, 150, 200, 999, 1000, 5000, 123_457, 1_000_000):
        counted = sum(n for result, n in by_result.items() if result >= m)
        assert counted == winning_draws(rtp_bps, m) == winning_draws_closed_form(rtp_bps, m)


def test_limbo_counts_its_winning_draws_exactly_by_brute_force_on_small_spaces():
    for n in (1_000, 10_000):
        for rtp in (8000, 9700, 9900):
            for m in (101, 150, 200, 777, 5000, n * 100):
                count = sum(1 for u in range(n) if result_x100(rtp, u, n) >= m)
                assert count == winning_draws(rtp, m, n) == winning_draws_closed_form(rtp, m, n)


def test_the_function_spelling_and_the_payout_moments_agree_with_the_distribution():
    dice = GAMES["dice"]
    params = {"target": 2500}
    assert theoretical_rtp(dice, 9700, params, 1000) == dice.theoretical_rtp(9700, params, 1000)
    mean, variance = payout_moments(dice, 1000, params, 9700)
    win = 1000 * 9700 // 2500
    assert mean == pytest.approx(0.25 * win)
    assert variance == pytest.approx(0.25 * 0.75 * win**2)
    dist = dice.distribution(9700, params)
    assert expected_return(dist) == Fraction(97, 100)


@pytest.mark.parametrize("game_id", sorted(GAMES))
def test_every_distribution_is_a_probability_distribution(game_id):
    game = GAMES[game_id]
    for rtp_bps in (8000, 9700, 9900):
        params = game.describe(rtp_bps)["example_params"]
        dist = game.distribution(rtp_bps, params)
        assert sum(p for p, _ in dist) == 1
        assert all(p > 0 and m >= 0 for p, m in dist)
        assert len({m for _, m in dist}) == len(dist)

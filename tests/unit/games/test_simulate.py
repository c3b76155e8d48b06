"""`casino simulate`: the real derivation and rules, exact statistics, the command."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction

import pytest

from casino.errors import InvalidParams, InvalidStake, RtpOutOfRange
from casino.fairness import Draws
from casino.games import GAMES
from casino.simulate import Tally, play_range, report, simulate
from local_runtime.simulate_cli import main

SEED = "ab" * 32


def fixed(byte: int):
    return lambda n: bytes([byte]) * n


def test_the_fast_dice_path_pays_exactly_what_resolve_pays():
    params = {"target": 4321}
    tally = play_range("dice", 9700, params, 137, SEED, "sim", 10, 5000)
    paid = sum(
        GAMES["dice"].resolve(Draws(SEED, "sim", n), 137, params, 9700)[1] for n in range(10, 5010)
    )
    assert tally == Tally(5000, 137 * 5000, paid)


def test_a_simulation_plays_nonces_0_to_n_under_a_seed_from_the_entropy_source():
    progress: list[tuple[int, int]] = []
    stats = simulate("slots", 2500, 9600, {}, fixed(0xAB), stake=100, chunk=1000,
                     progress=lambda done, total: progress.append((done, total)))  # fmt: skip
    assert stats.server_seed == SEED and stats.client_seed == "simulate"
    assert stats.tally == play_range("slots", 9600, {}, 100, SEED, "simulate", 0, 2500)
    assert progress == [(1000, 2500), (2000, 2500), (2500, 2500)]


def test_the_statistics_are_exact_from_the_distribution():
    stats = simulate("dice", 1000, 9700, {"target": 2500}, fixed(1), stake=100)
    # One round's return is 3.88 with probability 1/4, else 0.
    assert stats.theoretical_exact == Fraction(97, 100)
    assert stats.sigma == pytest.approx(3.88 * math.sqrt(0.25 * 0.75))
    assert stats.half_width == pytest.approx(2.576 * stats.sigma / math.sqrt(1000))
    assert stats.actual_exact == Fraction(stats.tally.paid, stats.tally.staked)


def test_the_theoretical_rtp_counts_the_rounding_at_the_simulated_stake():
    stats = simulate("dice", 10, 9700, {"target": 3333}, fixed(1), stake=10)
    assert stats.theoretical_exact == Fraction(3333, 10_000) * (10 * 9700 // 3333) / 10


@pytest.mark.parametrize("game_id", sorted(GAMES))
def test_simulations_land_in_their_99_percent_interval(game_id):
    # Fixed seeds: deterministic. (An honest game leaves the interval in 1% of random runs.)
    stats = simulate(game_id, 30_000, 9500, None, fixed(7), stake=1000)
    assert stats.low < stats.actual < stats.high and stats.within
    assert stats.as_dict()["within_ci99"] is True


def test_chunks_can_run_on_an_executor_with_the_same_result():
    inline = simulate("dice", 20_000, 9700, None, fixed(3), chunk=3000)
    with ThreadPoolExecutor(2) as pool:
        pooled = simulate("dice", 20_000, 9700, None, fixed(3), chunk=3000, executor=pool)
    assert pooled.tally == inline.tally


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"game_id": "poker"}, InvalidParams),
        ({"rounds": 0}, InvalidParams),
        ({"params": {"target": 99}}, InvalidParams),
        ({"rtp_bps": 10_001}, RtpOutOfRange),
        ({"stake": 0}, InvalidStake),
        ({"stake": 1.5}, InvalidStake),
    ],
)
def test_bad_simulations_are_refused(kwargs, error):
    args = {"game_id": "dice", "rounds": 10, "rtp_bps": 9700, "params": None} | kwargs
    with pytest.raises(error):
        simulate(**args, seed_source=fixed(1))


def test_report_keeps_the_older_call(capsys):
    tally = play_range("limbo", 9700, {"target_multiplier_x100": 200}, 100, SEED, "s", 0, 100)
    stats = report("limbo", 9700, {"target_multiplier_x100": 200}, 100, tally)
    assert stats.rounds == 100 and stats.theoretical == pytest.approx(0.97)


def test_the_command_prints_the_comparison(capsys):
    assert main(["--game", "dice", "--rounds", "3000", "--target", "5000", "--workers", "1",
                 "--server-seed", SEED]) == 0  # fmt: skip
    captured = capsys.readouterr()
    assert "theoretical RTP 97.0000%" in captured.out and SEED in captured.out
    assert "3,000/3,000 rounds" in captured.err  # the progress bar
    assert main(["--game", "limbo", "--rounds", "500", "--target", "300", "--quiet",
                 "--json", "--rtp-bps", "9000"]) == 0  # fmt: skip
    assert '"target_multiplier_x100": 300' in capsys.readouterr().out


def test_the_command_refuses_bad_input_with_exit_2(capsys):
    assert main(["--game", "dice", "--rounds", "10", "--target", "50"]) == 2
    assert main(["--game", "dice", "--rounds", "10", "--server-seed", "xyz"]) == 2
    assert main(["--game", "dice", "--rounds", "10", "--params", "{bad"]) == 2
    assert main(["--game", "nope", "--rounds", "10"]) == 2

from __future__ import annotations

import json

from casino.fairness import Draws, server_seed_hash
from casino.games import GAMES
from casino.simulate import Tally, play_range, report
from casino.verify import verify_rounds
from local_runtime.tools import simulate_main, verify_main

SEED = "ab" * 32


def rounds_for(game_id: str, params: dict, count: int = 5) -> list[dict]:
    game = GAMES[game_id]
    out = []
    for nonce in range(count):
        outcome, payout = game.resolve(Draws(SEED, "cs", nonce), 1000, params, 9700)
        out.append({"round_id": f"r{nonce}", "nonce": nonce, "server_seed_hash": server_seed_hash(SEED),
                    "client_seed": "cs", "rtp_bps": 9700, "stake": 1000, "params": params,
                    "outcome": outcome, "payout": payout, "game_id": game_id})  # fmt: skip
    return out


def test_verification_passes_for_honest_rounds_of_every_game():
    for game_id, game in GAMES.items():
        rounds = rounds_for(game_id, game.describe(9700)["example_params"])
        assert verify_rounds(SEED, rounds) == (5, [])


def test_verification_catches_a_tampered_outcome_payout_or_seed():
    rounds = rounds_for("dice", {"target": 5000})
    rounds[1]["payout"] += 1
    rounds[2]["outcome"] = {"roll": 0, "win": True}
    checked, problems = verify_rounds(SEED, rounds)
    assert checked == 5 and len(problems) == 2
    assert verify_rounds("cd" * 32, rounds) == (0, [])  # another seed: nothing of it here


def test_the_verify_command_exits_non_zero_on_a_mismatch(tmp_path, capsys):
    rounds = rounds_for("dice", {"target": 5000})
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"rounds": rounds}))
    assert verify_main(["--seed", SEED, str(good)]) == 0
    rounds[0]["payout"] = 123456
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"revealed_server_seed": SEED, "rounds": rounds}))
    assert verify_main([str(bad)]) == 1
    assert "MISMATCH nonce 0" in capsys.readouterr().out


def test_the_fast_dice_simulation_is_the_real_derivation():
    tally = play_range("dice", 9700, {"target": 5000}, 100, SEED, "sim", 0, 2000)
    paid = sum(
        GAMES["dice"].resolve(Draws(SEED, "sim", n), 100, {"target": 5000}, 9700)[1]
        for n in range(2000)
    )
    assert tally == Tally(2000, 200_000, paid)


def test_a_simulation_lands_in_its_confidence_interval(capsys):
    tally = play_range("slots", 9600, {}, 100, SEED, "sim", 0, 20_000)
    result = report("slots", 9600, {}, 100, tally)
    assert result.low < result.theoretical < result.high
    assert simulate_main(["--game", "limbo", "--rounds", "2000", "--workers", "1"]) == 0
    assert "theoretical RTP" in capsys.readouterr().out

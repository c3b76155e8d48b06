"""`casino verify`: honest rounds pass; a tampered hash, outcome, payout, params or nonce and a
malformed round are reported; the command's exit codes."""

from __future__ import annotations

import copy
import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casino.fairness import Draws, server_seed_hash
from casino.games import GAMES
from casino.verify import ReferenceDraws, verify_round, verify_rounds
from local_runtime.verify_cli import main

SEED = "ab" * 32
OTHER = "cd" * 32
PARAMS = {"dice": {"target": 5000}, "slots": {}, "limbo": {"target_multiplier_x100": 150}}


def rounds_for(game_id: str, count: int = 5, seed: str = SEED, first: int = 0) -> list[dict]:
    game, params = GAMES[game_id], PARAMS[game_id]
    out = []
    for nonce in range(first, first + count):
        outcome, paid = game.resolve(Draws(seed, "cs", nonce), 1000, params, 9700)
        out.append({"round_id": f"{game_id}-{nonce}", "nonce": nonce, "server_seed_hash":
                    server_seed_hash(seed), "client_seed": "cs", "rtp_bps": 9700, "stake": 1000,
                    "params": params, "outcome": outcome, "payout": paid, "game_id": game_id})  # fmt: skip
    return out


ROUNDS = {game_id: rounds_for(game_id) for game_id in GAMES}


def fields(mismatches: list[dict]) -> list[tuple[int, str]]:
    return [(m["index"], m["field"]) for m in mismatches]


def test_honest_rounds_of_every_game_verify():
    for game_id in GAMES:
        assert verify_rounds(SEED, rounds_for(game_id, 20)) == []


def test_a_round_without_game_id_is_dice():
    rounds = rounds_for("dice")
    for r in rounds:
        del r["game_id"]
    assert verify_rounds(SEED, rounds) == []


def test_the_reference_draws_equal_the_platform_draws():
    for nonce in range(50):
        ours, reference = Draws(SEED, "cs", nonce), ReferenceDraws(SEED, "cs", nonce)
        for k in (20, 10_000, 2**63 + 1):
            assert ours.below(k) == reference.below(k)
        assert ours.cursor == reference.cursor


def test_tampered_outcome_payout_hash_params_and_nonce_are_each_reported():
    rounds = rounds_for("dice", 7)
    rounds[1]["payout"] += 1
    rounds[2]["outcome"] = {"roll": 0, "win": True}
    rounds[3]["server_seed_hash"] = server_seed_hash(OTHER)
    rounds[4]["params"] = {"target": 50}
    rounds[6]["nonce"] = 5  # replays nonce 5 with the outcome of nonce 6
    found = verify_rounds(SEED, rounds)
    assert fields(found) == [
        (1, "payout"), (2, "outcome"), (3, "server_seed_hash"), (4, "params"), (6, "outcome"),
        (6, "nonce"),
    ]  # fmt: skip
    assert found[0] == {
        "index": 1, "round_id": "dice-1", "nonce": 1, "field": "payout",
        "expected": rounds[1]["payout"] - 1, "recorded": rounds[1]["payout"],
        "detail": "the paytable gives another payout",
    }  # fmt: skip


def test_a_tampered_slot_reel_or_limbo_result_is_reported():
    slots, limbo = rounds_for("slots"), rounds_for("limbo")
    slots[0]["outcome"]["reels"] = ["7", "7", "7"]
    limbo[0]["outcome"]["result_x100"] += 1
    assert fields(verify_rounds(SEED, slots)) == [(0, "outcome")]
    assert fields(verify_rounds(SEED, limbo)) == [(0, "outcome")]


def test_the_wrong_seed_fails_every_round():
    rounds = rounds_for("dice")
    assert {m["field"] for m in verify_rounds(OTHER, rounds)} == {"server_seed_hash"}


def test_rounds_of_other_seeds_can_be_skipped_but_a_duplicate_nonce_cannot():
    rounds = rounds_for("dice", 3) + rounds_for("dice", 3, seed=OTHER)
    assert len(verify_rounds(SEED, rounds)) == 3
    assert verify_rounds(SEED, rounds, skip_other_seeds=True) == []
    assert fields(verify_rounds(SEED, rounds + rounds[:1], skip_other_seeds=True)) == [(6, "nonce")]


@pytest.mark.parametrize(
    "change",
    [
        {"stake": 10.0}, {"stake": 0}, {"stake": True}, {"payout": -1}, {"payout": "1940"},
        {"nonce": -1}, {"nonce": 1.0}, {"rtp_bps": 0}, {"client_seed": 7},
        {"server_seed_hash": None},
    ],
)  # fmt: skip
def test_malformed_rounds_are_reported_not_crashed_on(change):
    r = rounds_for("dice", 1)[0] | change
    assert [m["field"] for m in verify_round(SEED, r)] == ["round"]


def test_missing_fields_unknown_games_and_non_objects_are_reported():
    r = rounds_for("dice", 1)[0]
    del r["outcome"]
    assert verify_round(SEED, r)[0]["detail"] == "missing outcome"
    assert (
        verify_round(SEED, rounds_for("dice", 1)[0] | {"game_id": "poker"})[0]["field"] == "game_id"
    )
    assert verify_round(SEED, ["not", "a", "round"])[0]["field"] == "round"


@given(st.sampled_from(sorted(GAMES)), st.integers(0, 4), st.sampled_from(["payout", "outcome"]),
       st.integers(1, 10**6))  # fmt: skip
def test_any_single_tampering_is_found(game_id, index, field, delta):
    rounds = copy.deepcopy(ROUNDS[game_id])
    if field == "payout":
        rounds[index]["payout"] += delta
    else:
        key = {"dice": "roll", "slots": "multiplier_x100", "limbo": "result_x100"}[game_id]
        rounds[index]["outcome"][key] += delta
    assert [m["index"] for m in verify_rounds(SEED, rounds)] == [index]


def write(tmp_path, data) -> str:
    path = tmp_path / "rounds.json"
    path.write_text(json.dumps(data))
    return str(path)


def test_the_command_exits_0_when_every_round_matches(tmp_path, capsys):
    assert main(["--seed", SEED, write(tmp_path, {"rounds": rounds_for("slots")})]) == 0
    assert "5 rounds checked" in capsys.readouterr().out
    assert main(["--seed", SEED, write(tmp_path, rounds_for("dice"))]) == 0  # a bare list


def test_the_command_takes_the_seed_from_the_file_or_stdin(tmp_path, monkeypatch, capsys):
    data = {"revealed_server_seed": SEED, "rounds": rounds_for("limbo")}
    assert main([write(tmp_path, data)]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(data)))
    assert main(["-"]) == 0


def test_the_command_exits_1_on_a_mismatch_and_names_it(tmp_path, capsys):
    rounds = rounds_for("dice")
    rounds[0]["payout"] = 123456
    assert main(["--seed", SEED, write(tmp_path, {"rounds": rounds})]) == 1
    out = capsys.readouterr().out
    assert "MISMATCH round dice-0 nonce 0 payout" in out and "4 match, 1 mismatch" in out
    assert main(["--json", "--seed", SEED, write(tmp_path, {"rounds": rounds})]) == 1
    report = json.loads(capsys.readouterr().out)
    assert fields(report["mismatches"]) == [(0, "payout")]


def test_the_command_exits_1_when_no_round_is_under_the_seed(tmp_path, capsys):
    path = write(tmp_path, {"rounds": rounds_for("dice", seed=OTHER)})
    assert main(["--seed", SEED, path]) == 1
    assert "--skip-other-seeds" in capsys.readouterr().out
    assert main(["--skip-other-seeds", "--seed", SEED, path]) == 1
    assert main(["--seed", SEED, write(tmp_path, {"rounds": []})]) == 1


def test_the_command_exits_2_on_unreadable_input_or_a_malformed_seed(tmp_path, capsys):
    assert main(["--seed", SEED, str(tmp_path / "missing.json")]) == 2
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["--seed", SEED, str(bad)]) == 2
    assert main(["--seed", SEED.upper(), write(tmp_path, rounds_for("dice"))]) == 2
    assert main([write(tmp_path, rounds_for("dice"))]) == 2  # no seed at all
    assert main(["--seed", SEED, write(tmp_path, {"rounds": "x"})]) == 2
    assert main([]) == 2  # argparse usage error

"""Recompute a session's rounds from its revealed server seed (what `casino verify` runs)."""

from __future__ import annotations

from typing import Any

from .errors import DomainError
from .fairness import Draws, server_seed_hash
from .games import GAMES


def verify_rounds(server_seed: str, rounds: list[dict[str, Any]]) -> tuple[int, list[str]]:
    """(rounds checked, mismatches): every outcome and payout recomputed from the seed."""
    seed_hash = server_seed_hash(server_seed)
    checked, problems = 0, []
    for r in rounds:
        if r.get("server_seed_hash") != seed_hash:
            continue
        checked += 1
        game = GAMES.get(r.get("game_id", "dice"))
        if game is None:
            problems.append(f"round {r.get('round_id')}: unknown game {r.get('game_id')!r}")
            continue
        try:
            params = game.validate_params(r["params"], r["rtp_bps"])
        except DomainError as error:
            problems.append(f"nonce {r['nonce']}: invalid params ({error.detail})")
            continue
        draws = Draws(server_seed, r["client_seed"], r["nonce"])
        outcome, payout = game.resolve(draws, r["stake"], params, r["rtp_bps"])
        if outcome != r["outcome"] or payout != r["payout"]:
            problems.append(
                f"nonce {r['nonce']}: expected outcome {outcome} payout {payout}, "
                f"recorded {r['outcome']} payout {r['payout']}"
            )
    return checked, problems

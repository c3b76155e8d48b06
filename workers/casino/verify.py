"""Recompute a session's rounds from its revealed server seed: `casino verify`.

Stdlib and the pure core only. The draws are recomputed with `ReferenceDraws`, the derivation
of API.md written out with one `hmac.new` per digest, not the fast path the platform plays
with, so a fault in one would show as a mismatch against the other. The game rules are the
core's, the same the platform resolved the round with.

Input: the JSON `GET /v1/sessions/{id}/rounds` returns (`{"rounds": [...]}`), a bare list of
rounds, or `{"revealed_server_seed": ..., "rounds": [...]}`. Each round carries round_id, nonce,
server_seed_hash, client_seed, rtp_bps, stake, params, outcome, payout and game_id (dice when
absent).
"""

from __future__ import annotations

from typing import Any

from .errors import DomainError
from .fairness import draw, server_seed_hash
from .games import GAMES, strict_int

Mismatch = dict[str, Any]
FIELDS = (
    "nonce",
    "server_seed_hash",
    "client_seed",
    "rtp_bps",
    "stake",
    "params",
    "outcome",
    "payout",
)


class ReferenceDraws:
    """A round's draws straight from the text of API.md (see `fairness.draw`)."""

    def __init__(self, server_seed: str, client_seed: str, nonce: int) -> None:
        self.server_seed, self.client_seed, self.nonce = server_seed, client_seed, nonce
        self.cursor = 0

    def below(self, k: int) -> int:
        value, self.cursor = draw(self.server_seed, self.client_seed, self.nonce, k, self.cursor)
        return value


def _mismatch(r: dict[str, Any], field: str, expected: Any, recorded: Any, detail: str) -> Mismatch:
    return {
        "round_id": r.get("round_id"),
        "nonce": r.get("nonce"),
        "field": field,
        "expected": expected,
        "recorded": recorded,
        "detail": detail,
    }


def _malformed(r: dict[str, Any]) -> str | None:
    missing = [f for f in FIELDS if f not in r]
    if missing:
        return f"missing {', '.join(missing)}"
    if not strict_int(r["nonce"]) or r["nonce"] < 0:
        return "nonce must be a non-negative integer"
    if not strict_int(r["stake"]) or r["stake"] <= 0:
        return "stake must be a positive integer"
    if not strict_int(r["payout"]) or r["payout"] < 0:
        return "payout must be a non-negative integer"
    if not strict_int(r["rtp_bps"]) or not 1 <= r["rtp_bps"] <= 10_000:
        return "rtp_bps must be an integer from 1 to 10000"
    if not isinstance(r["client_seed"], str) or not isinstance(r["server_seed_hash"], str):
        return "client_seed and server_seed_hash must be strings"
    return None


def verify_round(server_seed: str, r: object, seed_hash: str | None = None) -> list[Mismatch]:
    """Every way one recorded round differs from its recomputation (empty: it matches)."""
    if not isinstance(r, dict):
        return [_mismatch({}, "round", "an object", r, "a round must be a JSON object")]
    problem = _malformed(r)
    if problem:
        return [_mismatch(r, "round", None, None, problem)]
    seed_hash = seed_hash or server_seed_hash(server_seed)
    if r["server_seed_hash"] != seed_hash:
        return [
            _mismatch(
                r,
                "server_seed_hash",
                seed_hash,
                r["server_seed_hash"],
                "the round was not committed to the revealed seed",
            )
        ]
    game_id = r.get("game_id", "dice")
    game = GAMES.get(game_id) if isinstance(game_id, str) else None
    if game is None:
        return [_mismatch(r, "game_id", sorted(GAMES), game_id, "unknown game")]
    try:
        params = game.validate_params(r["params"], r["rtp_bps"])
    except DomainError as error:
        return [_mismatch(r, "params", None, r["params"], f"invalid params: {error.detail}")]
    draws = ReferenceDraws(server_seed, r["client_seed"], r["nonce"])
    outcome, payout = game.resolve(draws, r["stake"], params, r["rtp_bps"])
    found = []
    if outcome != r["outcome"]:
        found.append(
            _mismatch(r, "outcome", outcome, r["outcome"], "the draws give another outcome")
        )
    if payout != r["payout"]:
        found.append(
            _mismatch(r, "payout", payout, r["payout"], "the paytable gives another payout")
        )
    return found


def verify_rounds(
    revealed_server_seed: str, rounds: list[Any], *, skip_other_seeds: bool = False
) -> list[Mismatch]:
    """Every mismatch between the recorded rounds and their recomputation from the revealed
    seed: hash, params, outcome, payout, a nonce used twice under the seed, a malformed round.
    Each mismatch names the round's `index` in the list. A round committed to another seed is
    a `server_seed_hash` mismatch, unless `skip_other_seeds` (a session's list spans its
    rotations)."""
    seed_hash = server_seed_hash(revealed_server_seed)
    found: list[Mismatch] = []
    seen: set[int] = set()
    for index, r in enumerate(rounds):
        under_seed = isinstance(r, dict) and r.get("server_seed_hash") == seed_hash
        if skip_other_seeds and isinstance(r, dict) and not under_seed:
            continue
        problems = verify_round(revealed_server_seed, r, seed_hash)
        if under_seed and strict_int(r.get("nonce")):
            if r["nonce"] in seen:
                problems.append(
                    _mismatch(r, "nonce", None, r["nonce"], "nonce used twice under this seed")
                )
            seen.add(r["nonce"])
        found.extend({"index": index, **m} for m in problems)
    return found


def rounds_under(revealed_server_seed: str, rounds: list[Any]) -> int:
    seed_hash = server_seed_hash(revealed_server_seed)
    return sum(1 for r in rounds if isinstance(r, dict) and r.get("server_seed_hash") == seed_hash)

"""`casino verify`: the command-line shell over `casino.verify` (reads the file, prints)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from casino.fairness import is_server_seed, server_seed_hash
from casino.verify import rounds_under, verify_rounds


def _load(source: str) -> Any:
    if source == "-":
        return json.load(sys.stdin)
    with open(source, encoding="utf-8") as handle:
        return json.load(handle)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="casino verify",
        description="recompute every round of a session from its revealed server seed",
    )
    parser.add_argument("file", help="the rounds JSON, or - for standard input")
    parser.add_argument(
        "--seed", help="the revealed server seed (else revealed_server_seed in the file)"
    )
    parser.add_argument(
        "--skip-other-seeds",
        action="store_true",
        help="ignore rounds committed to other seeds of the session",
    )
    parser.add_argument("--json", action="store_true", help="print the mismatches as JSON")
    return parser


def _rounds_and_seed(args: argparse.Namespace) -> tuple[list[Any], str] | None:
    """The rounds and the seed to check them against; None (after saying why on stderr) when
    the file cannot be read or holds no rounds, or there is no valid seed."""
    try:
        data = _load(args.file)
    except (OSError, ValueError) as error:
        print(f"casino verify: cannot read {args.file}: {error}", file=sys.stderr)
        return None
    rounds = (
        data if isinstance(data, list) else data.get("rounds") if isinstance(data, dict) else None
    )
    seed = args.seed or (data.get("revealed_server_seed") if isinstance(data, dict) else None)
    if not isinstance(rounds, list):
        print('casino verify: expected a list of rounds or {"rounds": [...]}', file=sys.stderr)
        return None
    if not is_server_seed(seed):
        print(
            "casino verify: give --seed (or revealed_server_seed in the file): "
            "64 lowercase hex characters",
            file=sys.stderr,
        )
        return None
    assert isinstance(seed, str)
    return rounds, seed


def _print_text(mismatches: list[dict[str, Any]], checked: int, seed_hash: str) -> None:
    for m in mismatches:
        print(
            f"MISMATCH round {m['round_id']} nonce {m['nonce']} {m['field']}: {m['detail']}"
            f" (expected {json.dumps(m['expected'])}, recorded {json.dumps(m['recorded'])})"
        )
    bad = len({m["index"] for m in mismatches})
    print(
        f"{checked} rounds checked against seed hash {seed_hash}: "
        f"{checked - bad} match, {bad} mismatch"
    )
    if mismatches and all(m["field"] == "server_seed_hash" for m in mismatches):
        print("(rounds of other seeds of the session? --skip-other-seeds ignores them)")


def main(argv: list[str] | None = None) -> int:
    """`casino verify [--seed HEX] FILE|-`: 0 when every round matches, 1 on any mismatch (or
    when no round is under the seed), 2 when the input cannot be read."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    loaded = _rounds_and_seed(args)
    if loaded is None:
        return 2
    rounds, seed = loaded
    mismatches = verify_rounds(seed, rounds, skip_other_seeds=args.skip_other_seeds)
    checked = rounds_under(seed, rounds) if args.skip_other_seeds else len(rounds)
    seed_hash = server_seed_hash(seed)
    if args.json:
        report = {"server_seed_hash": seed_hash, "rounds": checked, "mismatches": mismatches}
        print(json.dumps(report, indent=2))
    else:
        _print_text(mismatches, checked, seed_hash)
    return 1 if mismatches or checked == 0 else 0

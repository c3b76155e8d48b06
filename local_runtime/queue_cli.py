"""`casino ops fraud-queue status|dead-letters|redrive`: the local fraud queue, as an operator
uses `wrangler queues` on the edge."""

from __future__ import annotations

import argparse
import json
from typing import Any


def cmd_fraud_queue(args: argparse.Namespace) -> int:
    from .paths import StatePaths, WranglerConfig
    from .runtime import fraud_queue_of

    config = WranglerConfig.load()
    queue = fraud_queue_of(StatePaths(args.state, config), config)
    try:
        if args.queue_command == "status":
            print(json.dumps({"queue": queue.name, "dead_letter_queue": queue.dead_letter_queue,
                              **queue.backlog()}, indent=2))  # fmt: skip
        elif args.queue_command == "dead-letters":
            print(json.dumps(queue.dead_letters(), indent=2))
        else:
            print(json.dumps({"redriven": queue.redrive()}))
    finally:
        queue.close()
    return 0


def add_parser(ops_sub: Any, state_option: Any) -> None:
    fq = ops_sub.add_parser("fraud-queue", help="the fraud queue: backlog, dead letters, redrive")
    fq_sub = fq.add_subparsers(dest="queue_command", required=True)
    for name, text in (
        ("status", "messages waiting and dead-lettered"),
        ("dead-letters", "the dead-lettered messages, with their attempts"),
        ("redrive", "move every dead letter back to the queue"),
    ):
        command = fq_sub.add_parser(name, help=text)
        state_option(command)
        command.set_defaults(run=cmd_fraud_queue)

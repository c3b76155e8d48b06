"""Cloudflare's per-invocation limits, kept locally: a Worker request, a Durable Object request,
an alarm or a scheduled run may make at most 1,000 D1 queries and 1,000 KV operations (Workers
Paid). Code that passes the local suites therefore stays inside them on the edge."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

D1_QUERIES = 1_000
KV_OPERATIONS = 1_000


class LimitExceeded(Exception):
    """What the edge throws when an invocation goes past one of its limits."""


@dataclass
class Invocation:
    d1_queries: int = 0
    kv_operations: int = 0

    def d1(self, queries: int = 1) -> None:
        self.d1_queries += queries
        if self.d1_queries > D1_QUERIES:
            raise LimitExceeded(
                f"Too many API requests by single Worker invocation: more than {D1_QUERIES} "
                "D1 queries"
            )

    def kv(self) -> None:
        self.kv_operations += 1
        if self.kv_operations > KV_OPERATIONS:
            raise LimitExceeded(f"more than {KV_OPERATIONS} KV operations in one invocation")


_current: ContextVar[Invocation | None] = ContextVar("invocation", default=None)


def current() -> Invocation | None:
    return _current.get()


@contextlib.contextmanager
def invocation() -> Iterator[Invocation]:
    """One invocation's budget, for the duration of the block (nested: a fresh one)."""
    budget = Invocation()
    token = _current.set(budget)
    try:
        yield budget
    finally:
        _current.reset(token)


def count_d1(queries: int = 1) -> None:
    if (budget := _current.get()) is not None:
        budget.d1(queries)


def count_kv() -> None:
    if (budget := _current.get()) is not None:
        budget.kv()

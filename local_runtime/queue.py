"""Cloudflare Queues on the local machine: durable, at least once, in batches, with retries,
back-off and a dead-letter queue, no more forgiving than the real thing.

Messages live in a SQLite file in the state directory, so a message sent survives a restart.
The consumer loop hands the handler a batch (`max_batch_size` messages, or fewer once the oldest
has waited `max_batch_timeout` seconds), as Cloudflare calls a Worker's `queue` handler:

- a message the handler acks is deleted; one it retries comes back after its delay;
- when the handler returns, every message it did neither with counts as acked;
- when it raises, every message it did not ack is retried;
- a message is delivered at most `max_retries + 1` times, then moved to the dead-letter queue;
- a batch in flight is leased: if the process dies before the handler returns, its messages are
  delivered again after the lease (so a consumer must be idempotent, as on the edge).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .invocation import invocation

log = logging.getLogger("casino.queue")
LEASE_SECONDS = 60.0
RETRY_BASE_SECONDS = 1.0
RETRY_MAX_SECONDS = 60.0

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS messages (
        id TEXT PRIMARY KEY,
        queue TEXT NOT NULL,
        body TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        enqueued_at REAL NOT NULL,
        visible_at REAL NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS messages_visible ON messages (queue, visible_at, enqueued_at)",
    """CREATE TABLE IF NOT EXISTS dead_letters (
        id TEXT PRIMARY KEY,
        queue TEXT NOT NULL,
        body TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        enqueued_at REAL NOT NULL,
        dead_at REAL NOT NULL
    )""",
)


@dataclass
class LocalMessage:
    """Cloudflare's `Message`: id, timestamp, body, attempts, ack(), retry()."""

    id: str
    body: dict[str, Any]
    attempts: int
    timestamp: float
    outcome: str | None = None  # "ack" or "retry"
    delay_seconds: float | None = None

    def ack(self) -> None:
        if self.outcome is None:
            self.outcome = "ack"

    def retry(self, delay_seconds: int = 0) -> None:
        if self.outcome is None:
            self.outcome, self.delay_seconds = "retry", float(delay_seconds)


@dataclass
class LocalMessageBatch:
    """Cloudflare's `MessageBatch`: the queue's name, its messages, ackAll() and retryAll()."""

    queue: str
    messages: list[LocalMessage] = field(default_factory=list)

    def ack_all(self) -> None:
        for message in self.messages:
            message.ack()

    def retry_all(self, delay_seconds: int = 0) -> None:
        for message in self.messages:
            message.retry(delay_seconds)


Handler = Callable[[LocalMessageBatch], Awaitable[object]]


def backoff(attempts: int) -> float:
    """The delay before the next delivery of a message delivered `attempts` times."""
    return float(min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_MAX_SECONDS))


class LocalQueue:
    """One queue (producer and consumer side) of wrangler.toml's `[[queues.consumers]]`."""

    def __init__(
        self,
        db_file: Path,
        name: str,
        *,
        max_batch_size: int = 100,
        max_batch_timeout: float = 1.0,
        max_retries: int = 3,
        dead_letter_queue: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        db_file.parent.mkdir(parents=True, exist_ok=True)
        self.name, self.clock = name, clock
        self.max_batch_size, self.max_batch_timeout = max_batch_size, max_batch_timeout
        self.max_retries = max_retries
        self.dead_letter_queue = dead_letter_queue or f"{name}-dlq"
        self.conn = sqlite3.connect(db_file, isolation_level=None, timeout=10)
        self.conn.execute("PRAGMA journal_mode=WAL")
        # WAL + synchronous=NORMAL: a sent or settled message survives a crash (kill -9) of the
        # process, as D1 and the Durable Objects' storage do locally; FULL's fsync per commit
        # stalled the event loop 15 ms per batch leased or settled.
        self.conn.execute("PRAGMA synchronous=NORMAL")
        for statement in _SCHEMA:
            self.conn.execute(statement)
        self._arrived = asyncio.Event()

    # Producer ----------------------------------------------------------------------------
    async def send_batch(self, bodies: Sequence[dict[str, Any]]) -> None:
        """Stored (committed) before it returns, as `sendBatch` resolves once Queues has them."""
        if not bodies:
            return
        now = self.clock()
        rows = [
            (uuid.uuid4().hex, self.name, json.dumps(body, separators=(",", ":")), now + i * 1e-6)
            for i, body in enumerate(bodies)
        ]
        with self.conn:
            self.conn.executemany(
                "INSERT INTO messages (id, queue, body, enqueued_at, visible_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [(i, q, b, at, now) for i, q, b, at in rows],
            )
        self._arrived.set()
        await asyncio.sleep(0)

    # Consumer ----------------------------------------------------------------------------
    def backlog(self) -> dict[str, int]:
        ready = self.conn.execute(
            "SELECT count(*) FROM messages WHERE queue = ?", (self.name,)
        ).fetchone()[0]
        dead = self.conn.execute(
            "SELECT count(*) FROM dead_letters WHERE queue = ?", (self.dead_letter_queue,)
        ).fetchone()[0]
        return {"messages": int(ready), "dead_letters": int(dead)}

    def dead_letters(self) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT id, body, attempts FROM dead_letters WHERE queue = ? ORDER BY dead_at",
            (self.dead_letter_queue,),
        ).fetchall()
        return [{"id": i, "body": json.loads(b), "attempts": a} for i, b, a in rows]

    def redrive(self) -> int:
        """Move every dead letter back to the queue, as new (after the bug that failed them is
        fixed); the consumer is idempotent, so a message already scored raises nothing again."""
        now = self.clock()
        with self.conn:
            moved = self.conn.execute(
                "INSERT OR IGNORE INTO messages (id, queue, body, attempts, enqueued_at, "
                "visible_at) SELECT id, ?, body, 0, enqueued_at, ? FROM dead_letters "
                "WHERE queue = ?",
                (self.name, now, self.dead_letter_queue),
            ).rowcount
            self.conn.execute("DELETE FROM dead_letters WHERE queue = ?", (self.dead_letter_queue,))
        self._arrived.set()
        return int(moved)

    def _visible(self) -> tuple[int, float | None]:
        count, oldest = self.conn.execute(
            "SELECT count(*), min(visible_at) FROM messages WHERE queue = ? AND visible_at <= ?",
            (self.name, self.clock()),
        ).fetchone()
        return int(count), oldest

    def _next_visible_at(self) -> float | None:
        row = self.conn.execute(
            "SELECT min(visible_at) FROM messages WHERE queue = ?", (self.name,)
        ).fetchone()
        at: float | None = row[0]
        return at

    def _lease(self) -> LocalMessageBatch:
        now = self.clock()
        with self.conn:
            rows = self.conn.execute(
                "SELECT id, body, attempts, enqueued_at FROM messages WHERE queue = ? AND "
                "visible_at <= ? ORDER BY enqueued_at LIMIT ?",
                (self.name, now, self.max_batch_size),
            ).fetchall()
            self.conn.executemany(
                "UPDATE messages SET attempts = attempts + 1, visible_at = ? WHERE id = ?",
                [(now + LEASE_SECONDS, r[0]) for r in rows],
            )
        return LocalMessageBatch(
            self.name,
            [LocalMessage(i, json.loads(b), a + 1, at) for i, b, a, at in rows],
        )

    def _settle(self, batch: LocalMessageBatch, failed: bool) -> None:
        now = self.clock()
        with self.conn:
            for message in batch.messages:
                outcome = message.outcome or ("retry" if failed else "ack")
                if outcome == "ack":
                    self.conn.execute("DELETE FROM messages WHERE id = ?", (message.id,))
                elif message.attempts > self.max_retries:
                    self._dead_letter(message, now)
                else:
                    delay = (
                        message.delay_seconds
                        if message.delay_seconds
                        else backoff(message.attempts)
                    )
                    self.conn.execute(
                        "UPDATE messages SET visible_at = ? WHERE id = ?", (now + delay, message.id)
                    )

    def _dead_letter(self, message: LocalMessage, now: float) -> None:
        log.warning(
            "queue %s: message %s dead-lettered after %d attempts",
            self.name, message.id, message.attempts,
        )  # fmt: skip
        self.conn.execute(
            "INSERT OR REPLACE INTO dead_letters (id, queue, body, attempts, enqueued_at, dead_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (message.id, self.dead_letter_queue, json.dumps(message.body), message.attempts,
             message.timestamp, now),
        )  # fmt: skip
        self.conn.execute("DELETE FROM messages WHERE id = ?", (message.id,))

    async def deliver(self, handler: Handler) -> int:
        """One batch of what is visible now, handed to `handler`; the number delivered."""
        batch = self._lease()
        if not batch.messages:
            return 0
        failed = False
        try:
            with invocation():  # each batch is an invocation of the consumer Worker
                await handler(batch)
        except Exception:
            failed = True
            log.exception(
                "queue %s: the consumer failed a batch of %d", self.name, len(batch.messages)
            )
        self._settle(batch, failed)
        return len(batch.messages)

    async def run(self, handler: Handler, poll_seconds: float = 0.05) -> None:
        """The consumer loop: a batch as soon as it is full, or when its oldest message has
        waited `max_batch_timeout`; retried messages come back when their delay is over."""
        while True:
            count, oldest = self._visible()
            if count and (
                count >= self.max_batch_size
                or self.clock() - (oldest or 0) >= self.max_batch_timeout
            ):
                await self.deliver(handler)
                continue
            self._arrived.clear()
            wait = poll_seconds if count else self._wait_for_next()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), timeout=wait)

    def _wait_for_next(self) -> float:
        at = self._next_visible_at()
        if at is None:
            return 1.0
        return max(min(at - self.clock(), 1.0), 0.01)

    def close(self) -> None:
        self.conn.close()

"""Durable Objects on the local machine: one instance per id, SQLite storage per object, alarms.

The host is no more forgiving than Cloudflare: calls are not queued behind a per-object lock,
so requests interleave at every await exactly as they do on the edge; only the object's own
storage calls are synchronous. Payloads and results cross as JSON, like RPC's structured clone.
Instances are a cache: the host may evict an idle one at any time and rebuild it from storage.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from infra.ports import ConstraintViolation, Row, Unavailable

from .faults import AFTER, BEFORE, INTERRUPT, NO_FAULTS, FaultPlan
from .invocation import invocation

T = TypeVar("T")
log = logging.getLogger("casino.actors")

ALARM_RETRY_LIMIT = 6
# Live objects, shared by the namespaces of one process (`LiveBudget`). An object beyond it is
# rebuilt from its storage in ~1.6 ms on the event loop (most of it the new WAL's creation and
# header fsync), so it must hold the working set: 200 players depositing 500 times a second see
# their AML alerts within 0.11 s when all 200 are live and after ~9 s when misses saturate the
# loop (B7b). Resident cost: ~260 KiB per live object, ~170 KiB once idle and shrunk (below):
# B10 grew 45.5 MB after 3,000 rounds with 208 (224: 48.7 MB after 3,000, 50.8 after 100,000;
# 1,000 players in turn miss at any size below 1,000, so for them the limit buys memory only).
LIVE_OBJECTS = 208
CLOSING_LIMIT = 8
# Per object connection: SQLite's page cache in pages (4 KiB; its default, 2,000 KiB, let a
# WalletDO hold ~190 KiB after 30 rounds; 16 hold a round's pages: 70 KiB, same round cost) and
# Python's prepared statements (128 by default, ~170 KiB; a round uses ~20 of a WalletDO's).
PAGE_CACHE_PAGES = 16
CACHED_STATEMENTS = 32
# With more live than this, an object going idle gives its page cache back (~85 KiB): refilling
# it on the next call measured no slower (418 vs 419 us per round over 50 players).
HOT_OBJECTS = 16


class LocalActorStorage:
    """`ctx.storage` of one object: `sql.exec`, `transactionSync` and alarms."""

    def __init__(self, path: Path, host: ActorHost, name: str) -> None:
        self.conn = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, cached_statements=CACHED_STATEMENTS
        )
        # WAL + synchronous=NORMAL: a committed transaction survives a crash of the process.
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute(f"PRAGMA cache_size={PAGE_CACHE_PAGES}")
        self._host, self._name = host, name
        self._depth = 0

    def exec(self, sql: str, *params: Any) -> list[Row]:
        try:
            cursor = self.conn.execute(sql, params)
            rows = cursor.fetchall()
        except sqlite3.IntegrityError as exc:
            raise ConstraintViolation(str(exc)) from exc
        if not rows:
            return []
        # Plain tuples zipped with the column names: a third of the cost of sqlite3.Row + dict.
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in rows]

    def transaction(self, fn: Callable[[], T]) -> T:
        self._depth += 1
        savepoint = f"tx{self._depth}"
        self.conn.execute("BEGIN IMMEDIATE" if self._depth == 1 else f"SAVEPOINT {savepoint}")
        try:
            result = fn()
        except BaseException:
            if self._depth == 1:
                self.conn.execute("ROLLBACK")
            else:
                self.conn.execute(f"ROLLBACK TO {savepoint}")
                self.conn.execute(f"RELEASE {savepoint}")
            self._depth -= 1
            raise
        self.conn.execute("COMMIT" if self._depth == 1 else f"RELEASE {savepoint}")
        self._depth -= 1
        return result

    async def set_alarm(self, at_epoch_ms: int) -> None:
        self._host.set_alarm(self._name, at_epoch_ms)

    async def get_alarm(self) -> int | None:
        return self._host.get_alarm(self._name)

    def shrink(self) -> None:
        """Give back this connection's page cache (its prepared statements stay)."""
        self.conn.execute("PRAGMA shrink_memory")

    def close(self) -> None:
        self.conn.close()


class _Live:
    def __init__(self, obj: Any, storage: LocalActorStorage) -> None:
        self.obj, self.storage, self.busy = obj, storage, 0
        self.tasks: set[asyncio.Task[Any]] = set()
        self.reset = False


class LiveBudget:
    """How many objects may be live at once in the namespaces that share it: memory is the
    process's, so `casino dev`'s WalletDO and SessionDO namespaces share one.

    Beyond it, an idle object picked at random is closed. Least-recently-used would close,
    when more objects are visited in turn than fit (200 players depositing in turns, 160 live),
    exactly the one needed next, and every call would rebuild one (B7b: alerts 9 s late); a
    random victim keeps about 60% of them live, and with a few hot objects among many it keeps
    as many hits as least-recently-used (98-99% for both, simulated on a Zipf workload)."""

    def __init__(self, limit: int, hot: int = HOT_OBJECTS, seed: int = 0) -> None:
        self.limit, self.hot = limit, hot
        self.hosts: list[ActorHost] = []
        self._random = random.Random(seed)  # seeded: a run's evictions can be replayed

    def live(self) -> int:
        return sum(len(host._live) for host in self.hosts)

    def evict_idle(self) -> None:
        excess = self.live() - self.limit
        if excess <= 0:
            return
        idle = [
            (host, name)
            for host in self.hosts
            for name, live in host._live.items()
            if not live.busy
        ]
        # One whose alarm is due is needed again at once (a round's projection): kept if others
        # can go instead.
        spare: list[tuple[ActorHost, str]] = []
        due: list[tuple[ActorHost, str]] = []
        for victim in idle:
            (due if victim[0]._alarm_due(victim[1]) else spare).append(victim)
        victims = self._random.sample(spare, min(excess, len(spare)))
        victims += self._random.sample(due, min(excess - len(victims), len(due)))
        for host, name in victims:
            host._evict(name)


def _alarm_table(path: Path) -> sqlite3.Connection:
    alarms = sqlite3.connect(path, isolation_level=None)
    alarms.execute("PRAGMA journal_mode=WAL")
    # WAL + synchronous=NORMAL: a committed write survives a crash of the process.
    alarms.execute("PRAGMA synchronous=NORMAL")
    alarms.execute(
        "CREATE TABLE IF NOT EXISTS alarms (name TEXT PRIMARY KEY, at_ms INTEGER NOT NULL)"
    )
    return alarms


def _clone(value: Any) -> Any:
    """What crosses RPC is a structured clone: JSON here, so no object is shared."""
    return json.loads(json.dumps(value))


class LocalActorStub:
    def __init__(self, host: ActorHost, name: str) -> None:
        self._host, self._name = host, name

    async def call(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        return await self._host.call(self._name, method, payload)


class ActorHost:
    """A Durable Object namespace: `get(name)` gives a stub on the one instance for that name."""

    def __init__(
        self,
        directory: Path,
        factory: Callable[[str, LocalActorStorage], Any],
        max_live: int = LIVE_OBJECTS,
        retry_base_ms: int = 1000,
        faults: FaultPlan = NO_FAULTS,
        budget: LiveBudget | None = None,
    ) -> None:
        """At most `max_live` objects live, or `budget`'s limit shared with other namespaces."""
        directory.mkdir(parents=True, exist_ok=True)
        self.directory, self.factory = directory, factory
        self.budget = budget or LiveBudget(max_live)
        self.budget.hosts.append(self)
        self.retry_base_ms = retry_base_ms
        self.faults = faults
        self._live: dict[str, _Live] = {}
        # Closing an evicted object's database checkpoints its WAL with an fsync (~2 ms): done
        # by one thread beside the event loop, which goes on serving (SQLite releases the GIL).
        self._closer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="actor-close")
        # Closes handed to the thread and not done yet are bounded, and so are open files.
        self._closing = threading.BoundedSemaphore(CLOSING_LIMIT)
        self._serving = True  # until `close()`
        self._alarms = _alarm_table(directory / "alarms.sqlite")
        # The table mirrored in memory: reading an alarm costs no query, setting an unchanged one
        # no write.
        self._alarm_at: dict[str, int] = dict(
            self._alarms.execute("SELECT name, at_ms FROM alarms").fetchall()
        )
        self._timers: dict[str, tuple[asyncio.TimerHandle, int]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        # Per object: the lock its alarms run under and how many alarms hold or await it.
        self._alarm_runs: dict[str, tuple[asyncio.Lock, int]] = {}

    def get(self, name: str) -> LocalActorStub:
        return LocalActorStub(self, name)

    def _file(self, name: str) -> Path:
        return self.directory / f"{hashlib.sha256(name.encode()).hexdigest()}.sqlite"

    def _acquire(self, name: str) -> _Live:
        # Built here, on the event loop: a thread building objects beside it (tried for B2) let
        # 1,000 players in turn run ~1.6x faster but grew `casino dev` by ~10 MB more (B10: a
        # connection made in one thread and used in another spreads over two malloc arenas).
        live = self._live.get(name)
        if live is None:
            storage = LocalActorStorage(self._file(name), self, name)
            live = _Live(self.factory(name, storage), storage)
            self._live[name] = live
        live.busy += 1  # busy before evicting: the object being acquired is never the one evicted
        self.budget.evict_idle()
        return live

    def _release(self, live: _Live) -> None:
        live.busy -= 1
        if live.busy:
            return
        if live.reset:
            self._close(live.storage)
        elif self._serving and self.budget.live() > self.budget.hot:
            live.storage.shrink()  # many live: an idle one keeps its statements, not its pages

    def _close(self, storage: LocalActorStorage) -> None:
        if not self._closing.acquire(blocking=False):
            storage.close()  # the thread is behind: close here rather than hold more files
            return
        self._closer.submit(storage.close).add_done_callback(lambda _: self._closing.release())

    def _reset(self, name: str, live: _Live) -> None:
        """What Cloudflare does to an object it resets: every request it is running fails at
        its current await, and the next call builds a new instance from storage."""
        if self._live.get(name) is live:
            del self._live[name]
        live.reset = True
        for task in live.tasks:
            task.cancel()

    @property
    def max_live(self) -> int:
        return self.budget.limit

    def _evict(self, name: str) -> None:
        self._close(self._live.pop(name).storage)

    async def call(self, name: str, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        if method.startswith("_"):
            raise AttributeError(method)
        # The request travels to the object: as on the edge, an RPC is an await at which the
        # caller's other requests run, however soon the object answers.
        await asyncio.sleep(0)
        fault = self.faults.draw(self.directory.name)
        if fault == BEFORE:
            raise Unavailable(f"injected fault: {method} did not reach the object")
        live = self._acquire(name)
        try:
            with invocation():  # a Durable Object request is an invocation of its own
                run = getattr(live.obj, method)(_clone(payload))
                if INTERRUPT in self.faults.modes:
                    result = await self._run_resettable(name, live, run, fault == INTERRUPT)
                else:
                    result = await run
        finally:
            self._release(live)
        if fault == AFTER:
            raise Unavailable(f"injected fault: the reply of {method} was lost")
        return _clone(result)  # type: ignore[no-any-return]

    async def _run_resettable(self, name: str, live: _Live, run: Any, interrupt: bool) -> Any:
        task = asyncio.ensure_future(run)
        live.tasks.add(task)
        try:
            if interrupt:
                for _ in range(self.faults.awaits_before_interrupt()):
                    if task.done():
                        break
                    await asyncio.sleep(0)
                self._reset(name, live)
            return await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise  # the caller itself is being cancelled
            raise Unavailable("injected fault: the object was reset during the call") from None
        finally:
            live.tasks.discard(task)

    # Alarms: one per object, persisted, retried with backoff like Cloudflare's.
    def set_alarm(self, name: str, at_ms: int) -> None:
        if self._alarm_at.get(name) == at_ms and name in self._timers:
            return  # already set to this time: nothing to write
        self._store_alarm(name, at_ms)
        self._schedule(name, at_ms)

    def _store_alarm(self, name: str, at_ms: int) -> None:
        self._alarms.execute("INSERT OR REPLACE INTO alarms VALUES (?, ?)", (name, at_ms))
        self._alarm_at[name] = at_ms

    def get_alarm(self, name: str) -> int | None:
        return self._alarm_at.get(name)

    def _alarm_due(self, name: str) -> bool:
        """Whether the object's alarm is due or running (it is needed again at once)."""
        if name in self._alarm_runs:
            return True
        timer = self._timers.get(name)
        return timer is not None and timer[1] <= time.time() * 1000

    def _schedule(self, name: str, at_ms: int, attempt: int = 0) -> None:
        with contextlib.suppress(RuntimeError):
            loop = asyncio.get_running_loop()
            if (timer := self._timers.pop(name, None)) is not None:
                timer[0].cancel()
            delay = max(0.0, at_ms / 1000 - time.time())
            handle = loop.call_later(delay, self._fire, name, at_ms, attempt)
            self._timers[name] = (handle, at_ms)

    def _fire(self, name: str, at_ms: int, attempt: int) -> None:
        self._timers.pop(name, None)
        # Counted from now (not from when its task starts): the object is about to be used.
        lock, users = self._alarm_runs.get(name, (asyncio.Lock(), 0))
        self._alarm_runs[name] = (lock, users + 1)
        task = asyncio.get_running_loop().create_task(self._run_alarm(name, at_ms, attempt))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run_alarm(self, name: str, at_ms: int, attempt: int) -> None:
        """One object's alarms run one at a time, as on Cloudflare: an alarm set while the
        handler runs (a command arming the projection meanwhile) fires once it has returned."""
        lock, _ = self._alarm_runs[name]
        try:
            async with lock:
                await self._run_alarm_alone(name, at_ms, attempt)
        finally:
            lock, users = self._alarm_runs[name]
            if users == 1:
                del self._alarm_runs[name]
            else:
                self._alarm_runs[name] = (lock, users - 1)

    async def _run_alarm_alone(self, name: str, at_ms: int, attempt: int) -> None:
        if self.get_alarm(name) != at_ms:
            return  # replaced or deleted meanwhile
        self._alarms.execute("DELETE FROM alarms WHERE name = ? AND at_ms = ?", (name, at_ms))
        self._alarm_at.pop(name, None)
        live = self._acquire(name)
        try:
            with invocation():
                await live.obj.alarm()
        except Exception:
            log.exception("alarm of %s failed (attempt %d)", name, attempt + 1)
            if attempt + 1 < ALARM_RETRY_LIMIT and self.get_alarm(name) is None:
                retry_at = int(time.time() * 1000) + self.retry_base_ms * 2**attempt
                self._store_alarm(name, retry_at)
                self._schedule(name, retry_at, attempt + 1)
        finally:
            self._release(live)

    def resume_alarms(self) -> None:
        """After a restart: schedule every alarm that was set before the process stopped."""
        for name, at_ms in list(self._alarm_at.items()):
            self._schedule(name, at_ms)

    async def drain(self) -> None:
        """Wait until no alarm is running or due now (used by tests and shutdown)."""
        while True:
            if self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)
                continue
            now_ms = time.time() * 1000
            if not any(at_ms <= now_ms + 5 for _, at_ms in self._timers.values()):
                return
            await asyncio.sleep(0.005)

    def close(self) -> None:
        for handle, _ in self._timers.values():
            handle.cancel()
        for task in self._tasks:  # alarms that fired but have not run: they would find the
            task.cancel()  # alarm table closed
        self._serving = False
        for live in self._live.values():
            self._closer.submit(live.storage.close)
        self._live.clear()
        self.budget.hosts.remove(self)
        self._closer.shutdown(wait=True)
        self._alarms.close()

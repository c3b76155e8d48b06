"""The WalletDO's alarm drains its outbox to D1, then to the fraud queue: both positions move in
one storage transaction, each follower gets each row once when nothing fails, D1 always has an
event before the queue does, and a follower that fails gets its rows again, never the other."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from infra.ports import Unavailable
from local_runtime.actors import ActorHost, LocalActorStorage
from wallet_do.wallet import Wallet, WalletDeps

pytestmark = pytest.mark.anyio


class Clock:
    def now(self) -> datetime:
        return datetime(2026, 11, 25, 10, 30, tzinfo=UTC)


class RecordingD1:
    def __init__(self) -> None:
        self.seqs: list[int] = []
        self.failing = False

    def prepare(self, sql: str) -> _Statement:
        return _Statement(self, sql)

    async def batch(self, statements: list[_Statement]) -> list[list[object]]:
        if self.failing:
            raise Unavailable("D1 is down")
        self.seqs += [s.params[1] for s in statements if "wallet_events" in s.sql]
        return [[] for _ in statements]


class _Statement:
    def __init__(self, db: RecordingD1, sql: str) -> None:
        self.db, self.sql, self.params = db, sql, ()

    def bind(self, *params: object) -> _Statement:
        self.params = params
        return self


class RecordingQueue:
    def __init__(self, d1: RecordingD1) -> None:
        self.d1, self.seqs, self.failing = d1, [], False
        self.before_d1: list[int] = []

    async def send_batch(self, bodies: list[dict]) -> None:
        if self.failing:
            raise Unavailable("the queue is down")
        for body in bodies:
            self.seqs.append(body["seq"])
            if body["seq"] not in self.d1.seqs:
                self.before_d1.append(body["seq"])


class Counting(LocalActorStorage):
    statements: list[str] = []

    def exec(self, sql, *params):
        Counting.statements.append(sql)
        return super().exec(sql, *params)

    def transaction(self, fn):
        Counting.statements.append("TRANSACTION")
        return super().transaction(fn)


@pytest.fixture
def wallet(tmp_path, monkeypatch):
    import local_runtime.actors as actors

    monkeypatch.setattr(actors, "LocalActorStorage", Counting)
    d1 = RecordingD1()
    queue = RecordingQueue(d1)
    deps = WalletDeps(Clock(), d1, queue=queue)
    host = ActorHost(tmp_path, lambda name, storage: Wallet(storage, deps))
    yield host, d1, queue
    host.close()


async def deposit(host: ActorHost, i: int) -> None:
    answer = await host.get("p").call("deposit", {
        "player_id": "p", "idempotency_key": f"k{i}", "request_hash": f"h{i}",
        "amount": 1_000, "method": "pix", "ref": f"pix:{i}"})  # fmt: skip
    assert answer["status"] == 201, answer


async def run_alarm(host: ActorHost) -> list[str]:
    """The statements one alarm ran (the runtime's own timers are not waited for)."""
    live = host._acquire("p")
    Counting.statements = []
    try:
        await live.obj.alarm()
    finally:
        host._release(live)
    return Counting.statements


def outbox_rows(host: ActorHost) -> int:
    live = host._acquire("p")
    try:
        return int(live.storage.exec("SELECT count(*) AS n FROM outbox")[0]["n"])
    finally:
        host._release(live)


async def test_one_alarm_sends_each_row_once_and_acknowledges_both_followers_at_once(wallet):
    host, d1, queue = wallet
    for i in range(5):
        await deposit(host, i)
    statements = await run_alarm(host)
    assert d1.seqs == [1, 2, 3, 4, 5]
    assert queue.seqs == [1, 2, 3, 4, 5] and queue.before_d1 == []
    assert statements.count("TRANSACTION") == 1
    assert outbox_rows(host) == 0
    assert await run_alarm(host) and (d1.seqs, queue.seqs) == ([1, 2, 3, 4, 5], [1, 2, 3, 4, 5])


async def test_a_queue_that_fails_gets_the_events_again_and_d1_does_not(wallet):
    host, d1, queue = wallet
    for i in range(3):
        await deposit(host, i)
    queue.failing = True
    written = outbox_rows(host)
    await run_alarm(host)  # D1 took them; the queue did not answer
    assert d1.seqs == [1, 2, 3] and queue.seqs == []
    assert outbox_rows(host) == written  # kept for the queue
    queue.failing = False
    await deposit(host, 3)
    await run_alarm(host)
    assert d1.seqs == [1, 2, 3, 4]  # D1 is not sent what it already has
    assert queue.seqs == [1, 2, 3, 4] and queue.before_d1 == []
    assert outbox_rows(host) == 0


async def test_when_d1_fails_nothing_reaches_the_queue_and_nothing_is_acknowledged(wallet):
    host, d1, queue = wallet
    await deposit(host, 0)
    d1.failing = True
    written = outbox_rows(host)
    await run_alarm(host)
    assert d1.seqs == [] and queue.seqs == []
    assert outbox_rows(host) == written
    d1.failing = False
    await run_alarm(host)
    assert d1.seqs == [1] and queue.seqs == [1]

"""The local fraud queue is no more forgiving than Cloudflare Queues: at least once, in batches,
retries with back-off, a dead-letter queue after the last retry, leases that expire."""

from __future__ import annotations

import pytest

from local_runtime.queue import LEASE_SECONDS, LocalQueue, backoff

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def queue(tmp_path, clock):
    q = LocalQueue(tmp_path / "q.sqlite", "fraud", max_batch_size=3, max_retries=2, clock=clock)
    yield q
    q.close()


async def test_batches_are_at_most_the_batch_size_and_in_order(queue):
    await queue.send_batch([{"n": i} for i in range(7)])
    seen: list[list[int]] = []

    async def handler(batch):
        seen.append([m.body["n"] for m in batch.messages])

    while await queue.deliver(handler):
        pass
    assert seen == [[0, 1, 2], [3, 4, 5], [6]]
    assert queue.backlog() == {"messages": 0, "dead_letters": 0}


async def test_a_handler_that_raises_retries_what_it_did_not_ack_with_back_off(queue, clock):
    await queue.send_batch([{"n": 1}, {"n": 2}])
    attempts: list[tuple[int, int]] = []

    async def handler(batch):
        for m in batch.messages:
            attempts.append((m.body["n"], m.attempts))
        batch.messages[0].ack()
        raise RuntimeError("the consumer failed")

    assert await queue.deliver(handler) == 2
    assert await queue.deliver(handler) == 0  # the retry waits for its back-off
    clock.now += backoff(1)
    assert await queue.deliver(handler) == 1
    assert attempts == [(1, 1), (2, 1), (2, 2)]


async def test_a_message_retried_past_max_retries_is_dead_lettered(queue, clock):
    await queue.send_batch([{"n": "poison"}])

    async def handler(batch):
        batch.retry_all()

    for _ in range(5):
        await queue.deliver(handler)
        clock.now += 120
    assert queue.backlog() == {"messages": 0, "dead_letters": 1}
    [dead] = queue.dead_letters()
    assert dead["body"] == {"n": "poison"} and dead["attempts"] == 3  # 1 + max_retries


async def test_an_explicit_retry_delay_is_kept(queue, clock):
    await queue.send_batch([{"n": 1}])

    async def later(batch):
        batch.messages[0].retry(30)

    await queue.deliver(later)
    clock.now += 29
    assert await queue.deliver(later) == 0
    clock.now += 1
    assert await queue.deliver(later) == 1


async def test_messages_neither_acked_nor_retried_count_as_acked(queue):
    await queue.send_batch([{"n": 1}])

    async def silent(batch):
        return None

    assert await queue.deliver(silent) == 1
    assert queue.backlog()["messages"] == 0


async def test_a_batch_in_flight_when_the_process_dies_is_delivered_again(tmp_path, clock):
    first = LocalQueue(tmp_path / "q.sqlite", "fraud", clock=clock)
    await first.send_batch([{"n": 1}])
    leased = first._lease()  # handed to a consumer, which dies before answering
    assert [m.body for m in leased.messages] == [{"n": 1}]
    first.close()
    again = LocalQueue(tmp_path / "q.sqlite", "fraud", clock=clock)
    bodies: list[dict] = []

    async def handler(batch):
        bodies.extend(m.body for m in batch.messages)

    assert await again.deliver(handler) == 0  # leased
    clock.now += LEASE_SECONDS
    assert await again.deliver(handler) == 1
    assert bodies == [{"n": 1}]
    again.close()


async def test_run_delivers_a_partial_batch_after_the_batch_timeout(tmp_path):
    import asyncio

    q = LocalQueue(tmp_path / "q.sqlite", "fraud", max_batch_size=100, max_batch_timeout=0.2)
    got: asyncio.Queue = asyncio.Queue()

    async def handler(batch):
        await got.put(len(batch.messages))

    task = asyncio.get_running_loop().create_task(q.run(handler))
    await q.send_batch([{"n": 1}, {"n": 2}])
    assert await asyncio.wait_for(got.get(), timeout=3) == 2
    task.cancel()
    q.close()


async def test_dead_letters_can_be_redriven_once_the_bug_is_fixed(queue, clock):
    await queue.send_batch([{"n": "poison"}])

    async def failing(batch):
        raise RuntimeError("bug")

    for _ in range(3):
        await queue.deliver(failing)
        clock.now += 120
    assert queue.backlog() == {"messages": 0, "dead_letters": 1}
    assert queue.redrive() == 1
    bodies = []

    async def fixed(batch):
        bodies.extend(m.body for m in batch.messages)

    assert await queue.deliver(fixed) == 1 and bodies == [{"n": "poison"}]
    assert queue.backlog() == {"messages": 0, "dead_letters": 0}


def test_the_cli_shows_the_fraud_queue(state, capsys):
    import json

    from local_runtime.cli import main

    assert main(["ops", "fraud-queue", "status", "--state", str(state)]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["queue"] == "casino-fraud-events" and status["messages"] == 0
    assert main(["ops", "fraud-queue", "redrive", "--state", str(state)]) == 0
    assert json.loads(capsys.readouterr().out) == {"redriven": 0}

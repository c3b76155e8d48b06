"""The local bindings behave like Cloudflare's: D1's restrictions, KV in miniflare's format that
wrangler itself reads and writes, Durable Objects that interleave at awaits."""

from __future__ import annotations

import asyncio
import os
import subprocess
import threading

import pytest

from infra.ports import ConstraintViolation
from local_runtime.actors import PAGE_CACHE_PAGES, ActorHost, LiveBudget, LocalActorStorage
from local_runtime.d1 import D1Error
from local_runtime.paths import PROJECT_ROOT, StatePaths, WranglerConfig
from local_runtime.runtime import wrangler_bin

pytestmark = pytest.mark.anyio
ENV = {**os.environ, "CI": "1", "WRANGLER_SEND_METRICS": "false", "NO_COLOR": "1"}


def wrangler(*args: str) -> str:
    result = subprocess.run(
        [str(wrangler_bin()), *args], cwd=PROJECT_ROOT, env=ENV, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


async def test_d1_refuses_explicit_transactions_attach_and_pragmas(runtime):
    db = runtime.services.db
    for sql in ("BEGIN", "SAVEPOINT x", "ATTACH DATABASE ':memory:' AS y", "PRAGMA journal_mode"):
        with pytest.raises(D1Error):
            await db.prepare(sql).run()
    assert await db.prepare("PRAGMA table_list").all()


async def test_a_d1_batch_is_all_or_nothing(runtime):
    db = runtime.services.db
    insert = "INSERT INTO audit_log VALUES (?, 'a', 'admin', 'x', 's', '{}', 'now')"
    with pytest.raises(ConstraintViolation):
        await db.batch([db.prepare(insert).bind("1"), db.prepare(insert).bind("1")])
    assert await db.prepare("SELECT count(*) AS n FROM audit_log").first() == {"n": 0}


async def test_migrations_are_recorded_in_wranglers_own_table(state):
    out = wrangler("d1", "migrations", "list", "casino", "--local", "--persist-to", str(state))
    assert "No migrations to apply" in out


async def test_kv_written_by_wrangler_is_read_locally_and_the_other_way_round(runtime, state):
    wrangler("kv", "key", "put", "--binding", "KV", "game:dice", '{"rtp_bps": 9700}', "--local",
             "--persist-to", str(state))  # fmt: skip
    assert await runtime.services.kv.get("game:dice") == '{"rtp_bps": 9700}'
    await runtime.services.kv.put("lists:version", "42")
    out = wrangler("kv", "key", "get", "--binding", "KV", "lists:version", "--local",
                   "--persist-to", str(state))  # fmt: skip
    assert out.strip().endswith("42")
    assert await runtime.services.kv.list_keys("game:") == ["game:dice"]
    await runtime.services.kv.delete("game:dice")
    assert await runtime.services.kv.get("game:dice") is None


class Counter:
    """A deliberately naive read-await-write object, to show that requests interleave."""

    def __init__(self, name, storage):
        self.storage = storage
        storage.exec("CREATE TABLE IF NOT EXISTS c (k INTEGER PRIMARY KEY, v INTEGER)")
        storage.exec("INSERT OR IGNORE INTO c VALUES (1, 0)")

    async def naive_increment(self, payload):
        value = self.storage.exec("SELECT v FROM c")[0]["v"]
        await asyncio.sleep(0.01)  # an await on something else: another request runs here
        self.storage.exec("UPDATE c SET v = ?", value + 1)
        return {"v": value + 1}

    async def safe_increment(self, payload):
        def tx():
            value = self.storage.exec("SELECT v FROM c")[0]["v"]
            self.storage.exec("UPDATE c SET v = ?", value + 1)
            return value + 1

        return {"v": self.storage.transaction(tx)}

    async def read(self, payload):
        return {"v": self.storage.exec("SELECT v FROM c")[0]["v"]}

    async def slow_increment(self, payload):
        await asyncio.sleep(0.05)  # busy: other objects are acquired meanwhile
        return await self.safe_increment(payload)


async def test_the_do_host_lets_requests_interleave_at_awaits_like_cloudflare(tmp_path):
    host = ActorHost(tmp_path / "do", Counter)
    stub = host.get("one")
    await asyncio.gather(*(stub.call("naive_increment", {}) for _ in range(10)))
    assert (await stub.call("read", {}))["v"] < 10  # lost updates: no hidden per-object lock
    host.close()


async def test_synchronous_storage_transactions_do_not_interleave(tmp_path):
    host = ActorHost(tmp_path / "do", Counter)
    stub = host.get("one")
    await asyncio.gather(*(stub.call("safe_increment", {}) for _ in range(50)))
    assert (await stub.call("read", {}))["v"] == 50
    host.close()


async def test_evicted_objects_are_rebuilt_from_storage(tmp_path):
    host = ActorHost(tmp_path / "do", Counter, max_live=2)
    for name in ("a", "b", "c", "d"):
        await host.get(name).call("safe_increment", {})
    assert len(host._live) <= 2
    assert (await host.get("a").call("read", {}))["v"] == 1
    host.close()


async def test_evicted_objects_close_beside_the_event_loop_and_the_host_waits_for_them(
    tmp_path, monkeypatch
):
    """An evicted object's database is closed by the host's closing thread (the WAL checkpoint
    and its fsync stay off the event loop); `close()` waits until every database is closed,
    and what was committed before an eviction is there after a rebuild."""
    closed_by: list[str] = []
    real_close = LocalActorStorage.close

    def close(self):
        closed_by.append(threading.current_thread().name)
        real_close(self)

    monkeypatch.setattr(LocalActorStorage, "close", close)
    host = ActorHost(tmp_path / "do", Counter, max_live=2)
    for name in ("a", "b", "c", "d"):
        await host.get(name).call("safe_increment", {})
    host.close()
    assert len(closed_by) == 4  # two evicted, then the two live at close
    assert any(name.startswith("actor-close") for name in closed_by)
    assert "MainThread" not in closed_by[:2]
    reopened = ActorHost(tmp_path / "do", Counter)
    assert [(await reopened.get(n).call("read", {}))["v"] for n in "abcd"] == [1, 1, 1, 1]
    reopened.close()


async def test_a_new_object_is_not_evicted_while_every_other_live_object_is_busy(tmp_path):
    """With `max_live` objects all busy, the next one was built and evicted at once (KeyError
    under load: 400 players depositing at once in the AML latency benchmark)."""
    host = ActorHost(tmp_path / "do", Counter, max_live=2)
    await asyncio.gather(*(host.get(n).call("slow_increment", {}) for n in ("a", "b", "c", "d")))
    assert [(await host.get(n).call("read", {}))["v"] for n in ("a", "b", "c", "d")] == [1] * 4
    host.close()


async def test_namespaces_sharing_a_budget_keep_that_many_objects_live_between_them(tmp_path):
    """The budget is the process's memory: two namespaces sharing a limit of 3 keep at most 3
    objects live between them, and every evicted one is rebuilt from its storage."""
    budget = LiveBudget(3)
    wallets = ActorHost(tmp_path / "w", Counter, budget=budget)
    sessions = ActorHost(tmp_path / "s", Counter, budget=budget)
    for name in ("a", "b", "c"):
        await wallets.get(name).call("safe_increment", {})
        await sessions.get(name).call("safe_increment", {})
        assert len(wallets._live) + len(sessions._live) <= 3
    assert wallets.max_live == sessions.max_live == 3
    assert [(await wallets.get(n).call("read", {}))["v"] for n in "abc"] == [1, 1, 1]
    assert [(await sessions.get(n).call("read", {}))["v"] for n in "abc"] == [1, 1, 1]
    wallets.close()
    sessions.close()


async def test_more_objects_visited_in_turn_than_fit_are_not_all_rebuilt(tmp_path, monkeypatch):
    """Least-recently-used eviction closes, when 10 objects are visited in turn and 8 fit, the
    very one needed next: every call rebuilt one (B7b's 200 players depositing in turns with
    160 live: alerts 9 s late). A random victim keeps most of them live."""
    opened: list[str] = []
    real_init = LocalActorStorage.__init__

    def init(self, path, host, name):
        opened.append(name)
        real_init(self, path, host, name)

    monkeypatch.setattr(LocalActorStorage, "__init__", init)
    host = ActorHost(tmp_path / "do", Counter, max_live=8)
    for _ in range(10):
        for name in "abcdefghij":
            await host.get(name).call("safe_increment", {})
    assert len(opened) < 10 + 9 * 10 / 2  # least-recently-used: 100, one per call
    assert [(await host.get(n).call("read", {}))["v"] for n in "abcdefghij"] == [10] * 10
    host.close()


async def test_the_runtimes_wallets_and_sessions_share_one_budget(state, monkeypatch):
    from local_runtime.runtime import build

    monkeypatch.setenv("CASINO_LIVE_OBJECTS", "40")
    runtime = build(state)
    assert runtime.wallets.budget is runtime.sessions.budget
    assert runtime.wallets.budget.limit == 40
    runtime.close()


async def test_idle_objects_give_back_their_page_cache_once_many_are_live(tmp_path, monkeypatch):
    """With more than `hot` objects live, one going idle shrinks its SQLite memory (its page
    cache, ~70 KiB of a WalletDO's ~230): a few hundred live objects fit `casino dev`'s memory
    budget; with few live, a hot object keeps its pages for the next call."""
    shrunk: list[str] = []
    monkeypatch.setattr(LocalActorStorage, "shrink", lambda self: shrunk.append(self._name))
    host = ActorHost(tmp_path / "do", Counter, budget=LiveBudget(10, hot=2))
    for name in ("a", "b", "a", "b"):
        await host.get(name).call("safe_increment", {})
    assert shrunk == []
    for name in ("c", "a"):
        await host.get(name).call("safe_increment", {})
    assert shrunk == ["c", "a"]
    host.close()


async def test_an_objects_page_cache_is_bounded(tmp_path):
    host = ActorHost(tmp_path / "do", Counter)
    await host.get("a").call("read", {})
    [(pages,)] = host._live["a"].storage.conn.execute("PRAGMA cache_size").fetchall()
    assert pages == PAGE_CACHE_PAGES < 2000 / 4  # SQLite's default: 2,000 KiB
    host.close()


class Alarmed(Counter):
    async def arm(self, payload):
        await self.storage.set_alarm(0)
        return {}

    async def alarm(self):
        await self.safe_increment({})


class Rearming(Counter):
    """An alarm handler that awaits while commands arm the next alarm (as the WalletDO's
    projection does): the host must not start the next one before this one returns."""

    running = 0
    most = 0

    async def arm(self, payload):
        await self.storage.set_alarm(0)
        return {}

    async def alarm(self):
        Rearming.running += 1
        Rearming.most = max(Rearming.most, Rearming.running)
        await asyncio.sleep(0.02)
        await self.safe_increment({})
        Rearming.running -= 1


async def test_one_objects_alarms_run_one_at_a_time_and_none_is_lost(tmp_path):
    host = ActorHost(tmp_path / "do", Rearming)
    stub = host.get("one")
    await stub.call("arm", {})
    for _ in range(5):  # each arms again while the alarm it started is still running
        await asyncio.sleep(0.005)
        await stub.call("arm", {})
    await host.drain()
    assert Rearming.most == 1
    assert (await stub.call("read", {}))["v"] >= 2  # the alarm set during a run ran after it
    host.close()


async def test_closing_the_host_cancels_alarms_that_fired_and_have_not_run(tmp_path, caplog):
    host = ActorHost(tmp_path / "do", Alarmed)
    await host.get("one").call("arm", {})
    timer, at_ms = host._timers["one"]
    timer.cancel()
    host._fire("one", at_ms, 0)  # what the timer does when it fires: a task, not yet run
    host.close()
    await asyncio.sleep(0.01)
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_the_d1_file_is_the_one_wrangler_uses(state):
    paths = StatePaths(state, WranglerConfig.load())
    assert paths.d1_file.exists()


async def test_a_call_to_an_object_is_an_await_at_which_the_callers_other_work_runs(tmp_path):
    """On the edge a call to a Durable Object is an RPC: the calling isolate's other requests
    run while it travels, however little the object does. A host that ran the object's method
    inline let "concurrent" callers run one after another (B2's 64 callers each went through
    their 16 ledgers alone, so 1,000 ledgers never competed for the live objects)."""
    host = ActorHost(tmp_path / "do", Counter)
    await host.get("a").call("read", {})
    await host.get("b").call("read", {})
    order: list[str] = []

    async def caller(name: str) -> None:
        for _ in range(3):
            await host.get(name).call("read", {})  # awaits nothing else
            order.append(name)

    await asyncio.gather(caller("a"), caller("b"))
    assert order == ["a", "b"] * 3  # inline: a, a, a, b, b, b
    host.close()


async def test_an_object_whose_alarm_is_due_is_not_the_one_evicted(tmp_path):
    """A settled round arms its projection for now: the object is needed again at once, so
    closing it to make room opened it again in the alarm (a second build for every round of
    1,000 players in turn). Another idle object goes instead, whatever the random draw."""
    for seed in range(8):
        host = ActorHost(tmp_path / f"do{seed}", Counter, budget=LiveBudget(3, seed=seed))
        for name in "abc":
            host._release(host._acquire(name))
        host.set_alarm("a", 0)  # due; its timer has not run yet
        host._release(host._acquire("d"))  # one of a, b, c must go
        assert "a" in host._live and len(host._live) == 3
        host.close()

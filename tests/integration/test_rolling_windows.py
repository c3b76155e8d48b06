"""Rolling windows, cooling-off and expiry on the WalletDO with an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from local_runtime.actors import ActorHost
from wallet_do.wallet import Wallet, WalletDeps

pytestmark = pytest.mark.anyio
T0 = datetime(2026, 11, 25, 10, 30, 15, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.at = T0

    def now(self) -> datetime:
        return self.at


class NoD1:
    def prepare(self, sql):
        raise AssertionError("not on the hot path")

    async def batch(self, statements):
        return []


@pytest.fixture
def wallet(tmp_path):
    clock = Clock()
    host = ActorHost(tmp_path, lambda name, storage: Wallet(storage, WalletDeps(clock, NoD1())))
    yield host.get("p"), clock
    host.close()


async def deposit(stub, amount, key):
    return await stub.call("deposit", {"player_id": "p", "idempotency_key": key,
                                       "request_hash": key, "amount": amount, "method": "pix",
                                       "ref": key})  # fmt: skip


async def test_a_daily_deposit_limit_is_a_rolling_24_hours_to_the_second(wallet):
    stub, clock = wallet
    await stub.call("set_limits", {"player_id": "p", "changes": {"deposit_daily": 1000}})
    assert (await deposit(stub, 700, "a"))["status"] == 201
    clock.at = T0 + timedelta(hours=23, minutes=59)
    assert (await deposit(stub, 301, "b"))["status"] == 403
    assert (await deposit(stub, 300, "c"))["status"] == 201
    clock.at = T0 + timedelta(hours=24)  # the first deposit has just left the window
    assert (await deposit(stub, 700, "d"))["status"] == 201
    clock.at = T0 + timedelta(hours=24, seconds=1)
    assert (await deposit(stub, 1, "e"))["status"] == 403  # 300 + 700 still inside


async def test_weekly_and_monthly_windows_count_across_many_hours(wallet):
    stub, clock = wallet
    await stub.call("set_limits", {"player_id": "p", "changes": {"deposit_weekly": 5000}})
    for day in range(5):
        clock.at = T0 + timedelta(days=day, hours=day)
        assert (await deposit(stub, 1000, f"w{day}"))["status"] == 201
    assert (await deposit(stub, 1, "over"))["status"] == 403
    clock.at = T0 + timedelta(days=7, seconds=1)
    assert (await deposit(stub, 1000, "later"))["status"] == 201


async def test_a_raise_applies_exactly_after_24_hours(wallet):
    stub, clock = wallet
    await stub.call("set_limits", {"player_id": "p", "changes": {"deposit_daily": 100}})
    raised = await stub.call("set_limits", {"player_id": "p", "changes": {"deposit_daily": 500}})
    assert raised["body"]["deposit"]["daily"] == 100 and raised["body"]["pending"]
    clock.at = T0 + timedelta(hours=23, minutes=59, seconds=59)
    assert (await stub.call("get_limits", {}))["body"]["deposit"]["daily"] == 100
    clock.at = T0 + timedelta(hours=24)
    limits = (await stub.call("get_limits", {}))["body"]
    assert limits["deposit"]["daily"] == 500 and limits["pending"] == []


async def test_a_self_exclusion_expires_on_time_and_not_before(wallet):
    stub, clock = wallet
    await stub.call("exclude", {"player_id": "p", "kind": "self_exclusion", "days": 2})
    clock.at = T0 + timedelta(days=2) - timedelta(seconds=1)
    assert (await deposit(stub, 100, "x"))["body"]["error"]["code"] == "self_excluded"
    clock.at = T0 + timedelta(days=2)
    assert (await deposit(stub, 100, "y"))["status"] == 201

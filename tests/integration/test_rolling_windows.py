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


def round_payload(key: str, stake: int = 100, payout: int = 0, opened_at: str | None = None):
    record = {"round_id": key, "session_id": "s", "game_id": "dice", "nonce": 0,
              "server_seed_hash": key, "client_seed": "c", "rtp_bps": 9700, "stake": stake,
              "params": {"target": 5000}, "outcome": {"roll": 9999, "win": False},
              "payout": payout, "expected_payout": 48.5, "payout_variance": 1.0}  # fmt: skip
    rg = {"idle_minutes": 30} | ({"session_opened_at": opened_at} if opened_at else {})
    return {"player_id": "p", "idempotency_key": key, "request_hash": key, "round": record,
            "rg": rg}  # fmt: skip


async def test_the_session_time_limit_stops_rounds_and_a_break_does_not_reset_it(wallet):
    stub, clock = wallet
    await deposit(stub, 10_000, "dep")
    await stub.call("set_limits", {"player_id": "p", "changes": {"session_minutes": 30}})
    opened = "2026-11-25T10:30:15.000Z"
    for minute in (0, 10, 20, 29):
        clock.at = T0 + timedelta(minutes=minute)
        assert (await stub.call("settle_round", round_payload(f"r{minute}", opened_at=opened)))[
            "status"
        ] == 201
    clock.at = T0 + timedelta(minutes=30)
    refused = await stub.call("settle_round", round_payload("r30", opened_at=opened))
    assert refused["body"]["error"]["code"] == "session_time_limit_reached"
    clock.at = T0 + timedelta(minutes=29 + 31)  # a pause longer than the idle timeout
    again = await stub.call("settle_round", round_payload("after-break"))
    assert again["body"]["error"]["code"] == "session_time_limit_reached"
    clock.at = T0 + timedelta(hours=25)  # that play (up to the refused tries) left the day
    next_day = await stub.call("settle_round", round_payload("next-day"))
    assert next_day["status"] == 201, next_day


async def test_pauses_of_31_minutes_never_reset_a_60_minute_time_limit(wallet):
    """The finding: play resumed after every 31-minute pause (5.5 h of play in 10.6 h under a
    60-minute limit). Bursts of 20 minutes with 31-minute pauses: play stops at 60 minutes."""
    stub, clock = wallet
    await deposit(stub, 1_000_000, "dep")
    await stub.call("set_limits", {"player_id": "p", "changes": {"time_daily": 60}})
    played_rounds = refused = 0
    at = T0
    for burst in range(12):  # about 10 hours
        for minute in range(0, 21, 2):
            clock.at = at + timedelta(minutes=minute)
            answer = await stub.call("settle_round", round_payload(f"b{burst}m{minute}"))
            if answer["status"] == 201:
                played_rounds += 1
            else:
                assert answer["body"]["error"]["code"] == "session_time_limit_reached"
                refused += 1
        at += timedelta(minutes=20 + 31)
    # 60 minutes of play: two whole 20-minute bursts and the third up to minute 18; nothing more.
    assert played_rounds == 32 and refused == 12 * 11 - 32


async def test_a_weekly_time_limit_counts_play_across_days(wallet):
    stub, clock = wallet
    await deposit(stub, 100_000, "dep")
    await stub.call("set_limits", {"player_id": "p", "changes": {"time_weekly": 45}})
    for day in range(3):
        for minute in (0, 10, 20):
            clock.at = T0 + timedelta(days=day, minutes=minute)
            answer = await stub.call("settle_round", round_payload(f"d{day}m{minute}"))
            expected = 201 if day * 20 + minute < 45 else 403
            assert answer["status"] == expected, (day, minute, answer)


async def test_a_loss_limit_counts_net_losses_over_its_window(wallet):
    stub, clock = wallet
    await deposit(stub, 10_000, "dep")
    await stub.call("set_limits", {"player_id": "p", "changes": {"loss_daily": 300}})
    assert (await stub.call("settle_round", round_payload("a", stake=200)))["status"] == 201
    assert (await stub.call("settle_round", round_payload("b", stake=100, payout=150)))[
        "status"
    ] == 201  # net loss 200 - 50 = 150
    assert (await stub.call("settle_round", round_payload("c", stake=151)))["body"]["error"][
        "code"
    ] == "loss_limit_reached"
    assert (await stub.call("settle_round", round_payload("d", stake=150)))["status"] == 201
    clock.at = T0 + timedelta(days=1, seconds=1)
    assert (await stub.call("settle_round", round_payload("e", stake=300)))["status"] == 201

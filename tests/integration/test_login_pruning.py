"""The WalletDO keeps the logins that can still be used: each start says until when its login
is usable (the refresh token's expiry, moved on by every refresh), and a start deletes the
logins past theirs, so the table does not grow with every login a player ever made."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from local_runtime.actors import ActorHost
from wallet_do.wallet import Wallet, WalletDeps

pytestmark = pytest.mark.anyio


class Clock:
    def now(self) -> datetime:
        return datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


class NoD1:
    def prepare(self, sql):
        return self

    def bind(self, *params):
        return self

    async def batch(self, statements):
        return [[] for _ in statements]


@pytest.fixture
def wallet(tmp_path):
    host = ActorHost(tmp_path, lambda name, storage: Wallet(storage, WalletDeps(Clock(), NoD1())))
    yield host
    host.close()


async def start(host, family: str, at: str, until: str | None) -> dict:
    payload = {"family_id": family, "at": at, "until": until}
    return await host.get("p").call("start_login", payload)


async def state(host, family: str) -> dict:
    answer = await host.get("p").call("login_state", {"family_id": family})
    return answer["body"]


def rows(host) -> list[str]:
    live = host._acquire("p")
    try:
        found = live.storage.exec("SELECT family_id FROM logins ORDER BY family_id")
        return [r["family_id"] for r in found]
    finally:
        host._release(live)


async def test_a_start_deletes_the_logins_no_longer_usable_and_keeps_the_others(wallet):
    await start(wallet, "old", "2026-10-01T10:00:00.000Z", "2026-10-31T10:00:00.000Z")
    await wallet.get("p").call("end_logins", {"family_ids": ["old"], "why": "logout"})
    await start(wallet, "quiet", "2026-10-02T10:00:00.000Z", "2026-11-01T10:00:00.000Z")
    await start(wallet, "legacy", "2026-09-01T10:00:00.000Z", None)  # from before `until`
    await start(wallet, "alive", "2026-10-03T10:00:00.000Z", "2026-11-02T10:00:00.000Z")
    await start(wallet, "alive", "2026-10-30T10:00:00.000Z", "2026-11-29T10:00:00.000Z")  # refresh
    assert rows(wallet) == ["alive", "legacy", "old", "quiet"]
    await start(wallet, "new", "2026-11-05T10:00:00.000Z", "2026-12-05T10:00:00.000Z")
    assert rows(wallet) == ["alive", "legacy", "new"]
    assert (await state(wallet, "alive"))["ended"] is False
    assert (await state(wallet, "old"))["known"] is False  # D1 answers for it: ended


async def test_an_ended_login_stays_ended_when_it_is_started_again(wallet):
    await start(wallet, "f", "2026-11-01T10:00:00.000Z", "2026-12-01T10:00:00.000Z")
    await wallet.get("p").call("end_logins", {"family_ids": ["f"], "why": "refresh_reuse"})
    answer = await start(wallet, "f", "2026-11-02T10:00:00.000Z", "2026-12-02T10:00:00.000Z")
    assert answer["body"]["ended"] is True


async def test_an_until_that_is_not_a_timestamp_is_refused(wallet):
    answer = await start(wallet, "f", "2026-11-01T10:00:00.000Z", "tomorrow")
    assert answer["status"] == 422 and answer["body"]["error"]["code"] == "validation_error"

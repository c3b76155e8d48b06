"""A Durable Object knows its own name only through what its caller sends: the clients send it
as `_address`, and the objects refuse a command whose own id (a wallet's `player_id`, a
session's `session_id`) disagrees with it, before anything is read or written."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from casino.messages import ADDRESS, AddressMismatch, OpenSession, addressed, unaddressed
from local_runtime.actors import ActorHost
from session_do.client import SessionClient
from session_do.session import GameSession, SessionDeps
from wallet_do.client import WalletClient
from wallet_do.hosted import HostedWallet
from wallet_do.wallet import WalletDeps

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


class Clock:
    def now(self) -> datetime:
        return T0


class Entropy:
    def token_bytes(self, n: int) -> bytes:
        return bytes(range(n))


class Statement:
    def __init__(self, db: RecordingD1, sql: str) -> None:
        self.db, self.sql = db, sql

    def bind(self, *params: Any) -> Statement:
        self.db.writes.append((self.sql, params))
        return self

    async def first(self) -> None:
        return None

    async def all(self) -> list[Any]:
        return []

    async def run(self) -> int:
        return 1


class RecordingD1:
    def __init__(self) -> None:
        self.writes: list[tuple[str, tuple[Any, ...]]] = []

    def prepare(self, sql: str) -> Statement:
        return Statement(self, sql)

    async def batch(self, statements: Sequence[Any]) -> list[Any]:
        return [[] for _ in statements]


def test_a_payload_without_an_address_or_with_the_right_one_passes_without_it() -> None:
    assert unaddressed({"player_id": "p1"}, "player_id") == {"player_id": "p1"}
    assert unaddressed(addressed({"player_id": "p1"}, "p1"), "player_id") == {"player_id": "p1"}
    assert unaddressed({ADDRESS: "p1"}, "player_id") == {}  # no id to compare: taken as it is


def test_a_payload_naming_another_object_than_its_address_is_refused() -> None:
    with pytest.raises(AddressMismatch):
        unaddressed(addressed({"player_id": "p2"}, "p1"), "player_id")


def _wallets(tmp_path: Path) -> ActorHost:
    return ActorHost(
        tmp_path / "wallets",
        lambda name, storage: HostedWallet(storage, WalletDeps(Clock(), RecordingD1())),
    )


def _deposit(player_id: str, key: str) -> dict[str, Any]:
    return {"player_id": player_id, "idempotency_key": key, "request_hash": key,
            "amount": 500, "method": "pix", "ref": key}  # fmt: skip


def test_a_wallet_refuses_a_deposit_for_another_player_and_moves_nothing(tmp_path: Path) -> None:
    async def scenario() -> None:
        wallets = _wallets(tmp_path)
        stub = wallets.get("p1")
        refused = await stub.call("deposit", addressed(_deposit("p2", "k1"), "p1"))
        assert refused["status"] == 500
        assert refused["body"]["error"]["code"] == "address_mismatch"
        assert (await stub.call("balance", addressed({}, "p1"))) == {"balance": 0, "last_seq": 0}
        # Nothing was recorded under the key: the right command with it goes through.
        accepted = await stub.call("deposit", addressed(_deposit("p1", "k1"), "p1"))
        assert accepted["status"] == 201 and accepted["body"]["balance"] == 500
        wallets.close()

    asyncio.run(scenario())


def test_the_wallet_client_addresses_its_commands_to_the_players_wallet(tmp_path: Path) -> None:
    async def scenario() -> None:
        wallets = _wallets(tmp_path)
        assert (await WalletClient(wallets, "p1").check_can_play())["status"] == 200
        wallets.close()

    asyncio.run(scenario())


def _sessions(tmp_path: Path, db: RecordingD1) -> tuple[ActorHost, ActorHost]:
    wallets = _wallets(tmp_path)
    deps = SessionDeps(clock=Clock(), entropy=Entropy(), db=db, wallets=wallets)
    return wallets, ActorHost(
        tmp_path / "sessions", lambda name, storage: GameSession(storage, deps)
    )


def _open(session_id: str) -> dict[str, Any]:
    return {"session_id": session_id, "player_id": "p1", "game_id": "dice", "rtp_bps": 9900,
            "rtp_range": [8500, 9900], "min_stake": 100, "max_stake": 10_000,
            "idle_timeout_minutes": 30, "client_seed": "seed"}  # fmt: skip


def test_a_session_refuses_to_open_under_another_sessions_id(tmp_path: Path) -> None:
    async def scenario() -> None:
        db = RecordingD1()
        wallets, sessions = _sessions(tmp_path, db)
        refused = await sessions.get("s1").call("open", addressed(_open("s2"), "s1"))
        assert refused["body"]["error"]["code"] == "address_mismatch"
        assert db.writes == []  # not even the session's row in D1
        opened = await SessionClient(sessions, "s1").open(OpenSession.from_dict(_open("s1")))
        assert opened["status"] == 201 and opened["body"]["session_id"] == "s1"
        wallets.close()
        sessions.close()

    asyncio.run(scenario())


def test_a_session_refuses_a_command_naming_another_session(tmp_path: Path) -> None:
    async def scenario() -> None:
        wallets, sessions = _sessions(tmp_path, RecordingD1())
        client = SessionClient(sessions, "s1")
        await client.open(OpenSession.from_dict(_open("s1")))
        assert (await client.describe("p1"))["status"] == 200
        stray = {"player_id": "p1", "session_id": "s2"}
        for command in ("describe", "rounds", "rotate"):
            refused = await sessions.get("s1").call(command, addressed(stray, "s1"))
            assert refused["body"]["error"]["code"] == "address_mismatch", command
            unsent = await sessions.get("s1").call(command, stray)  # no address: still not s1
            assert unsent["body"]["error"]["code"] == "address_mismatch", command
        wallets.close()
        sessions.close()

    asyncio.run(scenario())

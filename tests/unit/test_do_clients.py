"""The clients are the only way into a Durable Object: one typed method per command of the
object, each payload addressed; a payload sent without its address is refused (a caller bug,
500) by both objects as the runtimes host them (`wallet_do.hosted.HostedWallet`, the SessionDO's
commands)."""

from __future__ import annotations

import asyncio
import inspect
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from casino.jurisdictions import PROFILES, to_dict
from casino.messages import ADDRESS, AddressMismatch, Unaddressed, addressed, unaddressed
from local_runtime.actors import ActorHost
from session_do.client import SessionClient
from session_do.session import GameSession, SessionDeps
from wallet_do.client import WalletClient
from wallet_do.hosted import HostedWallet
from wallet_do.rpc import commands
from wallet_do.wallet import Wallet, WalletDeps

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


class Clock:
    def now(self) -> datetime:
        return T0


class Entropy:
    def token_bytes(self, n: int) -> bytes:
        return bytes(range(n))


class NoD1:
    def prepare(self, sql: str) -> Any:
        raise AssertionError("no D1 in these tests")

    async def batch(self, statements: Any) -> list[Any]:
        raise AssertionError("no D1 in these tests")


def _methods(cls: type) -> set[str]:
    return {
        name
        for name, member in inspect.getmembers(cls, inspect.iscoroutinefunction)
        if not name.startswith("_")
    }


def test_the_wallet_client_has_a_method_for_every_wallet_command() -> None:
    assert _methods(WalletClient) == set(commands(Wallet))


def test_the_session_client_has_a_method_for_every_session_command() -> None:
    assert _methods(SessionClient) == set(commands(GameSession))


def test_a_payload_without_its_address_is_refused_when_the_address_is_required() -> None:
    with pytest.raises(Unaddressed) as refused:
        unaddressed({"player_id": "p1"}, "player_id", required=True)
    assert isinstance(refused.value, AddressMismatch) and refused.value.status == 500
    assert unaddressed(addressed({}, "p1"), "player_id", required=True) == {}
    assert unaddressed({"player_id": "p1"}, "player_id") == {"player_id": "p1"}  # not required


def _strict_wallets(tmp_path: Path) -> ActorHost:
    deps = WalletDeps(Clock(), NoD1())  # type: ignore[arg-type]  # never reached
    return ActorHost(tmp_path / "wallets", lambda name, storage: HostedWallet(storage, deps))


async def _every_wallet_command(client: WalletClient) -> dict[str, dict[str, Any]]:
    rules = PROFILES["BR"].limit_rules().to_dict()
    money = {"request_hash": "h", "amount": 500, "method": "pix", "rg": {}}
    return {
        "balance": await client.balance(),
        "events": await client.events(0, 10),
        "audit": await client.audit(),
        "withdrawals": await client.withdrawals(),
        "bonus_status": await client.bonus_status(),
        "get_limits": await client.get_limits(rules),
        "set_limits": await client.set_limits({}, rules),
        "rg_status": await client.rg_status(),
        "reality_check": await client.reality_check({"idle_minutes": 30}),
        "deposit": await client.deposit(
            idempotency_key="d", ref="d", source={"method": "pix", "own": True}, **money
        ),
        "withdraw": await client.withdraw(
            idempotency_key="w",
            ref="w",
            payout_account=None,
            destination_required=False,
            payout_within_minutes=120,
            **money,
        ),  # fmt: skip
        "grant_bonus": await client.grant_bonus(
            idempotency_key="b",
            request_hash="h",
            ref="b",
            amount=100,
            wagering_multiplier=1,
            profile=to_dict(PROFILES["BR"]),
        ),  # fmt: skip
        "exclude": await client.exclude("break", hours=1),
        "check_can_play": await client.check_can_play(),
        "aml_restrict": await client.aml_restrict("hold"),
    }


def test_every_wallet_client_command_passes_a_wallet_that_requires_the_address(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        wallets = _strict_wallets(tmp_path)
        answers = await _every_wallet_command(WalletClient(wallets, "p1"))
        for command, answer in answers.items():
            code = answer.get("body", {}).get("error", {}).get("code")
            assert code != "address_mismatch", command
        assert answers["deposit"]["status"] == 201
        wallets.close()

    asyncio.run(scenario())


def test_a_wallet_that_requires_the_address_refuses_a_payload_without_it(tmp_path: Path) -> None:
    async def scenario() -> None:
        wallets = _strict_wallets(tmp_path)
        stub = wallets.get("p1")
        deposit = {"player_id": "p1", "idempotency_key": "k", "request_hash": "k",
                   "amount": 500, "method": "pix", "ref": "k"}  # fmt: skip
        refused = await stub.call("deposit", deposit)
        assert refused["status"] == 500
        assert refused["body"]["error"]["code"] == "address_mismatch"
        assert (await WalletClient(wallets, "p1").balance())["balance"] == 0
        assert (await stub.call("deposit", {**deposit, ADDRESS: "p1"}))["status"] == 201
        wallets.close()

    asyncio.run(scenario())


def test_a_session_refuses_to_open_without_its_address(tmp_path: Path) -> None:
    async def scenario() -> None:
        deps = SessionDeps(clock=Clock(), entropy=Entropy(), db=NoD1(), wallets=None)  # type: ignore[arg-type]
        sessions = ActorHost(tmp_path / "sessions", lambda n, s: GameSession(s, deps))
        opened = {"session_id": "s1", "player_id": "p1", "game_id": "dice", "rtp_bps": 9900,
                  "min_stake": 100, "max_stake": 10_000, "idle_timeout_minutes": 30}  # fmt: skip
        refused = await sessions.get("s1").call("open", opened)
        assert refused["status"] == 500
        assert refused["body"]["error"]["code"] == "address_mismatch"
        sessions.close()

    asyncio.run(scenario())

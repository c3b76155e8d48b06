"""The WalletDO's record of a player's logins and KYC status (`wallet_do/logins.py`): what an
authenticated request asks instead of D1. An ended login never starts again; a login it was
never told of is `known: false` (the API then reads D1)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from local_runtime.actors import ActorHost
from wallet_do.client import WalletClient
from wallet_do.hosted import HostedWallet
from wallet_do.wallet import WalletDeps

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
AT = "2026-12-01T12:00:00.000Z"


class Clock:
    def now(self) -> datetime:
        return T0


def _wallets(tmp_path: Path) -> ActorHost:
    deps = WalletDeps(Clock(), None)  # type: ignore[arg-type]  # no D1 reached
    return ActorHost(tmp_path / "wallets", lambda name, storage: HostedWallet(storage, deps))


def _run(tmp_path: Path, scenario: Any) -> None:
    async def run() -> None:
        wallets = _wallets(tmp_path)
        try:
            await scenario(WalletClient(wallets, "p1"))
        finally:
            wallets.close()

    asyncio.run(run())


def test_a_login_is_known_once_started_and_ended_once_ended(tmp_path: Path) -> None:
    async def scenario(wallet: WalletClient) -> None:
        unknown = await wallet.login_state("f1")
        assert unknown == {
            "status": 200, "body": {"known": False, "ended": False, "kyc_status": None}}  # fmt: skip
        assert (await wallet.start_login("f1", AT))["body"]["known"] is True
        assert (await wallet.start_login("f2", AT))["status"] == 200
        assert (await wallet.end_logins(["f1"], "logout"))["body"] == {"ended": 1}
        assert (await wallet.login_state("f1"))["body"]["ended"] is True
        assert (await wallet.login_state("f2"))["body"]["ended"] is False
        # A refresh racing the end starts nothing again.
        assert (await wallet.start_login("f1", AT))["body"]["ended"] is True

    _run(tmp_path, scenario)


def test_a_login_never_started_here_can_still_be_ended(tmp_path: Path) -> None:
    async def scenario(wallet: WalletClient) -> None:
        assert (await wallet.end_logins(["old"], "password_changed"))["status"] == 200
        assert (await wallet.login_state("old"))["body"] == {
            "known": True, "ended": True, "kyc_status": None}  # fmt: skip
        assert (await wallet.end_logins([], "logout"))["body"] == {"ended": 0}

    _run(tmp_path, scenario)


def test_the_kyc_status_is_the_last_one_set_and_only_a_known_one(tmp_path: Path) -> None:
    async def scenario(wallet: WalletClient) -> None:
        await wallet.start_login("f1", AT)
        assert (await wallet.set_kyc_status("verified"))["body"] == {"kyc_status": "verified"}
        await wallet.set_kyc_status("rejected")
        assert (await wallet.login_state("f1"))["body"]["kyc_status"] == "rejected"
        with pytest.raises(RuntimeError, match="set_kyc_status answered 422"):
            await wallet.set_kyc_status("approved")  # a write not done stops its caller
        refused = await wallet._call("set_kyc_status", {"kyc_status": "approved"})
        assert refused["body"]["error"]["code"] == "validation_error"
        assert (await wallet.login_state(""))["status"] == 422

    _run(tmp_path, scenario)

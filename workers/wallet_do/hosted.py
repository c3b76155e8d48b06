"""The WalletDO as both runtimes host it: `Wallet` with every command checked against the address
its caller sent (`rpc.checking_address`), so a payload naming another player is refused."""

from __future__ import annotations

from .rpc import checking_address
from .wallet import Wallet

HostedWallet = checking_address(Wallet, "player_id")

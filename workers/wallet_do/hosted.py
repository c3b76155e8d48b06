"""The WalletDO as both runtimes host it: `Wallet` with every command checked against the address
its caller sent (`rpc.checking_address`): a payload naming another player, or sent without an
address (a caller that bypassed `WalletClient`), is refused before it runs."""

from __future__ import annotations

from .rpc import checking_address
from .wallet import Wallet

HostedWallet = checking_address(Wallet, "player_id")

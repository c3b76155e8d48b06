"""The WalletDO as both runtimes host it: `Wallet` with every command checked against the address
its caller sent (`rpc.checking_address`), so a payload naming another player is refused.

A payload without an address is still taken (`required=False`) while callers outside the
clients remain: `api/aml.py`'s two `aml_restrict` calls, and tests and benchmarks that call the
hosted object's stub directly. Once they address their payloads (`WalletClient`), this becomes
`checking_address(Wallet, "player_id")`, as the SessionDO's commands already are."""

from __future__ import annotations

from .rpc import checking_address
from .wallet import Wallet

HostedWallet = checking_address(Wallet, "player_id", required=False)

"""The WalletDO as both runtimes host it: `Wallet` with every command checked against the address
its caller sent (`rpc.checking_address`), so a payload naming another player is refused.

Every caller in `workers/` goes through `WalletClient` (addressed), but a payload without an
address is still taken here (`required=False`): tests and benchmarks call the hosted object's
stub directly with bare payloads (`runtime.wallets.get(id).call("audit", {})`). Once they use
`WalletClient` (or `casino.messages.addressed`), this becomes `checking_address(Wallet,
"player_id")`, as the SessionDO's commands already are."""

from __future__ import annotations

from .rpc import checking_address
from .wallet import Wallet

HostedWallet = checking_address(Wallet, "player_id", required=False)

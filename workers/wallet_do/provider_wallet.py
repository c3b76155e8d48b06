"""The WalletDO side of external game providers: a provider's bet, win, refund or rollback as
one command of the ledger, with the same exclusion, limits and funds rules as our own rounds
(`casino.wallet`), idempotent by the provider's transaction id."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from casino.errors import UnknownBet
from casino.ledger import Ledger, LedgerEvent
from casino.providers import ProviderBet
from casino.timefmt import rfc3339
from casino.wallet import decide_provider_credit
from infra.ports import ActorStorage

from .projection import Outbox

CREDITS = ("win", "refund", "rollback")


class ProviderBets:
    def __init__(self, storage: ActorStorage, outbox: Outbox) -> None:
        self.storage, self._outbox = storage, outbox

    def get(self, ref: str) -> ProviderBet:
        rows = self.storage.exec("SELECT * FROM provider_bets WHERE ref = ?", ref)
        if not rows:
            raise UnknownBet("No bet of this provider has that transaction id")
        r = rows[0]
        return ProviderBet(r["ref"], r["stake"], r["won"], r["refunded"], bool(r["rolled_back"]))

    def record_bet(self, ref: str, tx: dict[str, Any], now: datetime) -> None:
        self.storage.exec(
            "INSERT INTO provider_bets (ref, provider_id, transaction_id, round_id, game_id, "
            "stake, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            ref, tx["provider_id"], tx["transaction_id"], tx["round_id"], tx["game_id"],
            tx["amount"], rfc3339(now),
        )  # fmt: skip

    def record_credit(self, ref: str, kind: str, amount: int) -> None:
        column = {"win": "won", "refund": "refunded", "rollback": "refunded"}[kind]
        self.storage.exec(
            f"UPDATE provider_bets SET {column} = {column} + ?, "  # noqa: S608 - fixed names
            "rolled_back = rolled_back OR ? WHERE ref = ?",
            amount, int(kind == "rollback"), ref,
        )  # fmt: skip

    def outbox(self, tx: dict[str, Any], now: datetime) -> None:
        """The transaction for D1 (statistics, reports) and the other followers."""
        row = {k: tx.get(k) for k in ("provider_id", "transaction_id", "kind", "game_id",
                                      "round_id", "bet_transaction_id", "amount", "rtp_bps")}  # fmt: skip
        row["created_at"] = rfc3339(now)
        self._outbox.add("provider_tx", row)


def bet_ref(provider_id: str, transaction_id: str) -> str:
    return f"provider:{provider_id}:{transaction_id}"


def credit_events(
    bets: ProviderBets, ledger: Ledger, tx: dict[str, Any], ref: str, now: datetime
) -> tuple[list[LedgerEvent], int]:
    """The WIN event (if any) of a win, refund or rollback of a known bet, and its amount."""
    bet = bets.get(bet_ref(tx["provider_id"], tx["bet_transaction_id"]))
    amount = int(tx.get("amount") or 0)
    return decide_provider_credit(ledger, bet, tx["kind"], amount, ref, now)

"""The WalletDO side of external game providers: a provider's bet, win, refund or rollback as
one command of the ledger, with the same exclusion, limits and funds rules as our own rounds
(`Wallet._check_play`), idempotent by the provider's transaction id."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from casino.errors import UnknownBet, ValidationFailed
from casino.ledger import EventType, Ledger, LedgerEvent, decide_bet_and_win
from casino.providers import ProviderBet, check_refund
from casino.timefmt import rfc3339
from infra.ports import ActorStorage

CREDITS = ("win", "refund", "rollback")


class ProviderBets:
    def __init__(self, storage: ActorStorage) -> None:
        self.storage = storage

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
        self.storage.exec(
            "INSERT INTO outbox (topic, payload) VALUES ('provider_tx', ?)",
            json.dumps(row, separators=(",", ":")),
        )


def bet_ref(provider_id: str, transaction_id: str) -> str:
    return f"provider:{provider_id}:{transaction_id}"


def credit_events(
    bets: ProviderBets, ledger: Ledger, tx: dict[str, Any], ref: str, now: datetime
) -> tuple[list[LedgerEvent], int]:
    """The WIN event (if any) of a win, refund or rollback of a known bet, and its amount."""
    bet = bets.get(bet_ref(tx["provider_id"], tx["bet_transaction_id"]))
    kind, amount = tx["kind"], int(tx.get("amount") or 0)
    if kind == "rollback":
        amount = bet.stake - bet.refunded
    if amount < 0 or (kind == "refund" and amount == 0):
        raise ValidationFailed("amount must be positive (a win may be 0)")
    if kind in ("refund", "rollback"):
        check_refund(bet, amount)
    if amount == 0:
        return [], 0
    win = LedgerEvent(ledger.last_seq + 1, EventType.WIN, amount, ledger.balance + amount, now, ref)
    return [win], amount


def bet_events(ledger: Ledger, tx: dict[str, Any], ref: str, now: datetime) -> list[LedgerEvent]:
    return decide_bet_and_win(ledger, int(tx["amount"]), 0, ref, now)

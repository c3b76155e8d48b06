"""The wallet ledger: an append-only, event-sourced account of one player's money.

`decide_*` functions take the ledger state and a command and return the events to append (or
raise a `DomainError`); `evolve` folds one event into the state and never fails. The balance is
the fold of the events; every event carries `balance_after`, so the chain can be checked by
replay and the current balance read in O(1).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from .errors import InsufficientFunds, InvalidAmount

MAX_AMOUNT = 10**12
"""Largest amount a single command may move (API.md); far below 2^53 as JS numbers require."""


class EventType(StrEnum):
    DEPOSIT = "DEPOSIT"
    WITHDRAWAL = "WITHDRAWAL"
    BET = "BET"
    WIN = "WIN"
    BONUS_CREDIT = "BONUS_CREDIT"
    BONUS_DEBIT = "BONUS_DEBIT"


CREDITS = frozenset({EventType.DEPOSIT, EventType.WIN, EventType.BONUS_CREDIT})


@dataclass(frozen=True)
class LedgerEvent:
    """A fact in a player's ledger. `amount` is positive; the type gives the direction."""

    seq: int
    type: EventType
    amount: int
    balance_after: int
    created_at: datetime
    ref: str

    @property
    def signed_amount(self) -> int:
        return self.amount if self.type in CREDITS else -self.amount


@dataclass(frozen=True)
class Ledger:
    balance: int = 0
    last_seq: int = 0


@dataclass(frozen=True)
class Deposit:
    amount: int
    ref: str


@dataclass(frozen=True)
class Withdraw:
    amount: int
    ref: str


def check_amount(amount: int) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_AMOUNT:
        raise InvalidAmount(f"Amounts are integers from 1 to {MAX_AMOUNT} minor units")


def _append(ledger: Ledger, type_: EventType, amount: int, ref: str, now: datetime) -> LedgerEvent:
    signed = amount if type_ in CREDITS else -amount
    return LedgerEvent(ledger.last_seq + 1, type_, amount, ledger.balance + signed, now, ref)


def decide_deposit(ledger: Ledger, cmd: Deposit, now: datetime) -> list[LedgerEvent]:
    check_amount(cmd.amount)
    return [_append(ledger, EventType.DEPOSIT, cmd.amount, cmd.ref, now)]


def decide_withdrawal(ledger: Ledger, cmd: Withdraw, now: datetime) -> list[LedgerEvent]:
    check_amount(cmd.amount)
    if cmd.amount > ledger.balance:
        raise InsufficientFunds(
            f"The balance ({ledger.balance}) is lower than the amount ({cmd.amount})"
        )
    return [_append(ledger, EventType.WITHDRAWAL, cmd.amount, cmd.ref, now)]


def decide_bet_and_win(
    ledger: Ledger, stake: int, payout: int, ref: str, now: datetime
) -> list[LedgerEvent]:
    """A round: BET of the stake, then WIN of the payout when it is positive; both or neither."""
    check_amount(stake)
    if isinstance(payout, bool) or not isinstance(payout, int) or payout < 0:
        raise InvalidAmount("A payout is a non-negative integer")
    if stake > ledger.balance:
        raise InsufficientFunds(f"The balance ({ledger.balance}) is lower than the stake ({stake})")
    bet = _append(ledger, EventType.BET, stake, ref, now)
    if payout == 0:
        return [bet]
    return [bet, _append(evolve(ledger, bet), EventType.WIN, payout, ref, now)]


def evolve(ledger: Ledger, event: LedgerEvent) -> Ledger:
    return replace(ledger, balance=event.balance_after, last_seq=event.seq)


@dataclass(frozen=True)
class Replay:
    """The outcome of replaying a chain of events from zero."""

    events: int
    balance: int
    last_seq: int
    consistent: bool
    first_error: str | None = None


def replay(events: Iterable[LedgerEvent]) -> Replay:
    """Fold the events from an empty ledger, checking seq continuity and every balance_after."""
    balance = 0
    count = 0
    expected_seq = 1
    error: str | None = None
    for event in events:
        count += 1
        balance += event.signed_amount
        if error is None:
            if event.seq != expected_seq:
                error = f"seq {event.seq} found where {expected_seq} was expected"
            elif event.amount <= 0:
                error = f"seq {event.seq} has a non-positive amount"
            elif event.balance_after != balance:
                error = f"seq {event.seq}: balance_after {event.balance_after} != {balance}"
            elif balance < 0:
                error = f"seq {event.seq}: negative balance"
        expected_seq += 1
    return Replay(count, balance, count, error is None, error)

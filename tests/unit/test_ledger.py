from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casino.errors import InsufficientFunds, InvalidAmount
from casino.ledger import (
    MAX_AMOUNT,
    Deposit,
    EventType,
    Ledger,
    LedgerEvent,
    Withdraw,
    decide_bet_and_win,
    decide_deposit,
    decide_withdrawal,
    evolve,
    replay,
)

NOW = datetime(2026, 11, 25, tzinfo=UTC)


def apply(ledger, events):
    for event in events:
        ledger = evolve(ledger, event)
    return ledger


def test_a_deposit_appends_the_next_seq_with_its_balance_after():
    ledger = apply(Ledger(), decide_deposit(Ledger(), Deposit(1000, "p1"), NOW))
    [event] = decide_deposit(ledger, Deposit(500, "p2"), NOW)
    assert (event.seq, event.type, event.amount, event.balance_after) == (
        2,
        EventType.DEPOSIT,
        500,
        1500,
    )


def test_a_withdrawal_beyond_the_balance_is_refused_and_moves_nothing():
    ledger = Ledger(balance=100, last_seq=1)
    with pytest.raises(InsufficientFunds):
        decide_withdrawal(ledger, Withdraw(101, "w"), NOW)
    assert ledger == Ledger(balance=100, last_seq=1)


@pytest.mark.parametrize("amount", [0, -1, MAX_AMOUNT + 1, 1.5, True, "10"])
def test_invalid_amounts_are_refused(amount):
    with pytest.raises(InvalidAmount):
        decide_deposit(Ledger(), Deposit(amount, "x"), NOW)


def test_a_round_writes_bet_then_win_only_when_the_payout_is_positive():
    ledger = Ledger(balance=1000, last_seq=3)
    bet, win = decide_bet_and_win(ledger, 100, 250, "round:1", NOW)
    assert (bet.seq, bet.type, bet.balance_after) == (4, EventType.BET, 900)
    assert (win.seq, win.type, win.balance_after) == (5, EventType.WIN, 1150)
    [lost] = decide_bet_and_win(ledger, 100, 0, "round:2", NOW)
    assert lost.type == EventType.BET and lost.balance_after == 900


def test_replay_detects_a_tampered_balance_and_a_gap():
    events = decide_deposit(Ledger(), Deposit(10, "a"), NOW)
    ledger = apply(Ledger(), events)
    events += decide_deposit(ledger, Deposit(5, "b"), NOW)
    assert replay(events).consistent
    forged = LedgerEvent(2, EventType.DEPOSIT, 5, 16, NOW, "b")
    assert not replay([events[0], forged]).consistent
    gap = LedgerEvent(3, EventType.DEPOSIT, 5, 15, NOW, "b")
    assert not replay([events[0], gap]).consistent


commands = st.lists(
    st.tuples(st.sampled_from(["deposit", "withdraw", "round"]), st.integers(1, 10**6),
              st.integers(0, 3 * 10**6)),
    max_size=60,
)  # fmt: skip


@given(commands)
def test_the_balance_is_the_fold_of_events_never_negative_and_seq_has_no_gaps(cmds):
    ledger, log = Ledger(), []
    for kind, amount, payout in cmds:
        try:
            if kind == "deposit":
                events = decide_deposit(ledger, Deposit(amount, "d"), NOW)
            elif kind == "withdraw":
                events = decide_withdrawal(ledger, Withdraw(amount, "w"), NOW)
            else:
                events = decide_bet_and_win(ledger, amount, payout, "r", NOW)
        except InsufficientFunds:
            continue
        ledger = apply(ledger, events)
        log.extend(events)
    result = replay(log)
    assert result.consistent
    assert result.balance == ledger.balance >= 0
    assert [e.seq for e in log] == list(range(1, len(log) + 1))
    assert sum(e.signed_amount for e in log) == ledger.balance

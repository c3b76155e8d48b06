"""The wallet aggregate (`casino.wallet`): every WalletDO decision as a pure function of values,
with no storage and no clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casino.behaviour import Signals, detect
from casino.bonus import Bonus
from casino.errors import (
    AccountRestricted,
    DepositLimitExceeded,
    DomainError,
    InsufficientFunds,
    InvalidAmount,
    LimitRequired,
    LossLimitReached,
    ProfileIncomplete,
    RefundExceedsBet,
    SelfExcluded,
    SessionTimeLimitReached,
    ValidationFailed,
)
from casino.exclusion import Exclusion
from casino.jurisdictions import BRAZIL, GENERIC
from casino.ledger import EventType, Ledger, evolve
from casino.limits import KINDS, Limit, LimitRules
from casino.providers import ProviderBet
from casino.wallet import (
    PlaySession,
    WalletState,
    check_losses,
    check_may_move_money,
    check_restriction,
    check_time,
    current_session,
    decide_deposit,
    decide_grant_bonus,
    decide_interventions,
    decide_limit_changes,
    decide_provider_credit,
    decide_restriction,
    decide_stake,
    decide_withdraw,
    new_alerts,
    play_round,
    requested_exclusion,
    signals,
    stamp,
)

NOW = datetime(2026, 11, 25, 22, 30, 15, 123456, tzinfo=UTC)
IDLE = timedelta(minutes=30)
HOUR = timedelta(hours=1)
FUNDED = WalletState(Ledger(10_000, 3))


def no_limits(**values: int) -> dict[str, Limit]:
    return {kind: Limit(kind, values.get(kind)) for kind in KINDS}


# Money movements ---------------------------------------------------------------------------
def test_an_excluded_or_frozen_player_moves_no_money_in():
    with pytest.raises(SelfExcluded):
        check_may_move_money(WalletState(exclusion=Exclusion("break", NOW + HOUR)), NOW)
    with pytest.raises(AccountRestricted):
        check_may_move_money(WalletState(restriction="freeze"), NOW)
    check_may_move_money(WalletState(restriction="hold"), NOW)  # a hold only keeps payouts


def test_a_deposit_within_its_limits_is_the_next_event_with_its_balance():
    [event] = decide_deposit(FUNDED, 500, "p", no_limits(), {}, NOW)
    assert (event.seq, event.type, event.amount, event.balance_after) == (
        4,
        EventType.DEPOSIT,
        500,
        10_500,
    )


def test_a_deposit_past_a_rolling_limit_is_refused_before_its_amount_is_checked():
    limits = no_limits(deposit_weekly=1_000)
    totals = {"daily": 0, "weekly": 900, "monthly": 900}
    with pytest.raises(DepositLimitExceeded, match="weekly"):
        decide_deposit(FUNDED, 101, "p", limits, totals, NOW)
    assert decide_deposit(FUNDED, 100, "p", limits, totals, NOW)[0].amount == 100
    with pytest.raises(InvalidAmount):
        decide_deposit(FUNDED, 0, "p", no_limits(), {}, NOW)


def test_a_withdrawal_goes_to_the_registered_account_else_the_own_deposit_source():
    registered = {"type": "pix", "key": "k"}
    decided = decide_withdraw(FUNDED, 1_000, "w", registered, None, True, NOW)
    assert decided.destination == registered and decided.bonus is None
    own = decide_withdraw(FUNDED, 1_000, "w", None, {"method": "pix"}, True, NOW)
    assert own.destination == {"type": "deposit_source", "method": "pix"}
    assert decide_withdraw(FUNDED, 1_000, "w", None, None, False, NOW).destination is None
    with pytest.raises(ProfileIncomplete):
        decide_withdraw(FUNDED, 1_000, "w", None, None, True, NOW)


def test_a_withdrawal_beyond_the_balance_is_refused_before_its_destination():
    with pytest.raises(InsufficientFunds):
        decide_withdraw(FUNDED, 10_001, "w", None, None, True, NOW)


def test_a_withdrawal_with_a_locked_bonus_forfeits_it_first():
    state = WalletState(Ledger(10_000, 3), bonus=Bonus(2_000, 50_000))
    decided = decide_withdraw(state, 8_000, "w", {"k": 1}, None, False, NOW)
    assert [(e.type, e.amount, e.balance_after) for e in decided.events] == [
        (EventType.BONUS_DEBIT, 2_000, 8_000),
        (EventType.WITHDRAWAL, 8_000, 0),
    ]
    assert decided.bonus == Bonus()
    with pytest.raises(InsufficientFunds):
        decide_withdraw(state, 8_001, "w", {"k": 1}, None, False, NOW)


def test_a_bonus_is_granted_only_where_the_jurisdiction_allows_it():
    events, bonus = decide_grant_bonus(FUNDED, GENERIC, 1_000, 10, "b", NOW)
    assert events[0].type is EventType.BONUS_CREDIT and bonus == Bonus(1_000, 10_000)
    with pytest.raises(DomainError):
        decide_grant_bonus(FUNDED, BRAZIL, 1_000, 10, "b", NOW)


def test_a_round_is_its_bet_and_its_win_and_is_refused_whole_without_funds():
    bet, win = decide_stake(FUNDED, 100, 194, "round:r", NOW)
    assert (bet.type, bet.balance_after, win.type, win.balance_after) == (
        EventType.BET,
        9_900,
        EventType.WIN,
        10_094,
    )
    assert len(decide_stake(FUNDED, 100, 0, "round:r", NOW)) == 1
    with pytest.raises(InsufficientFunds):
        decide_stake(FUNDED, 10_001, 0, "round:r", NOW)
    with pytest.raises(AccountRestricted):
        decide_stake(WalletState(FUNDED.ledger, restriction="freeze"), 1, 0, "round:r", NOW)


@given(
    st.integers(min_value=0, max_value=10**6),
    st.lists(st.tuples(st.integers(1, 10**4), st.integers(0, 3 * 10**4)), max_size=20),
)
def test_rounds_never_take_the_balance_below_zero_and_it_is_their_fold(start, rounds):
    state = WalletState(Ledger(start, 1))
    expected = start
    for stake, payout in rounds:
        try:
            events = decide_stake(state, stake, payout, "round:r", NOW)
        except InsufficientFunds:
            assert stake > state.ledger.balance
            continue
        ledger = state.ledger
        for event in events:
            ledger = evolve(ledger, event)
        state = WalletState(ledger)
        expected += payout - stake
        assert state.ledger.balance == expected >= 0


def test_a_provider_credit_returns_at_most_what_is_left_of_the_stake():
    bet = ProviderBet("ref", stake=500, refunded=200)
    [win], amount = decide_provider_credit(FUNDED.ledger, bet, "rollback", 0, "x", NOW)
    assert (amount, win.amount, win.balance_after) == (300, 300, 10_300)
    assert decide_provider_credit(FUNDED.ledger, bet, "win", 0, "x", NOW) == ([], 0)
    with pytest.raises(RefundExceedsBet):
        decide_provider_credit(FUNDED.ledger, bet, "refund", 301, "x", NOW)
    with pytest.raises(ValidationFailed):
        decide_provider_credit(FUNDED.ledger, bet, "refund", 0, "x", NOW)


# Limits, exclusion, AML --------------------------------------------------------------------
def test_limit_changes_lower_at_once_and_raise_after_the_cooling_off():
    limits = no_limits(loss_daily=1_000)
    changed = decide_limit_changes(limits, {"loss_daily": 500}, LimitRules(), NOW)
    assert changed["loss_daily"] == Limit("loss_daily", 500)
    raised = decide_limit_changes(limits, {"session_minutes": 60}, LimitRules(), NOW)
    assert raised["time_daily"] == Limit("time_daily", 60)
    later = decide_limit_changes(limits, {"loss_daily": 2_000}, LimitRules(), NOW)
    assert later["loss_daily"].value == 1_000 and later["loss_daily"].pending_value == 2_000


def test_a_mandatory_limit_cannot_be_removed():
    rules = LimitRules(required=frozenset({"loss"}))
    with pytest.raises(LimitRequired):
        decide_limit_changes(no_limits(loss_daily=1_000), {"loss_daily": None}, rules, NOW)


def test_an_exclusion_request_is_a_break_a_self_exclusion_or_the_national_list():
    assert requested_exclusion("break", 2, None, False, NOW) == Exclusion("break", NOW + 2 * HOUR)
    assert requested_exclusion("national", None, None, False, NOW) == Exclusion(
        "national", None, True
    )
    assert requested_exclusion("self_exclusion", None, 3, False, NOW).until == NOW + timedelta(
        days=3
    )
    with pytest.raises(ValidationFailed):
        requested_exclusion("break", None, None, False, NOW)


def test_an_aml_restriction_only_tightens_unless_lifted():
    assert decide_restriction(None, "hold", False) == "hold"
    assert decide_restriction("freeze", "hold", False) == "freeze"
    assert decide_restriction("freeze", None, True) is None
    with pytest.raises(DomainError, match="unknown restriction"):
        check_restriction("ban")


# Responsible gaming ------------------------------------------------------------------------
def test_a_time_limit_used_up_in_its_window_refuses_the_stake():
    limits = no_limits(time_daily=60)
    check_time(limits, [(NOW - timedelta(minutes=59), NOW)], NOW)
    with pytest.raises(SessionTimeLimitReached, match="daily time limit of 60"):
        check_time(limits, [(NOW - timedelta(minutes=60), NOW)], NOW)


def test_a_stake_that_could_pass_a_loss_limit_is_refused():
    limits = no_limits(loss_weekly=1_000)
    losses = {"daily": 0, "weekly": 900, "monthly": 900}
    check_losses(limits, losses, 100)
    with pytest.raises(LossLimitReached, match="weekly"):
        check_losses(limits, losses, 101)


def test_a_play_session_goes_on_within_the_idle_timeout_and_starts_again_after_it():
    stored = PlaySession(stamp(NOW - HOUR), stamp(NOW - timedelta(minutes=29)), 3, 300, 100)
    assert current_session(stored, NOW, IDLE) == PlaySession(
        stored.started_at, stored.last_play_at, 3, 300, 100, active=True
    )
    fresh = current_session(stored, NOW + HOUR, IDLE)
    assert (fresh.started_at, fresh.rounds, fresh.active) == (stamp(NOW + HOUR), 0, False)
    opened = NOW - timedelta(minutes=10)
    assert current_session(None, NOW, IDLE, opened).started_at == stamp(opened)
    assert current_session(None, NOW, IDLE, NOW - HOUR).started_at == stamp(NOW)


def test_a_played_round_counts_in_the_session_and_a_reality_check_falls_due_each_interval():
    started = stamp(NOW - timedelta(minutes=61))
    session = PlaySession(started, started, 1, 100, 0, last_reality_check_at=started)
    played, check = play_round(session, 100, 194, NOW, timedelta(minutes=60))
    assert (played.rounds, played.staked, played.won) == (2, 200, 194)
    assert played.last_play_at == played.last_reality_check_at == stamp(NOW)
    assert check.to_dict() == {
        "due": True,
        "session_started_at": "2026-11-25T21:29:15.123Z",
        "elapsed_minutes": 61,
        "rounds": 2,
        "net_position": -6,
    }
    again, later = play_round(played, 100, 0, NOW + timedelta(minutes=5), timedelta(minutes=60))
    assert not later.due and again.last_reality_check_at == stamp(NOW)


def test_a_stored_play_session_reads_back_as_it_was_written():
    session = PlaySession(stamp(NOW), stamp(NOW), 4, 400, 250, stamp(NOW))
    data = session.to_dict()
    assert list(data) == [
        "started_at",
        "last_play_at",
        "rounds",
        "staked",
        "won",
        "last_reality_check_at",
    ]
    assert PlaySession.from_dict(data) == session


# Behaviour signals and interventions -------------------------------------------------------
def test_the_signals_of_a_round_read_the_stored_session_and_the_local_hour():
    stored = PlaySession(stamp(NOW - 4 * HOUR), stamp(NOW - timedelta(minutes=5)), 9, 900, 100)
    found = signals("round", NOW, IDLE, -180, stored, (1, 2, 3))
    assert found == Signals("round", 19, 240, -800, 5, (1, 2, 3), 0)


def test_a_rule_alerts_at_most_once_a_day():
    found = Signals("round", 2, 200, 0, 1, (), 0)
    assert detect(found) == ["long_session", "night_play"]
    assert new_alerts(detect(found), {}, NOW) == ["long_session", "night_play"]
    assert new_alerts(detect(found), {"night_play": "2026-11-25"}, NOW) == ["long_session"]


def test_alerts_escalate_over_the_week_including_those_raised_just_before():
    decided = decide_interventions(["long_session", "night_play"], 1, 3_000, Exclusion(), NOW)
    assert [(d.alert.level, d.alert.intervention) for d in decided] == [
        (2, "suggested_limit"),
        (3, "enforced_break"),
    ]
    assert decided[0].shown["suggested_daily_loss_limit"] == 1_500
    assert decided[0].exclusion is None
    assert decided[1].exclusion == Exclusion("break", NOW + HOUR)
    assert decided[1].shown["break_until"] == "2026-11-25T23:30:15.123Z"


def test_an_enforced_break_never_shortens_an_exclusion_in_force():
    longer = Exclusion("self_exclusion", NOW + timedelta(days=2))
    [decided] = decide_interventions(["night_play"], 2, 0, longer, NOW)
    assert decided.exclusion == longer


def test_the_latest_stakes_are_kept_across_sessions_and_unknown_until_first_read():
    stored = PlaySession(stamp(NOW - HOUR), stamp(NOW - HOUR), 3, 300, 0, recent_stakes=(1, 2))
    fresh = current_session(stored, NOW, IDLE)
    assert fresh.rounds == 0 and fresh.recent_stakes == (1, 2)
    played, _ = play_round(fresh, 3, 0, NOW, HOUR)
    assert played.recent_stakes == (1, 2, 3)
    many = PlaySession(stamp(NOW), recent_stakes=tuple(range(10)))
    assert play_round(many, 10, 0, NOW, HOUR)[0].recent_stakes == tuple(range(1, 11))
    assert PlaySession.from_dict(played.to_dict()) == played
    older = PlaySession(stamp(NOW))  # stored before the session kept its stakes
    assert play_round(older, 5, 0, NOW, HOUR)[0].recent_stakes is None
    assert "recent_stakes" not in older.to_dict()

"""The wallet aggregate: every command of a player's WalletDO decided as a pure function of the
wallet's state (`casino.ledger` is the model), with no storage and no clock of its own.

The WalletDO loads a `WalletState` (and, for a stake, the limits and play it is checked
against), calls one decision here and writes what it returns, in one storage transaction.
A decision raises a `DomainError` or returns events and the new values of the state. The money
rules, responsible gaming (limits, play time, the play session and its reality check) and the
behavioural interventions are all decided here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from .behaviour import (
    ENFORCED_BREAK_HOURS,
    Alert,
    Signals,
    escalate,
    suggested_loss_limit,
)
from .bonus import Bonus, decide_bonus, forfeit_before_withdrawal
from .errors import (
    AccountRestricted,
    DepositLimitExceeded,
    DomainError,
    LossLimitReached,
    SessionTimeLimitReached,
    ValidationFailed,
)
from .exclusion import Exclusion, check_not_excluded, extend, self_exclusion, take_a_break
from .jurisdictions import Jurisdiction
from .ledger import (
    Deposit,
    EventType,
    Ledger,
    LedgerEvent,
    Withdraw,
    check_amount,
    decide_bet_and_win,
    decide_withdrawal,
)
from .ledger import decide_deposit as ledger_deposit
from .limits import (
    WINDOWS,
    Limit,
    LimitRules,
    check_required,
    deposit_refusal,
    eventual_values,
    kind_of,
    loss_refusal,
    request_change,
    time_refusal,
)
from .messages import RealityCheck
from .payments import withdrawal_destination
from .providers import ProviderBet, check_refund
from .timefmt import parse_rfc3339, rfc3339

Spans = Sequence[tuple[datetime, datetime]]
RESTRICTIONS: dict[str | None, int] = {None: 0, "hold": 1, "freeze": 2}  # in order of severity
RECENT_STAKES = 10  # stakes kept for the rising-stakes rule (it reads the last five)


def stamp(moment: datetime) -> datetime:
    """`moment` at the precision it is stored with (milliseconds), so that what is decided
    from a value just made is what is decided from it once stored and read back."""
    return parse_rfc3339(rfc3339(moment))


@dataclass(frozen=True)
class WalletState:
    """What every money movement is decided against: the ledger, the exclusion in force, the
    AML restriction and the locked bonus."""

    ledger: Ledger = Ledger()
    exclusion: Exclusion = Exclusion()
    restriction: str | None = None
    bonus: Bonus = Bonus()


# Money movements ---------------------------------------------------------------------------
def check_may_move_money(state: WalletState, now: datetime) -> None:
    """What every deposit and stake must pass: no exclusion in force, no AML freeze."""
    check_not_excluded(state.exclusion, now)
    if state.restriction == "freeze":
        raise AccountRestricted()


def deposit_limited(limits: Mapping[str, Limit]) -> bool:
    """Whether a deposit limit is set (only then are the deposit totals needed)."""
    return any(limits[f"deposit_{p}"].value is not None for p in WINDOWS)


def decide_deposit(
    state: WalletState, amount: int, ref: str, limits: dict[str, Limit],
    totals: dict[str, int], now: datetime,
) -> list[LedgerEvent]:  # fmt: skip
    """A DEPOSIT, once the player may move money and no deposit limit over its rolling window
    (`totals`: deposits in each window) would be exceeded."""
    check_may_move_money(state, now)
    period = deposit_refusal(limits, totals, amount) if deposit_limited(limits) else None
    if period is not None:
        raise DepositLimitExceeded(f"The deposit would exceed your {period} deposit limit")
    return ledger_deposit(state.ledger, Deposit(amount, ref), now)


@dataclass(frozen=True)
class Withdrawal:
    """A decided withdrawal: its events (a bonus forfeited first, then the WITHDRAWAL), the
    bonus after it when it changed, and where the money goes (None: the method's own)."""

    events: list[LedgerEvent]
    bonus: Bonus | None
    destination: dict[str, Any] | None


def decide_withdraw(
    state: WalletState, amount: int, ref: str, registered: Mapping[str, Any] | None,
    own_source: Mapping[str, Any] | None, destination_required: bool, now: datetime,
) -> Withdrawal:  # fmt: skip
    """Funds first, then the destination, then the locked bonus forfeited (whatever remains
    must cover the amount), then the WITHDRAWAL."""
    check_amount(amount)
    if amount > state.ledger.balance:
        decide_withdrawal(state.ledger, Withdraw(amount, ref), now)  # the refusal
    destination = withdrawal_destination(registered, own_source, destination_required)
    forfeit, ledger = forfeit_before_withdrawal(
        state.ledger, state.bonus, amount, f"bonus-forfeit:{ref}", now
    )
    events = forfeit + decide_withdrawal(ledger, Withdraw(amount, ref), now)
    return Withdrawal(events, Bonus() if forfeit else None, destination or None)


def decide_grant_bonus(
    state: WalletState, profile: Jurisdiction, amount: int, multiplier: int, ref: str,
    now: datetime,
) -> tuple[list[LedgerEvent], Bonus]:  # fmt: skip
    """BONUS_CREDIT with its wagering requirement, where the jurisdiction allows bonuses."""
    return decide_bonus(state.ledger, state.bonus, profile, amount, multiplier, ref, now)


def decide_stake(
    state: WalletState, stake: int, payout: int, ref: str, now: datetime
) -> list[LedgerEvent]:
    """BET (and WIN when the payout is positive) of a round or a provider's bet. Funds come
    before the limits: a stake the player cannot afford is `insufficient_funds` whatever the
    limits say (`check_time`, `check_losses` follow)."""
    check_may_move_money(state, now)
    return decide_bet_and_win(state.ledger, stake, payout, ref, now)


def decide_provider_credit(
    ledger: Ledger, bet: ProviderBet, kind: str, amount: int, ref: str, now: datetime
) -> tuple[list[LedgerEvent], int]:
    """The WIN (if any) of a provider's win, refund or rollback of a known bet, and its amount:
    a rollback returns what is left of the stake, a refund never more than that."""
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


# Limits, exclusion, AML ----------------------------------------------------------------------
def decide_limit_changes(
    limits: Mapping[str, Limit], changes: Mapping[str, int | None], rules: LimitRules,
    now: datetime,
) -> dict[str, Limit]:  # fmt: skip
    """Every limit after the changes, each by the lower-at-once rule under the jurisdiction's
    rules (mandatory kinds, maxima): all of them or none."""
    changed = dict(limits)
    for name, value in changes.items():
        kind = kind_of(name)
        changed[kind] = request_change(changed[kind], value, now, rules)
    check_required(eventual_values(changed), rules)
    return changed


def requested_exclusion(
    kind: str, hours: Any, days: Any, permanent: bool, now: datetime
) -> Exclusion:
    """Self-exclusion (`days` or `permanent`), a break (`hours`) or the national list."""
    if kind == "break":
        return take_a_break(hours, now)
    if kind == "national":
        return Exclusion("national", None, True)
    return self_exclusion(days, permanent, now)


def check_restriction(wanted: Any) -> None:
    """An AML restriction is `hold`, `freeze` or None (lifted)."""
    if wanted not in RESTRICTIONS:
        raise DomainError(f"unknown restriction {wanted!r}")


def decide_restriction(current: str | None, wanted: str | None, lift: bool) -> str | None:
    """The AML restriction after a request (`check_restriction` passed): only the order
    hold < freeze is kept, unless `lift` says otherwise."""
    if lift or RESTRICTIONS[wanted] > RESTRICTIONS[current]:
        return wanted
    return current


# Responsible gaming: play time, losses, the play session -------------------------------------
def loss_limited(limits: Mapping[str, Limit]) -> bool:
    """Whether a loss limit is set (only then are the net losses needed)."""
    return any(limits[f"loss_{p}"].value is not None for p in WINDOWS)


def check_time(limits: Mapping[str, Limit], spans: Spans, now: datetime) -> None:
    """No time limit used up over its window (the stretches of play include this attempt)."""
    used_up = time_refusal(limits, list(spans), now)
    if used_up is not None:
        period, minutes = used_up
        raise SessionTimeLimitReached(
            f"You reached your {period} time limit of {minutes} minutes of play; take a break"
        )


def check_losses(limits: dict[str, Limit], net_losses: dict[str, int], stake: int) -> None:
    """No net-loss limit this stake could take the player past."""
    period = loss_refusal(limits, net_losses, stake)
    if period is not None:
        raise LossLimitReached(f"This round could take you past your {period} loss limit")


@dataclass(frozen=True)
class PlaySession:
    """The player's current stretch of play, for reality checks: it began at the first round
    (or the opening of its game session) after a pause longer than the idle timeout."""

    started_at: datetime
    last_play_at: datetime | None = None
    rounds: int = 0
    staked: int = 0
    won: int = 0
    last_reality_check_at: datetime | None = None
    active: bool = False
    # The stakes of the player's latest rounds, oldest first, whatever session they were in
    # (for the rising-stakes rule); None where a stored session predates them.
    recent_stakes: tuple[int, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        """As stored (`active` is not: it is decided when the session is read)."""
        data: dict[str, Any] = {
            "started_at": rfc3339(self.started_at),
            "last_play_at": rfc3339(self.last_play_at) if self.last_play_at else None,
            "rounds": self.rounds,
            "staked": self.staked,
            "won": self.won,
            "last_reality_check_at": rfc3339(self.last_reality_check_at or self.started_at),
        }
        if self.recent_stakes is not None:
            data["recent_stakes"] = list(self.recent_stakes)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlaySession:
        last, checked = data.get("last_play_at"), data.get("last_reality_check_at")
        stakes = data.get("recent_stakes")
        return cls(
            started_at=parse_rfc3339(data["started_at"]),
            last_play_at=parse_rfc3339(last) if last else None,
            rounds=data["rounds"],
            staked=data["staked"],
            won=data["won"],
            last_reality_check_at=parse_rfc3339(checked) if checked else None,
            recent_stakes=tuple(stakes) if stakes is not None else None,
        )


def current_session(
    stored: PlaySession | None, now: datetime, idle: timedelta, opened_at: datetime | None = None
) -> PlaySession:
    """The stored session while its last round is within the idle timeout (`active`), else a
    new one starting now (or at the opening of the game session, when that was within it)."""
    last = stored.last_play_at if stored else None
    if stored is None or last is None or now - last > idle:
        fresh = opened_at is not None and now - opened_at <= idle
        started = stamp(opened_at if fresh and opened_at is not None else now)
        stakes = stored.recent_stakes if stored else None
        return PlaySession(started, last_reality_check_at=started, recent_stakes=stakes)
    return replace(stored, active=True)


def play_round(
    session: PlaySession, stake: int, payout: int, now: datetime, reality_every: timedelta
) -> tuple[PlaySession, RealityCheck]:
    """The session after a settled round, and its reality check (due once `reality_every`
    has passed since the last one). The round's stake joins the recent stakes, when the
    session knows them."""
    last_check = session.last_reality_check_at or session.started_at
    due, at = now - last_check >= reality_every, stamp(now)
    stakes = session.recent_stakes
    played = PlaySession(
        started_at=session.started_at,
        last_play_at=at,
        rounds=session.rounds + 1,
        staked=session.staked + stake,
        won=session.won + payout,
        last_reality_check_at=at if due else last_check,
        recent_stakes=(*stakes, stake)[-RECENT_STAKES:] if stakes is not None else None,
    )
    return played, reality_check(played, due, now)


def reality_check(session: PlaySession, due: bool, now: datetime) -> RealityCheck:
    return RealityCheck(
        due=due,
        session_started_at=rfc3339(session.started_at),
        elapsed_minutes=elapsed_minutes(session, now),
        rounds=session.rounds,
        net_position=session.won - session.staked,
    )


def elapsed_minutes(session: PlaySession, now: datetime) -> int:
    return int((now - session.started_at).total_seconds() // 60)


# Behaviour signals and interventions -------------------------------------------------------
def signals(
    event: str, now: datetime, idle: timedelta, utc_offset_minutes: int,
    stored: PlaySession | None, recent_stakes: Sequence[int] = (), declined_24h: int = 0,
) -> Signals:  # fmt: skip
    """What the behaviour rules read at a deposit, a declined deposit or a round, from the
    stored play session (and, for a round, the stakes before it, oldest first)."""
    session = current_session(stored, now, idle)
    last_play = stored.last_play_at if stored else None
    return Signals(
        event=event,
        local_hour=now.astimezone(timezone(timedelta(minutes=utc_offset_minutes))).hour,
        session_minutes=elapsed_minutes(session, now),
        session_net=stored.won - stored.staked if stored else 0,
        minutes_since_last_round=(
            int((now - last_play).total_seconds() // 60) if last_play else None
        ),
        recent_stakes=tuple(recent_stakes),
        declined_deposits_24h=declined_24h,
    )


def new_alerts(rules: Sequence[str], alerted: Mapping[str, Any], now: datetime) -> list[str]:
    """The rules triggered (`casino.behaviour.detect`) that have not alerted today: each alerts
    at most once a day (`alerted`: the day each rule last alerted)."""
    today = alert_day(now)
    return [rule for rule in rules if alerted.get(rule) != today]


def alert_day(now: datetime) -> str:
    return rfc3339(now)[:10]


@dataclass(frozen=True)
class Intervention:
    """An alert raised, what the player is shown of it, and the exclusion in force after it
    when it enforced a break."""

    alert: Alert
    shown: dict[str, Any]
    exclusion: Exclusion | None = None


def decide_interventions(
    rules: Sequence[str], week_alerts: int, session_staked: int, exclusion: Exclusion,
    now: datetime,
) -> list[Intervention]:  # fmt: skip
    """Each new alert escalates over the alerts of the past week (those raised just before it
    included): a message, a suggested limit, an enforced break, then operator review."""
    decided: list[Intervention] = []
    for rule in rules:
        alert = escalate(rule, week_alerts + len(decided))
        shown: dict[str, Any] = {
            "rule": alert.rule,
            "level": alert.level,
            "intervention": alert.intervention,
            "message": alert.message,
        }
        in_force = None
        if alert.intervention == "suggested_limit":
            shown["suggested_daily_loss_limit"] = suggested_loss_limit(session_staked)
        if alert.intervention == "enforced_break":
            pause = take_a_break(ENFORCED_BREAK_HOURS, now)
            exclusion = in_force = extend(exclusion, pause, now)
            shown["break_until"] = rfc3339(pause.until) if pause.until else None
        decided.append(Intervention(alert, shown, in_force))
    return decided

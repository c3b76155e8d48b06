"""Responsible-gaming limits: deposit, net-loss and play-time limits over rolling windows, and
the rules for changing them: lower at once, raise or remove after a cooling-off, never remove a
limit the jurisdiction makes mandatory, never raise one past the jurisdiction's maximum.

`session_minutes` is the name the first contract gave the daily time limit; it stays readable
and settable, and is the same limit as `time_daily` (a pause never resets it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from .errors import InvalidLimit, LimitRequired
from .ledger import MAX_AMOUNT

COOLING_OFF = timedelta(hours=24)
WINDOWS = {"daily": timedelta(days=1), "weekly": timedelta(days=7), "monthly": timedelta(days=30)}
FAMILIES = ("deposit", "loss", "time")
KINDS = tuple(f"{family}_{period}" for family in FAMILIES for period in WINDOWS)
SESSION_ALIAS = "time_daily"
MAX_SESSION_MINUTES = 24 * 60


def kind_of(name: str) -> str:
    """The stored kind for a limit name (`session_minutes` is `time_daily`)."""
    return SESSION_ALIAS if name == "session_minutes" else name


@dataclass(frozen=True)
class LimitRules:
    """What a jurisdiction asks of limits: families (`loss`, `time`) of which a player must
    always keep at least one window, the most each kind may be raised to, and the values a
    player starts with when choosing none."""

    required: frozenset[str] = frozenset()
    maxima: Mapping[str, int] = field(default_factory=dict)
    defaults: Mapping[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "required": sorted(self.required),
            "maxima": dict(self.maxima),
            "defaults": dict(self.defaults),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object] | None) -> LimitRules:
        data = data or {}
        required = data.get("required") or []
        maxima = data.get("maxima") or {}
        defaults = data.get("defaults") or {}
        assert isinstance(required, list | tuple | frozenset | set)
        assert isinstance(maxima, dict) and isinstance(defaults, dict)
        return cls(frozenset(required), dict(maxima), dict(defaults))


@dataclass(frozen=True)
class Limit:
    """One limit: the value in force (None = no limit) and a pending change, if any."""

    kind: str
    value: int | None = None
    pending: bool = False
    pending_value: int | None = None
    effective_at: datetime | None = None

    def settle(self, now: datetime) -> Limit:
        """Apply a pending change whose cooling-off has passed."""
        if self.pending and self.effective_at is not None and self.effective_at <= now:
            return Limit(self.kind, self.pending_value)
        return self


def highest(kind: str) -> int:
    """The largest value a limit of this kind can have: an amount, or the window in minutes."""
    family, _, period = kind_of(kind).partition("_")
    if family == "time":
        return int(WINDOWS[period].total_seconds() // 60)
    return MAX_AMOUNT


def check_value(kind: str, value: object, rules: LimitRules | None = None) -> int | None:
    """A limit value as the player asks for it: null, or an integer in range (under `rules`,
    not above the jurisdiction's maximum)."""
    kind = kind_of(kind)
    if value is None:
        return None
    high = highest(kind)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
        raise InvalidLimit(f"{kind} must be null or an integer from 1 to {high}")
    maximum = rules.maxima.get(kind) if rules is not None else None
    if maximum is not None and value > maximum:
        raise InvalidLimit(f"{kind} can be at most {maximum} in your jurisdiction")
    return value


def family_kinds(family: str) -> tuple[str, ...]:
    return tuple(f"{family}_{period}" for period in WINDOWS)


def check_required(eventual: Mapping[str, int | None], rules: LimitRules) -> None:
    """Refuse a state in which a mandatory family would have no window left (`eventual`: each
    kind's value once pending changes apply)."""
    for family in sorted(rules.required):
        if all(eventual.get(kind) is None for kind in family_kinds(family)):
            raise LimitRequired(
                f"A {family} limit is mandatory in your jurisdiction: keep at least one of "
                "daily, weekly or monthly"
            )


def eventual_values(limits: Mapping[str, Limit]) -> dict[str, int | None]:
    return {
        kind: limit.pending_value if limit.pending else limit.value
        for kind, limit in limits.items()
    }


def missing_required(limits: Mapping[str, Limit], rules: LimitRules) -> dict[str, int]:
    """The defaults to apply at once for every mandatory family in which the player has no limit
    at all (an account older than the rule, or one whose registration did not reach its
    wallet)."""
    eventual = eventual_values(limits)
    found: dict[str, int] = {}
    for family in sorted(rules.required):
        kinds = family_kinds(family)
        if all(eventual.get(kind) is None for kind in kinds):
            found.update({k: rules.defaults[k] for k in kinds if k in rules.defaults})
    return found


def is_stricter(new: int | None, old: int | None) -> bool:
    """True when `new` restricts at least as much as `old` (None means no limit)."""
    if new is None:
        return old is None
    return old is None or new <= old


def request_change(
    limit: Limit, new_value: object, now: datetime, rules: LimitRules | None = None
) -> Limit:
    """Lowering (or setting a first limit) applies at once and cancels a pending raise;
    raising or removing waits for the cooling-off and shows as pending."""
    value = check_value(limit.kind, new_value, rules)
    current = limit.settle(now)
    if value == current.value:
        return Limit(current.kind, current.value)
    if is_stricter(value, current.value):
        return Limit(current.kind, value)
    return replace(current, pending=True, pending_value=value, effective_at=now + COOLING_OFF)


def window_start(period: str, now: datetime) -> datetime:
    return now - WINDOWS[period]


def deposit_refusal(limits: dict[str, Limit], totals: dict[str, int], amount: int) -> str | None:
    """The name of the first deposit limit this amount would exceed over its window, if any."""
    for period in WINDOWS:
        limit = limits.get(f"deposit_{period}")
        if limit and limit.value is not None and totals[period] + amount > limit.value:
            return period
    return None


def loss_refusal(limits: dict[str, Limit], net_losses: dict[str, int], stake: int) -> str | None:
    """A round could lose its whole stake: refuse it when that would pass a net-loss limit."""
    for period in WINDOWS:
        limit = limits.get(f"loss_{period}")
        if limit and limit.value is not None and net_losses[period] + stake > limit.value:
            return period
    return None


def played_seconds(
    spans: list[tuple[datetime, datetime]], now: datetime, window: timedelta
) -> float:
    """Seconds of play inside the rolling window (now - window, now], from the stretches of play
    (start, end), each ended by a pause longer than the idle timeout. A pause adds nothing and
    resets nothing."""
    low = now - window
    return sum(max(0.0, (min(end, now) - max(start, low)).total_seconds()) for start, end in spans)


def time_refusal(
    limits: Mapping[str, Limit], spans: list[tuple[datetime, datetime]], now: datetime
) -> tuple[str, int] | None:
    """The first time limit already used up over its window (period, minutes), if any."""
    for period, window in WINDOWS.items():
        limit = limits.get(f"time_{period}")
        if (
            limit
            and limit.value is not None
            and played_seconds(spans, now, window) >= (limit.value * 60)
        ):
            return period, limit.value
    return None

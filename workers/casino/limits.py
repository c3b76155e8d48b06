"""Responsible-gaming limits: deposit and net-loss limits over rolling windows, a session time
limit, and the rule for changing them (lower at once, raise or remove after a cooling-off).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from .errors import InvalidLimit
from .ledger import MAX_AMOUNT

COOLING_OFF = timedelta(hours=24)
WINDOWS = {"daily": timedelta(days=1), "weekly": timedelta(days=7), "monthly": timedelta(days=30)}
KINDS = tuple(f"{family}_{period}" for family in ("deposit", "loss") for period in WINDOWS) + (
    "session_minutes",
)
MAX_SESSION_MINUTES = 24 * 60


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


def check_value(kind: str, value: object) -> int | None:
    if value is None:
        return None
    high = MAX_SESSION_MINUTES if kind == "session_minutes" else MAX_AMOUNT
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
        raise InvalidLimit(f"{kind} must be null or an integer from 1 to {high}")
    return value


def is_stricter(new: int | None, old: int | None) -> bool:
    """True when `new` restricts at least as much as `old` (None means no limit)."""
    if new is None:
        return old is None
    return old is None or new <= old


def request_change(limit: Limit, new_value: object, now: datetime) -> Limit:
    """Lowering (or setting a first limit) applies at once and cancels a pending raise;
    raising or removing waits for the cooling-off and shows as pending."""
    value = check_value(limit.kind, new_value)
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

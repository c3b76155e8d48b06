"""Self-exclusion and breaks: effective at once, never shortened, withdrawals still allowed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .errors import SelfExcluded, ValidationFailed

MAX_EXCLUSION_DAYS = 365 * 5
BREAK_HOURS = (1, 6 * 7 * 24)  # a "take a break" cool-off: an hour to six weeks


@dataclass(frozen=True)
class Exclusion:
    """`until` None with `permanent` False means not excluded."""

    kind: str | None = None  # "self_exclusion", "break" or "national"
    until: datetime | None = None
    permanent: bool = False

    def active(self, now: datetime) -> bool:
        return self.permanent or (self.until is not None and now < self.until)


def extend(current: Exclusion, requested: Exclusion, now: datetime) -> Exclusion:
    """The stricter of the two: an exclusion can be lengthened, never shortened or lifted."""
    if not current.active(now):
        return requested
    if current.permanent or (
        not requested.permanent
        and current.until is not None
        and requested.until is not None
        and requested.until <= current.until
    ):
        return current
    kind = requested.kind if current.kind == "break" else current.kind
    return Exclusion(kind, requested.until, requested.permanent)


def self_exclusion(days: int | None, permanent: bool, now: datetime) -> Exclusion:
    if permanent:
        return Exclusion("self_exclusion", None, True)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_EXCLUSION_DAYS:
        raise ValidationFailed(f"days must be an integer from 1 to {MAX_EXCLUSION_DAYS}")
    return Exclusion("self_exclusion", now + timedelta(days=days))


def take_a_break(hours: int, now: datetime) -> Exclusion:
    low, high = BREAK_HOURS
    if isinstance(hours, bool) or not isinstance(hours, int) or not low <= hours <= high:
        raise ValidationFailed(f"hours must be an integer from {low} to {high}")
    return Exclusion("break", now + timedelta(hours=hours))


def check_not_excluded(exclusion: Exclusion, now: datetime) -> None:
    if exclusion.active(now):
        what = {"break": "on a break", "national": "on the national exclusion list"}.get(
            exclusion.kind or "", "self-excluded"
        )
        until = (
            "permanently" if exclusion.permanent else f"until {exclusion.until:%Y-%m-%d %H:%M} UTC"
        )
        raise SelfExcluded(f"The player is {what} {until}; withdrawals remain available")

"""AML rules engine: pure scoring of wallet events against rules kept as data.

Rules are plain dictionaries (the defaults below; a deployment overrides them from KV), so a
new threshold is a data change, not a code branch. `score` is deterministic: the same events
and the same rules give the same alerts, and an event already seen (by its id) raises nothing.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from .errors import IllegalTransition

RISKS = ("low", "medium", "high", "critical")
TRANSITIONS: dict[str, frozenset[str]] = {
    "open": frozenset({"under_review", "closed", "reported"}),
    "under_review": frozenset({"closed", "reported"}),
    "closed": frozenset(),
    "reported": frozenset(),
}

DEFAULT_RULES: tuple[dict[str, Any], ...] = (
    # deposit velocity: count and sum of deposits over a sliding window
    {"rule": "deposit_velocity", "kind": "velocity", "event": "deposit", "window_s": 3600,
     "max_count": 5, "max_sum": 5_000_000, "score": 60},
    # structuring: several amounts just under a reporting threshold
    {"rule": "structuring", "kind": "structuring", "event": "deposit", "window_s": 86400,
     "threshold": 1_000_000, "margin_bps": 1000, "min_count": 3, "score": 70},
)  # fmt: skip


@dataclass(frozen=True)
class WalletEvent:
    event_id: str
    player_id: str
    type: str
    amount: int  # minor units
    at: int  # epoch seconds


@dataclass(frozen=True)
class Alert:
    player_id: str
    rule: str
    score: int
    risk: str
    event_ids: tuple[str, ...]
    reason: str


def risk_of(score: int, factors: int = 0) -> str:
    total = score + factors
    if total >= 100:
        return "critical"
    if total >= 70:
        return "high"
    if total >= 40:
        return "medium"
    return "low"


def player_factors(pep: bool, high_risk_country: bool, kyc_verified: bool) -> int:
    return (30 if pep else 0) + (20 if high_risk_country else 0) + (0 if kyc_verified else 10)


def check_transition(current: str, wanted: str) -> None:
    if wanted not in TRANSITIONS.get(current, frozenset()):
        raise IllegalTransition(f"An alert {current} cannot become {wanted}")


@dataclass
class Engine:
    """Per-player sliding windows; `score` one event at a time (the queue consumer's loop)."""

    rules: tuple[dict[str, Any], ...] = DEFAULT_RULES
    seen: set[str] = field(default_factory=set)
    windows: dict[tuple[str, str], deque[WalletEvent]] = field(default_factory=dict)
    fired: set[tuple[str, str, int]] = field(default_factory=set)

    def score(self, event: WalletEvent, factors: int = 0) -> list[Alert]:
        if event.event_id in self.seen:
            return []
        self.seen.add(event.event_id)
        alerts = []
        for rule in self.rules:
            if rule["event"] != event.type:
                continue
            key = (event.player_id, rule["rule"])
            window = self.windows.setdefault(key, deque())
            window.append(event)
            horizon = event.at - int(rule["window_s"])
            while window and window[0].at <= horizon:
                window.popleft()
            alert = _evaluate(rule, window, factors)
            if alert is None:
                continue
            bucket = (event.player_id, rule["rule"], event.at // int(rule["window_s"]))
            if bucket in self.fired:
                continue  # one alert per rule and window, not one per further event
            self.fired.add(bucket)
            alerts.append(alert)
        return alerts


def _evaluate(rule: dict[str, Any], window: deque[WalletEvent], factors: int) -> Alert | None:
    kind = rule["kind"]
    if kind == "velocity":
        count, total = len(window), sum(e.amount for e in window)
        if count <= rule["max_count"] and total <= rule["max_sum"]:
            return None
        reason = f"{count} deposits totalling {total} in {rule['window_s']}s"
        hits = list(window)
    elif kind == "structuring":
        low = rule["threshold"] * (10_000 - rule["margin_bps"]) // 10_000
        hits = [e for e in window if low <= e.amount < rule["threshold"]]
        if len(hits) < rule["min_count"]:
            return None
        reason = f"{len(hits)} deposits just under {rule['threshold']}"
    else:
        return None
    score = int(rule["score"])
    return Alert(
        player_id=window[-1].player_id,
        rule=str(rule["rule"]),
        score=score,
        risk=risk_of(score, factors),
        event_ids=tuple(e.event_id for e in hits),
        reason=reason,
    )

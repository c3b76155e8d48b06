"""AML rules engine: pure scoring of wallet events against rules kept as data.

Rules are plain dictionaries (the defaults below; a deployment overrides them from KV under
`aml:rules`), so a new threshold is a data change, not a code branch. Each rule has a `kind` (the
typology it detects), the ledger event type that makes it look (`event`), a sliding window and
its thresholds. Scoring is deterministic: the same event with the same history gives the same
alerts, and an alert's id is a function of the player, the rule and the window the event falls
in, so a redelivered event (the queue delivers at least once) raises no second alert.

What a rule sees, `Context`: the player's money events in the rule's window up to and including
this one (`history`: deposits, withdrawals and high-value bets, one by one), the count and sum of
every event type over each window a rule asks for (`totals`), the number of other players seen
with the same payer or device (`sharing`), and the player's own risk factors.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Callable, Mapping, Sequence
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
# What a risk level does (DOMAIN.md, AML): `high` holds withdrawals for enhanced due diligence,
# `critical` freezes the account and drafts a suspicious-activity report (COAF's COS in BR).
ACTIONS: dict[str, str | None] = {"low": None, "medium": None, "high": "hold", "critical": "freeze"}
COS_DUE_HOURS = 24

DEFAULT_RULES: tuple[dict[str, Any], ...] = (
    # deposit velocity: count and sum of deposits over sliding windows (a burst in a minute,
    # an hour, a day); one alert per player and day
    {"rule": "deposit_velocity", "kind": "velocity", "event": "DEPOSIT", "window_s": 86400,
     "max_count": 10, "max_sum": 10_000_000, "score": 60,
     "windows": [{"window_s": 60, "max_count": 3, "max_sum": 2_000_000},
                 {"window_s": 3600, "max_count": 5, "max_sum": 5_000_000}]},
    # structuring: several amounts just under a reporting threshold
    {"rule": "structuring", "kind": "structuring", "event": "DEPOSIT", "window_s": 86400,
     "threshold": 1_000_000, "margin_bps": 1000, "min_count": 3, "score": 70},
    # deposit then withdraw with little play: turnover under ~1x the deposits
    {"rule": "deposit_withdraw_little_play", "kind": "little_play", "event": "WITHDRAWAL",
     "window_s": 7 * 86400, "min_deposits": 100_000, "min_withdrawn_bps": 5000,
     "max_turnover_bps": 10_000, "score": 50},
    # rapid high-value play: many large stakes in a short time
    {"rule": "rapid_high_value_play", "kind": "high_value_play", "event": "BET", "window_s": 600,
     "min_amount": 500_000, "min_count": 5, "score": 50},
    # unusual win rate: looked at on a large win, over a day of play
    {"rule": "unusual_win_rate", "kind": "win_rate", "event": "WIN", "window_s": 86400,
     "min_amount": 100_000, "min_bets": 50, "max_rtp_bps": 20_000, "score": 40},
    # several accounts sharing a payer or a device
    {"rule": "shared_device", "kind": "shared", "event": "DEPOSIT", "window_s": 30 * 86400,
     "attribute": "device", "min_players": 3, "score": 60},
)  # fmt: skip
# The event types kept one by one in a rule's history (the rest are only counted and summed).
DETAIL_TYPES = frozenset({"DEPOSIT", "WITHDRAWAL"})
REQUIRED = {
    "velocity": ("max_count", "max_sum"),
    "structuring": ("threshold", "margin_bps", "min_count"),
    "little_play": ("min_deposits", "min_withdrawn_bps", "max_turnover_bps"),
    "high_value_play": ("min_amount", "min_count"),
    "win_rate": ("min_amount", "min_bets", "max_rtp_bps"),
    "shared": ("attribute", "min_players"),
}


@dataclass(frozen=True)
class WalletEvent:
    event_id: str
    player_id: str
    type: str  # the ledger's type: DEPOSIT, WITHDRAWAL, BET, WIN, ...
    amount: int  # minor units
    at: int  # epoch seconds
    seq: int = 0
    attributes: Mapping[str, str] = field(default_factory=dict)  # payer, device (hashed)


@dataclass(frozen=True)
class Alert:
    alert_id: str
    player_id: str
    rule: str
    score: int
    risk: str
    event_ids: tuple[str, ...]
    reason: str  # in English, for logs and D1 readers
    facts: Mapping[str, int | str] = field(default_factory=dict)  # the figures behind `reason`

    @property
    def action(self) -> str | None:
        return ACTIONS[self.risk]


Totals = Mapping[str, tuple[int, int]]  # event type -> (count, sum) over a window


@dataclass(frozen=True)
class Context:
    history: Sequence[WalletEvent]  # detail events in the largest window, oldest first
    totals: Mapping[int, Totals] = field(default_factory=dict)  # window_s -> totals
    sharing: Mapping[str, int] = field(default_factory=dict)  # attribute -> players sharing it
    factors: int = 0


class InvalidRules(ValueError):
    """Rules from configuration that the engine cannot apply."""


def validate(rules: Sequence[Mapping[str, Any]]) -> tuple[dict[str, Any], ...]:
    """Rules read from KV, checked: each has a known kind, a window, a score and its fields."""
    checked = []
    for rule in rules:
        kind = rule.get("kind")
        if kind not in REQUIRED:
            raise InvalidRules(f"unknown rule kind {kind!r}")
        missing = [
            k for k in ("rule", "event", "window_s", "score", *REQUIRED[kind]) if k not in rule
        ]
        if missing:
            raise InvalidRules(f"rule {rule.get('rule')!r} lacks {', '.join(missing)}")
        if int(rule["window_s"]) < 1:
            raise InvalidRules(f"rule {rule['rule']!r}: window_s must be positive")
        for window in rule.get("windows", []):
            if not {"window_s", "max_count", "max_sum"} <= set(window) or not (
                0 < int(window["window_s"]) <= int(rule["window_s"])
            ):
                raise InvalidRules(
                    f"rule {rule['rule']!r}: each of its windows has window_s (at most the "
                    "rule's), max_count and max_sum"
                )
        checked.append(dict(rule))
    return tuple(checked)


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


def looks_at(rule: Mapping[str, Any], event: WalletEvent) -> bool:
    return rule["event"] == event.type and event.amount >= int(rule.get("min_amount", 0))


def triggered(rules: Sequence[Mapping[str, Any]], event: WalletEvent) -> list[Mapping[str, Any]]:
    return [rule for rule in rules if looks_at(rule, event)]


def windows_totalled(rules: Sequence[Mapping[str, Any]]) -> set[int]:
    """The windows over which the caller must count and sum every event type."""
    return {int(r["window_s"]) for r in rules if r["kind"] in ("little_play", "win_rate")}


def alert_id(player_id: str, rule: str, bucket: int) -> str:
    digest = hashlib.sha256(f"{player_id}|{rule}|{bucket}".encode()).hexdigest()
    return f"aml_{digest[:24]}"


def evaluate(rules: Sequence[Mapping[str, Any]], event: WalletEvent, ctx: Context) -> list[Alert]:
    """The alerts `event` raises, given what came before it (`ctx`)."""
    alerts = []
    for rule in triggered(rules, event):
        window_s = int(rule["window_s"])
        horizon = event.at - window_s
        window = [e for e in ctx.history if e.at > horizon and e.seq <= event.seq]
        found = KINDS[rule["kind"]](rule, event, window, ctx)
        if found is None:
            continue
        hits, reason, facts = found
        score = int(rule["score"])
        alerts.append(
            Alert(
                alert_id=alert_id(event.player_id, str(rule["rule"]), event.at // window_s),
                player_id=event.player_id,
                rule=str(rule["rule"]),
                score=score,
                risk=risk_of(score, ctx.factors),
                event_ids=tuple(dict.fromkeys(e.event_id for e in (*hits, event))),
                reason=reason,
                facts=facts,
            )
        )
    return alerts


Facts = dict[str, int | str]
Found = tuple[list[WalletEvent], str, Facts] | None


def _velocity(
    rule: Mapping[str, Any], event: WalletEvent, window: list[WalletEvent], __: Context
) -> Found:
    """The first of the rule's windows (shortest first) whose count or sum is exceeded."""
    limits = sorted([*rule.get("windows", []), rule], key=lambda w: int(w["window_s"]))
    for limit in limits:
        window_s = int(limit["window_s"])
        hits = [e for e in window if e.type == rule["event"] and e.at > event.at - window_s]
        count, total = len(hits), sum(e.amount for e in hits)
        if count > limit["max_count"] or total > limit["max_sum"]:
            facts: Facts = {"count": count, "total": total, "window_s": window_s}
            return hits, f"{count} deposits totalling {total} in {window_s}s", facts
    return None


def _structuring(
    rule: Mapping[str, Any], _: WalletEvent, window: list[WalletEvent], __: Context
) -> Found:
    low = rule["threshold"] * (10_000 - rule["margin_bps"]) // 10_000
    hits = [e for e in window if e.type == rule["event"] and low <= e.amount < rule["threshold"]]
    if len(hits) < rule["min_count"]:
        return None
    facts: Facts = {"count": len(hits), "threshold": int(rule["threshold"])}
    return hits, f"{len(hits)} deposits just under {rule['threshold']}", facts


def _little_play(
    rule: Mapping[str, Any], event: WalletEvent, window: list[WalletEvent], ctx: Context
) -> Found:
    totals = ctx.totals.get(int(rule["window_s"]), {})
    deposited = totals.get("DEPOSIT", (0, 0))[1]
    withdrawn = totals.get("WITHDRAWAL", (0, 0))[1]
    staked = totals.get("BET", (0, 0))[1]
    if deposited < rule["min_deposits"]:
        return None
    if withdrawn * 10_000 < deposited * rule["min_withdrawn_bps"]:
        return None
    if staked * 10_000 >= deposited * rule["max_turnover_bps"]:
        return None
    hits = [e for e in window if e.type in ("DEPOSIT", "WITHDRAWAL")]
    facts: Facts = {"withdrawn": withdrawn, "deposited": deposited, "staked": staked}
    return hits, f"withdrew {withdrawn} of {deposited} deposited after staking {staked}", facts


def _high_value_play(
    rule: Mapping[str, Any], _: WalletEvent, window: list[WalletEvent], __: Context
) -> Found:
    hits = [e for e in window if e.type == "BET" and e.amount >= rule["min_amount"]]
    if len(hits) < rule["min_count"]:
        return None
    facts: Facts = {"count": len(hits), "min_amount": int(rule["min_amount"]),
             "window_s": int(rule["window_s"])}  # fmt: skip
    return (
        hits,
        f"{len(hits)} stakes of at least {rule['min_amount']} in {rule['window_s']}s",
        facts,
    )


def _win_rate(
    rule: Mapping[str, Any], _: WalletEvent, __: list[WalletEvent], ctx: Context
) -> Found:
    totals = ctx.totals.get(int(rule["window_s"]), {})
    bets, staked = totals.get("BET", (0, 0))
    won = totals.get("WIN", (0, 0))[1]
    if bets < rule["min_bets"] or won * 10_000 <= staked * rule["max_rtp_bps"]:
        return None
    return [], f"won {won} on {staked} staked over {bets} bets", {"won": won, "staked": staked,
                                                                  "bets": bets}  # fmt: skip


def _shared(
    rule: Mapping[str, Any], event: WalletEvent, _: list[WalletEvent], ctx: Context
) -> Found:
    attribute = str(rule["attribute"])
    if attribute not in event.attributes:
        return None
    players = ctx.sharing.get(attribute, 1)
    if players < rule["min_players"]:
        return None
    return [], f"{players} accounts share one {attribute}", {"players": players,
                                                             "attribute": attribute}  # fmt: skip


KINDS: dict[str, Callable[[Mapping[str, Any], WalletEvent, list[WalletEvent], Context], Found]] = {
    "velocity": _velocity,
    "structuring": _structuring,
    "little_play": _little_play,
    "high_value_play": _high_value_play,
    "win_rate": _win_rate,
    "shared": _shared,
}


@dataclass
class Engine:
    """The rules over an in-memory stream (the benchmark, and a model of the consumer): per
    player, the detail events of the largest window and every event for the totals; ids seen
    and alerts raised are remembered, as the consumer's D1 tables remember them."""

    rules: tuple[dict[str, Any], ...] = DEFAULT_RULES
    seen: set[str] = field(default_factory=set)
    raised: set[str] = field(default_factory=set)
    events: dict[str, deque[WalletEvent]] = field(default_factory=dict)

    def score(self, event: WalletEvent, factors: int = 0) -> list[Alert]:
        if event.event_id in self.seen:
            return []
        self.seen.add(event.event_id)
        horizon = max(int(r["window_s"]) for r in self.rules)
        past = self.events.setdefault(event.player_id, deque())
        past.append(event)
        while past and past[0].at <= event.at - horizon:
            past.popleft()
        if not triggered(self.rules, event):
            return []
        totals = {
            w: _totals(e for e in past if e.at > event.at - w) for w in windows_totalled(self.rules)
        }
        history = [e for e in past if e.type in DETAIL_TYPES or e.type == "BET"]
        alerts = evaluate(self.rules, event, Context(history, totals, factors=factors))
        fresh = [a for a in alerts if a.alert_id not in self.raised]
        self.raised.update(a.alert_id for a in fresh)
        return fresh


def _totals(events: Any) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for e in events:
        count, total = out.get(e.type, (0, 0))
        out[e.type] = (count + 1, total + e.amount)
    return out

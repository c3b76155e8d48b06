"""Behavioural alerts over a player's own activity, and the graduated interventions they lead to.

Rules (markers from DOMAIN.md, L14790 art. 23 §3): loss chasing (a deposit soon after losses),
rising stakes, long sessions, night-time play, repeated deposits declined at a limit. Each new
alert within a week escalates: a message, then a suggested limit, then an enforced short break,
then operator review.
"""

from __future__ import annotations

from dataclasses import dataclass

LOSS_CHASING_MINUTES = 30
RISING_STAKES_COUNT = 5
RISING_STAKES_FACTOR = 3
LONG_SESSION_MINUTES = 180
NIGHT_HOURS = range(0, 5)
DECLINED_DEPOSITS = 3
ENFORCED_BREAK_HOURS = 1

INTERVENTIONS = {1: "message", 2: "suggested_limit", 3: "enforced_break", 4: "operator_review"}
MESSAGES = {
    "loss_chasing": "You deposited soon after losing. Chasing losses rarely wins them back.",
    "rising_stakes": "Your stakes have been rising quickly. Consider setting a loss limit.",
    "long_session": "You have been playing for a long time. A break helps you stay in control.",
    "night_play": "It is late. Playing tired makes it harder to keep to your limits.",
    "declined_deposits": "Several deposits were declined at your limit. Your limit protects you.",
}


@dataclass(frozen=True)
class Signals:
    """What the ledger knows at a deposit or a round."""

    event: str  # "deposit", "deposit_declined" or "round"
    local_hour: int
    session_minutes: int
    session_net: int
    minutes_since_last_round: int | None
    recent_stakes: tuple[int, ...]  # oldest first
    declined_deposits_24h: int


@dataclass(frozen=True)
class Alert:
    rule: str
    level: int
    intervention: str
    message: str


def detect(s: Signals) -> list[str]:
    rules = []
    if (
        s.event == "deposit"
        and s.session_net < 0
        and s.minutes_since_last_round is not None
        and s.minutes_since_last_round <= LOSS_CHASING_MINUTES
    ):
        rules.append("loss_chasing")
    if s.event == "round":
        stakes = s.recent_stakes[-RISING_STAKES_COUNT:]
        if (
            len(stakes) == RISING_STAKES_COUNT
            and all(a < b for a, b in zip(stakes, stakes[1:], strict=False))
            and stakes[-1] >= RISING_STAKES_FACTOR * stakes[0]
        ):
            rules.append("rising_stakes")
        if s.session_minutes >= LONG_SESSION_MINUTES:
            rules.append("long_session")
        if s.local_hour in NIGHT_HOURS:
            rules.append("night_play")
    if s.event == "deposit_declined" and s.declined_deposits_24h >= DECLINED_DEPOSITS:
        rules.append("declined_deposits")
    return rules


def escalate(rule: str, alerts_this_week: int) -> Alert:
    level = min(4, alerts_this_week + 1)
    return Alert(rule, level, INTERVENTIONS[level], MESSAGES[rule])


def suggested_loss_limit(session_staked: int) -> int:
    """A daily loss limit to suggest: half of what this session staked, at least R$ 10."""
    return max(1_000, session_staked // 2)

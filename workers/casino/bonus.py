"""Bonuses with wagering requirements, where a jurisdiction allows them (BR does not: no bonus,
advance or prior advantage, L14790 art. 29).

A bonus is credited as BONUS_CREDIT and stays locked until the player has staked
`amount * wagering_multiplier` in rounds; a withdrawal before that forfeits the locked bonus as a
BONUS_DEBIT (as much of it as the balance still holds), in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from .errors import BonusNotAllowed, BonusTooLarge, InsufficientFunds, ValidationFailed
from .jurisdictions import Jurisdiction
from .ledger import EventType, Ledger, LedgerEvent, check_amount, evolve

MAX_WAGERING_MULTIPLIER = 100


@dataclass(frozen=True)
class Bonus:
    """The locked bonus: what is still locked and how much remains to be wagered."""

    locked: int = 0
    wagering_remaining: int = 0

    @property
    def active(self) -> bool:
        return self.locked > 0 and self.wagering_remaining > 0


def _event(ledger: Ledger, type_: EventType, amount: int, ref: str, now: datetime) -> LedgerEvent:
    signed = amount if type_ is EventType.BONUS_CREDIT else -amount
    return LedgerEvent(ledger.last_seq + 1, type_, amount, ledger.balance + signed, now, ref)


def decide_bonus(
    ledger: Ledger, bonus: Bonus, profile: Jurisdiction, amount: int, multiplier: int, ref: str,
    now: datetime,
) -> tuple[list[LedgerEvent], Bonus]:  # fmt: skip
    if not profile.bonuses_allowed:
        raise BonusNotAllowed(f"Bonuses are not allowed in the {profile.code} jurisdiction")
    check_amount(amount)
    if amount > profile.bonus_max_amount:
        raise BonusTooLarge(
            f"A bonus may be at most {profile.bonus_max_amount} in the {profile.code} jurisdiction"
        )
    if isinstance(multiplier, bool) or not isinstance(multiplier, int):
        raise ValidationFailed("wagering_multiplier must be an integer")
    if not 1 <= multiplier <= MAX_WAGERING_MULTIPLIER:
        # Without a wagering requirement a bonus is cash an operator hands out: never.
        raise ValidationFailed(f"wagering_multiplier must be from 1 to {MAX_WAGERING_MULTIPLIER}")
    event = _event(ledger, EventType.BONUS_CREDIT, amount, ref, now)
    return [event], Bonus(bonus.locked + amount, bonus.wagering_remaining + amount * multiplier)


def after_stake(bonus: Bonus, stake: int) -> Bonus:
    """Staking counts towards the requirement; once met, the bonus is the player's cash."""
    if not bonus.active:
        return Bonus()
    remaining = max(0, bonus.wagering_remaining - stake)
    return Bonus() if remaining == 0 else replace(bonus, wagering_remaining=remaining)


def forfeit_before_withdrawal(
    ledger: Ledger, bonus: Bonus, amount: int, ref: str, now: datetime
) -> tuple[list[LedgerEvent], Ledger]:
    """Withdrawing while a bonus is locked forfeits it first; what remains must cover `amount`."""
    if not bonus.active:
        return [], ledger
    forfeited = min(bonus.locked, ledger.balance)
    if amount > ledger.balance - forfeited:
        raise InsufficientFunds(
            f"{forfeited} of the balance is a bonus still to be wagered; "
            f"at most {ledger.balance - forfeited} can be withdrawn"
        )
    if forfeited == 0:
        return [], ledger
    event = _event(ledger, EventType.BONUS_DEBIT, forfeited, ref, now)
    return [event], evolve(ledger, event)

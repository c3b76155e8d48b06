"""Jurisdiction profiles as data: what a market requires of accounts, payments and play.

A profile is chosen by the deployment (`JURISDICTION`) or, when the deployment does not fix
one, by the player's country. Values come from DOMAIN.md; operators can override them in KV.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from .limits import FAMILIES, KINDS, LimitRules, family_kinds, highest


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    min_age: int
    currency: str
    cpf_required: bool
    one_account_per_document: bool
    payment_methods: frozenset[str]
    payer_must_be_player: bool
    bonuses_allowed: bool
    rtp_min_bps: int
    rtp_max_bps: int
    time_zone: str
    utc_offset_minutes: int
    idle_timeout_minutes: int
    reality_check_minutes: int
    exclusion_recheck_days: int
    kyc_before_play: bool = True
    # Limit families of which a player always keeps at least one window (`loss`, `time`), and
    # by kind (`loss_daily`, `time_weekly`, ...) the values a player starts with and the most
    # each may be raised to.
    required_limits: frozenset[str] = frozenset()
    default_limits: dict[str, int] = field(default_factory=dict)
    limit_maxima: dict[str, int] = field(default_factory=dict)
    bonus_max_amount: int = 0
    payout_within_minutes: int = 120
    withdrawal_destination_required: bool = False
    # An unverified account that never moved money loses its claim on a CPF after this many
    # days, when someone else signs up with it (0: never).
    unverified_cpf_claim_days: int = 0

    @property
    def mandatory_limits(self) -> bool:
        return bool(self.required_limits)

    def limit_rules(self) -> LimitRules:
        return LimitRules(self.required_limits, self.limit_maxima, self.default_limits)


BRAZIL = Jurisdiction(
    code="BR",
    min_age=18,
    currency="BRL",
    cpf_required=True,
    one_account_per_document=True,
    payment_methods=frozenset({"pix", "ted"}),
    payer_must_be_player=True,
    bonuses_allowed=False,
    rtp_min_bps=8500,
    rtp_max_bps=9900,
    time_zone="America/Sao_Paulo",
    utc_offset_minutes=-180,  # no daylight saving time in Brazil since 2019
    idle_timeout_minutes=30,
    reality_check_minutes=60,
    exclusion_recheck_days=15,
    # Loss and time limits are mandatory from registration (P2579/2025): they can be changed,
    # never removed. The defaults apply when the player chooses none, and the maxima bound a
    # raise (values are the operator's, not the law's).
    required_limits=frozenset({"loss", "time"}),
    default_limits={
        "loss_daily": 500_000,
        "loss_weekly": 2_000_000,
        "loss_monthly": 5_000_000,
        "time_daily": 480,
        "time_weekly": 2_400,
        "time_monthly": 7_200,
    },
    limit_maxima={
        "loss_daily": 5_000_000,
        "loss_weekly": 20_000_000,
        "loss_monthly": 50_000_000,
        "time_daily": 720,
        "time_weekly": 3_360,
        "time_monthly": 10_800,
    },
    payout_within_minutes=120,  # prizes paid within 120 minutes (P615/2024)
    withdrawal_destination_required=True,  # only to an account in the player's own CPF
    unverified_cpf_claim_days=7,
)

GENERIC = Jurisdiction(
    code="generic",
    min_age=18,
    currency="BRL",
    cpf_required=False,
    one_account_per_document=False,
    payment_methods=frozenset({"pix", "ted", "card", "bank_transfer"}),
    payer_must_be_player=False,
    bonuses_allowed=True,
    rtp_min_bps=8000,
    rtp_max_bps=9900,
    time_zone="UTC",
    utc_offset_minutes=0,
    idle_timeout_minutes=30,
    reality_check_minutes=60,
    exclusion_recheck_days=15,
    kyc_before_play=False,
    bonus_max_amount=100_000,  # R$ 1.000,00 per grant
)


def local_time(profile: Jurisdiction, moment: datetime) -> datetime:
    return moment.astimezone(timezone(timedelta(minutes=profile.utc_offset_minutes)))


PROFILES: dict[str, Jurisdiction] = {p.code: p for p in (BRAZIL, GENERIC)}


def jurisdiction_for(
    country: str, deployment: str | None = None, profiles: dict[str, Jurisdiction] | None = None
) -> Jurisdiction:
    """The profile that governs a player: the deployment's when it fixes one, else by country."""
    profiles = profiles or PROFILES
    if deployment and deployment in profiles:
        return profiles[deployment]
    return profiles.get(country.upper(), profiles.get("generic", GENERIC))


_FIELD_TYPES = {
    "code": str, "min_age": int, "currency": str, "cpf_required": bool,
    "one_account_per_document": bool, "payment_methods": list, "payer_must_be_player": bool,
    "bonuses_allowed": bool, "rtp_min_bps": int, "rtp_max_bps": int, "time_zone": str,
    "utc_offset_minutes": int, "idle_timeout_minutes": int, "reality_check_minutes": int,
    "exclusion_recheck_days": int, "kyc_before_play": bool, "required_limits": list,
    "default_limits": dict, "limit_maxima": dict, "bonus_max_amount": int,
    "payout_within_minutes": int, "withdrawal_destination_required": bool,
    "unverified_cpf_claim_days": int,
}  # fmt: skip


def to_dict(profile: Jurisdiction) -> dict[str, object]:
    data = {name: getattr(profile, name) for name in _FIELD_TYPES}
    data["payment_methods"] = sorted(profile.payment_methods)
    data["required_limits"] = sorted(profile.required_limits)
    return data


def _check_limits(data: dict[str, object]) -> None:
    """The limits a profile sets: known families and kinds, each value in range, a default for
    every mandatory family, and no default above its maximum."""
    required, defaults, maxima = (
        data["required_limits"],
        data["default_limits"],
        data["limit_maxima"],
    )
    assert isinstance(required, list) and isinstance(defaults, dict) and isinstance(maxima, dict)
    if not set(required) <= set(FAMILIES):
        raise ValueError(f"mandatory limit families are among {list(FAMILIES)}")
    for kinds in (defaults, maxima):
        if not set(kinds) <= set(KINDS):
            raise ValueError(f"limit kinds are {sorted(KINDS)}")
    for values in (defaults, maxima):
        _check_limit_values(values)
    _check_defaults(required, defaults, maxima)


def _check_limit_values(values: dict[str, object]) -> None:
    """Each limit an integer from 1 to the highest its kind allows."""
    for kind, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{kind} must be an integer")
        if not 1 <= value <= highest(kind):
            raise ValueError(f"{kind} must be from 1 to {highest(kind)}")


def _check_defaults(required: list[str], defaults: dict[str, int], maxima: dict[str, int]) -> None:
    """Every mandatory family has a default, and no default exceeds its kind's maximum."""
    for family in required:
        if not any(kind in defaults for kind in family_kinds(family)):
            raise ValueError(f"the mandatory {family} limits need a default")
    for kind, value in defaults.items():
        if kind in maxima and value > maxima[kind]:
            raise ValueError(f"the default {kind} exceeds its maximum")


def from_dict(data: object) -> Jurisdiction:
    """A profile as stored in KV (`jurisdiction:<code>`), validated; ValueError if it is not."""
    if not isinstance(data, dict) or set(data) != set(_FIELD_TYPES):
        raise ValueError(f"a profile has exactly the fields {sorted(_FIELD_TYPES)}")
    for name, kind in _FIELD_TYPES.items():
        value = data[name]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ValueError(f"{name} must be of type {kind.__name__}")
    if not 8000 <= data["rtp_min_bps"] <= data["rtp_max_bps"] <= 9900:
        raise ValueError("the RTP range must lie within 8000-9900 bps")
    if data["min_age"] < 18 or data["idle_timeout_minutes"] < 1:
        raise ValueError("min_age must be at least 18 and the idle timeout positive")
    if data["bonus_max_amount"] < 0 or data["payout_within_minutes"] < 1:
        raise ValueError("bonus_max_amount must be >= 0 and payout_within_minutes positive")
    _check_limits(data)
    return Jurisdiction(
        **{
            **data,
            "payment_methods": frozenset(data["payment_methods"]),
            "required_limits": frozenset(data["required_limits"]),
        }
    )

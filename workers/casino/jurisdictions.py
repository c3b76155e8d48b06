"""Jurisdiction profiles as data: what a market requires of accounts, payments and play.

A profile is chosen by the deployment (`JURISDICTION`) or, when the deployment does not fix
one, by the player's country. Values come from DOMAIN.md; operators can override them in KV.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone


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
    mandatory_limits: bool
    kyc_before_play: bool = True
    default_limits: dict[str, object] = field(default_factory=dict)


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
    mandatory_limits=True,
    # Loss and time limits are mandatory from registration (P2579/2025); these defaults apply
    # when the player chooses none (values are the operator's, not the law's).
    default_limits={
        "loss": {"daily": 500_000, "weekly": 2_000_000, "monthly": 5_000_000},
        "session_minutes": 480,
    },
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
    mandatory_limits=False,
    kyc_before_play=False,
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
    "exclusion_recheck_days": int, "mandatory_limits": bool, "kyc_before_play": bool,
    "default_limits": dict,
}  # fmt: skip


def to_dict(profile: Jurisdiction) -> dict[str, object]:
    data = {name: getattr(profile, name) for name in _FIELD_TYPES}
    data["payment_methods"] = sorted(profile.payment_methods)
    return data


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
    return Jurisdiction(**{**data, "payment_methods": frozenset(data["payment_methods"])})

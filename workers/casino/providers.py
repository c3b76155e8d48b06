"""External game providers (remote game servers) on a seamless wallet: the rules of the signed
callbacks and of the money they move. Pure: the signature check, the configuration check, and
decide functions over a provider bet's state.

A callback is signed with HMAC-SHA256 under the provider's secret over

    f"{timestamp}\\n{method}\\n{path}\\n{sha256(body).hexdigest()}"

sent as `X-Provider-Timestamp` (Unix seconds) and `X-Provider-Signature` (hex). It is checked in
constant time and refused outside a bounded clock skew, so a captured callback cannot be
replayed later (and within the skew, the provider's transaction id makes a replay a no-op).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import InvalidSignature, RefundExceedsBet, ValidationFailed
from .rtp import RTP_MAX_BPS, RTP_MIN_BPS, check_rtp

MAX_SKEW_SECONDS = 300
PROVIDER_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,30}[a-z0-9]$")
PROVIDER_GAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,40}$")
STATUSES = frozenset({"active", "suspended"})


def canonical(timestamp: str, method: str, path: str, body: bytes) -> bytes:
    return f"{timestamp}\n{method.upper()}\n{path}\n{hashlib.sha256(body).hexdigest()}".encode()


def sign(secret: bytes, timestamp: str, method: str, path: str, body: bytes) -> str:
    return hmac.new(secret, canonical(timestamp, method, path, body), hashlib.sha256).hexdigest()


def check_signature(
    secret: bytes,
    timestamp: str | None,
    signature: str | None,
    method: str,
    path: str,
    body: bytes,
    now_seconds: float,
) -> None:
    """Refuse a callback whose signature is missing, wrong or outside the clock skew (the same
    answer for each, so a forger learns nothing)."""
    if not timestamp or not signature or not timestamp.isdigit():
        raise InvalidSignature("The callback is not signed")
    if abs(now_seconds - int(timestamp)) > MAX_SKEW_SECONDS:
        raise InvalidSignature("The callback is not signed within the allowed clock skew")
    expected = sign(secret, timestamp, method, path, body)
    if not hmac.compare_digest(expected, signature.strip().lower()):
        raise InvalidSignature("The callback signature does not verify")


def game_id(provider_id: str, game: str) -> str:
    """How a provider's game is named in the catalogue: `<provider>:<game>`."""
    return f"{provider_id}:{game}"


def split_game_id(full: str) -> tuple[str, str] | None:
    provider, sep, game = full.partition(":")
    return (provider, game) if sep and PROVIDER_ID.match(provider) and game else None


@dataclass(frozen=True)
class ProviderGame:
    game: str
    name: str
    rtp_bps: int  # the RTP the provider's certificate states
    min_stake: int
    max_stake: int


@dataclass(frozen=True)
class Provider:
    provider_id: str
    name: str
    status: str
    currency: str
    games: Mapping[str, ProviderGame]

    @property
    def active(self) -> bool:
        return self.status == "active"


def provider_from_dict(data: Mapping[str, Any]) -> Provider:
    """A provider's configuration as stored (KV, D1) or given by an operator, validated."""
    provider_id = str(data.get("provider_id") or "")
    if not PROVIDER_ID.match(provider_id):
        raise ValidationFailed("provider_id: 3-32 lowercase letters, digits and dashes")
    status = data.get("status", "active")
    if status not in STATUSES:
        raise ValidationFailed("status is active or suspended")
    currency = str(data.get("currency") or "BRL")
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ValidationFailed("currency is an ISO 4217 code")
    games: dict[str, ProviderGame] = {}
    raw_games = data.get("games") or {}
    if not isinstance(raw_games, Mapping) or not raw_games:
        raise ValidationFailed("a provider lists its allowed games with their certified RTP")
    for name, spec in raw_games.items():
        if not PROVIDER_GAME.match(str(name)) or not isinstance(spec, Mapping):
            raise ValidationFailed(f"invalid game {name!r}")
        rtp = check_rtp(spec.get("rtp_bps"), RTP_MIN_BPS, RTP_MAX_BPS)
        low, high = spec.get("min_stake", 10), spec.get("max_stake", 1_000_000)
        for value in (low, high):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValidationFailed("min_stake and max_stake are positive integers")
        if low > high:
            raise ValidationFailed("min_stake must not exceed max_stake")
        games[str(name)] = ProviderGame(str(name), str(spec.get("name") or name), rtp, low, high)
    return Provider(provider_id, str(data.get("name") or provider_id), status, currency, games)


def provider_to_dict(provider: Provider) -> dict[str, Any]:
    return {
        "provider_id": provider.provider_id,
        "name": provider.name,
        "status": provider.status,
        "currency": provider.currency,
        "games": {
            g.game: {
                "name": g.name,
                "rtp_bps": g.rtp_bps,
                "min_stake": g.min_stake,
                "max_stake": g.max_stake,
            }
            for g in provider.games.values()
        },  # fmt: skip
    }


@dataclass(frozen=True)
class ProviderBet:
    """A provider's bet as the wallet keeps it: what was staked, what has come back."""

    ref: str
    stake: int
    won: int = 0
    refunded: int = 0
    rolled_back: bool = False


def check_refund(bet: ProviderBet, amount: int) -> None:
    """A refund (or a rollback) returns at most what is left of the stake."""
    if bet.rolled_back or bet.refunded + amount > bet.stake:
        raise RefundExceedsBet(
            f"The bet staked {bet.stake}; {bet.refunded} was already returned"
            + (" and it was rolled back" if bet.rolled_back else "")
        )

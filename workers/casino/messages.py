"""Typed messages at the Durable Object boundary, shared by the callers and the objects.

On the wire (RPC on the edge, a JSON clone locally) every message is a plain dict; here each has
one definition, a frozen dataclass with `to_dict`/`from_dict`, so a parameter can be followed
across the boundary by a reader and by mypy.

An object is addressed by a name (`idFromName`): a WalletDO by the player's id, a SessionDO by
the session's. On the edge an object does not learn its own name, so a client sends it along as
`_address` and the object refuses a command whose own id disagrees with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, ClassVar

from .errors import DomainError
from .jurisdictions import Jurisdiction
from .limits import LimitRules

ADDRESS = "_address"


class AddressMismatch(DomainError):
    """A command reached an object other than the one its ids name: a bug of the caller, never
    of the player, so it is refused before anything is read or written."""

    code = "address_mismatch"
    status = 500
    title = "The command reached the wrong object"


class Unaddressed(AddressMismatch):
    """A command sent without its address (a caller that does not go through a client): a bug
    of the caller, refused like a mismatch (same code) before anything is read or written."""

    title = "The command was sent without its address"


def addressed(payload: Mapping[str, Any], address: str) -> dict[str, Any]:
    """`payload` as a client sends it to the object named `address`."""
    return {**payload, ADDRESS: address}


def unaddressed(
    payload: Mapping[str, Any], field: str, *, required: bool = False
) -> dict[str, Any]:
    """`payload` without its `_address`, once the address agrees with the payload's `field`
    (the object's own id: `player_id` for a wallet, `session_id` for a session). A payload sent
    without an address is refused when the address is `required` (`Unaddressed`), else taken
    as it is, as is one without the field."""
    rest = {k: v for k, v in payload.items() if k != ADDRESS}
    address = payload.get(ADDRESS)
    if address is None and required:
        raise Unaddressed(f"A command was sent without its {ADDRESS} (the object's {field})")
    if address is not None and field in rest and rest[field] != address:
        raise AddressMismatch(
            f"A command for {field} {rest[field]!r} was sent to the object named {address!r}"
        )
    return rest


def _exact(
    cls: type, data: Mapping[str, Any], wire: Mapping[str, str] | None = None, *also: str
) -> None:
    """Refuse a message with a key its class does not define (a misspelt key would otherwise
    fall back to a default without a word). `wire` renames fields on the wire."""
    known = {(wire or {}).get(f.name, f.name) for f in fields(cls)} | set(also)
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"{cls.__name__} has no field {', '.join(sorted(unknown))}")


def _rtp_range(value: Any) -> tuple[int, int] | None:
    if value is None:
        return None
    low, high = value
    return int(low), int(high)


# Responsible gaming ------------------------------------------------------------------------
IDLE_MINUTES = 30  # a play session ends after this long without a stake, unless a market says
REALITY_CHECK_MINUTES = 60


@dataclass(frozen=True)
class PlayRules:
    """The rules a stake is taken under (the wire's `rg`): the jurisdiction's idle time, reality
    check interval, local time offset and limit rules, and when the game session opened."""

    idle_minutes: int = IDLE_MINUTES
    reality_check_minutes: int = REALITY_CHECK_MINUTES
    utc_offset_minutes: int = 0
    limits: LimitRules | None = None
    session_opened_at: str | None = None  # RFC 3339

    @classmethod
    def of(cls, profile: Jurisdiction) -> PlayRules:
        return cls(
            idle_minutes=profile.idle_timeout_minutes,
            reality_check_minutes=profile.reality_check_minutes,
            utc_offset_minutes=profile.utc_offset_minutes,
            limits=profile.limit_rules(),
        )

    def opened_at(self, at: str) -> PlayRules:
        return replace(self, session_opened_at=at)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "idle_minutes": self.idle_minutes,
            "reality_check_minutes": self.reality_check_minutes,
            "utc_offset_minutes": self.utc_offset_minutes,
        }
        if self.limits is not None:
            data["limits"] = self.limits.to_dict()
        if self.session_opened_at is not None:
            data["session_opened_at"] = self.session_opened_at
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> PlayRules:
        """The rules as sent; a rule left out is its default (a deposit sends only two)."""
        data = data or {}
        _exact(cls, data)
        limits = data.get("limits")
        return cls(
            idle_minutes=int(data.get("idle_minutes", IDLE_MINUTES)),
            reality_check_minutes=int(data.get("reality_check_minutes", REALITY_CHECK_MINUTES)),
            utc_offset_minutes=int(data.get("utc_offset_minutes", 0)),
            limits=LimitRules.from_dict(limits) if limits is not None else None,
            session_opened_at=data.get("session_opened_at"),
        )


# Rounds ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RoundRecord:
    """One round as the SessionDO resolved it: kept in its audit trail, settled, stored and
    projected by the WalletDO (which adds `created_at`), listed to the player."""

    round_id: str
    session_id: str
    game_id: str
    nonce: int
    server_seed_hash: str
    client_seed: str
    rtp_bps: int
    stake: int
    params: dict[str, Any]
    outcome: dict[str, Any]
    payout: int
    expected_payout: float  # the payout's mean and variance, for the RTP deviation statistics
    payout_variance: float

    # What the player's list of rounds shows of each, in this order.
    LISTED: ClassVar[tuple[str, ...]] = (
        "round_id", "nonce", "server_seed_hash", "client_seed", "rtp_bps", "stake", "params",
        "outcome", "payout", "game_id",
    )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def listed(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.LISTED}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RoundRecord:
        _exact(cls, data)
        return cls(**{f.name: data[f.name] for f in fields(cls)})


# Commands to a SessionDO (addressed by `session_id`) --------------------------------------
@dataclass(frozen=True)
class OpenSession:
    session_id: str
    player_id: str
    game_id: str
    rtp_bps: int
    min_stake: int
    max_stake: int
    idle_timeout_minutes: int
    rtp_range: tuple[int, int] | None = None  # the market's allowed RTPs
    client_seed: str | None = None  # else the session makes one

    def to_dict(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "player_id": self.player_id,
            "game_id": self.game_id,
            "rtp_bps": self.rtp_bps,
            "rtp_range": list(self.rtp_range) if self.rtp_range else None,
            "min_stake": self.min_stake,
            "max_stake": self.max_stake,
            "idle_timeout_minutes": self.idle_timeout_minutes,
            "client_seed": self.client_seed,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OpenSession:
        _exact(cls, data)
        return cls(
            session_id=data["session_id"],
            player_id=data["player_id"],
            game_id=data["game_id"],
            rtp_bps=data["rtp_bps"],
            min_stake=data["min_stake"],
            max_stake=data["max_stake"],
            idle_timeout_minutes=data["idle_timeout_minutes"],
            rtp_range=_rtp_range(data.get("rtp_range")),
            client_seed=data.get("client_seed"),
        )


@dataclass(frozen=True)
class PlayRound:
    session_id: str
    player_id: str
    round_id: str
    idempotency_key: str
    request_hash: str
    stake: int
    params: dict[str, Any]
    rules: PlayRules  # `rg` on the wire
    rtp_range: tuple[int, int] | None = None

    WIRE: ClassVar[dict[str, str]] = {"rules": "rg"}

    def to_dict(self) -> dict[str, Any]:
        return {
            "rg": self.rules.to_dict(),
            "session_id": self.session_id,
            "player_id": self.player_id,
            "idempotency_key": self.idempotency_key,
            "request_hash": self.request_hash,
            "round_id": self.round_id,
            "stake": self.stake,
            "params": self.params,
            "rtp_range": list(self.rtp_range) if self.rtp_range else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlayRound:
        _exact(cls, data, cls.WIRE)
        return cls(
            session_id=data["session_id"],
            player_id=data["player_id"],
            round_id=data["round_id"],
            idempotency_key=data["idempotency_key"],
            request_hash=data["request_hash"],
            stake=data["stake"],
            params=data.get("params") or {},
            rules=PlayRules.from_dict(data.get("rg")),
            rtp_range=_rtp_range(data.get("rtp_range")),
        )


@dataclass(frozen=True)
class SessionQuery:
    """`describe` and `rounds`: what the owner of a session asks of it."""

    session_id: str
    player_id: str

    def to_dict(self) -> dict[str, Any]:
        return {"session_id": self.session_id, "player_id": self.player_id}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SessionQuery:
        _exact(cls, data)
        return cls(session_id=data["session_id"], player_id=data["player_id"])


@dataclass(frozen=True)
class RotateSeed:
    session_id: str
    player_id: str
    client_seed: str | None = None  # else the current one is kept

    def to_dict(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "player_id": self.player_id,
            "client_seed": self.client_seed,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RotateSeed:
        _exact(cls, data)
        return cls(data["session_id"], data["player_id"], data.get("client_seed"))


# Commands to a WalletDO (addressed by `player_id`) -----------------------------------------
@dataclass(frozen=True)
class SettleRound:
    """BET and WIN of one resolved round, idempotent by its id (`round:<round_id>`)."""

    player_id: str
    request_hash: str
    record: RoundRecord  # `round` on the wire
    rules: PlayRules  # `rg` on the wire

    @property
    def idempotency_key(self) -> str:
        return f"round:{self.record.round_id}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "player_id": self.player_id,
            "idempotency_key": self.idempotency_key,
            "request_hash": self.request_hash,
            "round": self.record.to_dict(),
            "rg": self.rules.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SettleRound:
        _exact(cls, data, {"record": "round", "rules": "rg"}, "idempotency_key")
        command = cls(
            player_id=data["player_id"],
            request_hash=data["request_hash"],
            record=RoundRecord.from_dict(data["round"]),
            rules=PlayRules.from_dict(data.get("rg")),
        )
        if data["idempotency_key"] != command.idempotency_key:
            raise ValueError(f"a round's settlement is keyed {command.idempotency_key!r}")
        return command

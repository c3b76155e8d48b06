"""Responsible-gaming application: limits, self-exclusion, breaks and reality checks, all held
by the player's WalletDO (strongly consistent, effective at once on every path)."""

from __future__ import annotations

from typing import Any

from casino.errors import InvalidLimit
from casino.limits import WINDOWS, check_value

from .services import Services
from .wallet import load_player


def changes_from(family: str, values: dict[str, Any]) -> dict[str, Any]:
    return {f"{family}_{period}": values.get(period) for period in WINDOWS}


async def set_limits(services: Services, player_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    await load_player(services, player_id)
    return await services.wallets.get(player_id).call(
        "set_limits", {"player_id": player_id, "changes": changes}
    )


def session_minutes(limits: dict[str, Any]) -> Any:
    value = limits.get("session_minutes", limits.get("max_minutes"))
    session = limits.get("session")
    if value is None and isinstance(session, dict):
        value = session.get("max_minutes")
    return value


def validate_initial_limits(given: Any) -> None:
    """Registration's optional `limits`: the same fields and rules as the limit endpoints."""
    if given is None:
        return
    if not isinstance(given, dict):
        raise InvalidLimit("limits must be an object")
    for family in ("deposit", "loss"):
        values = given.get(family)
        if values is None:
            continue
        if not isinstance(values, dict):
            raise InvalidLimit(f"limits.{family} must be an object with daily, weekly, monthly")
        for kind, value in changes_from(family, values).items():
            check_value(kind, value)
    check_value("session_minutes", session_minutes(given))


async def initial_limits(services: Services, player_id: str, country: str, given: Any) -> None:
    """At registration: the player's chosen limits, else the profile's mandatory defaults."""
    profile = services.profile(country)
    defaults = profile.default_limits if profile.mandatory_limits else {}
    chosen = given if isinstance(given, dict) else {}
    changes: dict[str, Any] = {}
    for family in ("deposit", "loss"):
        values = chosen.get(family, defaults.get(family))
        if isinstance(values, dict):
            changes.update({k: v for k, v in changes_from(family, values).items() if v is not None})
    minutes = session_minutes(chosen)
    if minutes is None:
        minutes = defaults.get("session_minutes")
    if minutes is not None:
        changes["session_minutes"] = minutes
    if changes:
        await services.wallets.get(player_id).call(
            "set_limits", {"player_id": player_id, "changes": changes}
        )


async def play_rules(services: Services, country: str) -> dict[str, int]:
    profile = services.profile(country)
    return {
        "idle_minutes": profile.idle_timeout_minutes,
        "reality_check_minutes": profile.reality_check_minutes,
    }


async def mirror_exclusion(services: Services, player_id: str, result: dict[str, Any]) -> None:
    """Copy an exclusion into D1 for operators and reports; the WalletDO stays the authority."""
    if result.get("status") != 201:
        return
    body = result["body"]
    until = "permanent" if body["permanent"] else body["excluded_until"]
    await (
        services.db.prepare(
            "UPDATE players SET excluded_until = ?, exclusion_kind = ? WHERE player_id = ?"
        )
        .bind(until, body["kind"], player_id)
        .run()
    )

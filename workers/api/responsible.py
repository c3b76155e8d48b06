"""Responsible-gaming application: limits, self-exclusion, breaks and reality checks, all held
by the player's WalletDO (strongly consistent, effective at once on every path). The
jurisdiction's rules for limits (mandatory kinds, maxima, defaults) travel with every call, so
the WalletDO enforces them itself."""

from __future__ import annotations

import logging
from typing import Any

from casino.errors import InvalidLimit
from casino.jurisdictions import Jurisdiction
from casino.limits import FAMILIES, WINDOWS, check_required, check_value, kind_of
from casino.messages import PlayRules
from casino.timefmt import rfc3339
from wallet_do.client import ExclusionKind, WalletClient

from .services import Services
from .tables import player_exclusions, players
from .wallet import load_player

log = logging.getLogger("casino.responsible")


def limit_rules(profile: Jurisdiction) -> dict[str, Any]:
    return profile.limit_rules().to_dict()


def play_rules(profile: Jurisdiction) -> dict[str, Any]:
    """What the WalletDO needs to settle a round under this jurisdiction (`PlayRules`)."""
    return PlayRules.of(profile).to_dict()


def window_changes(family: str, given: dict[str, Any]) -> dict[str, Any]:
    """`{daily, weekly, monthly}` as limit kinds: a window left out keeps its value, only an
    explicit null removes it."""
    unknown = set(given) - set(WINDOWS)
    if unknown:
        raise InvalidLimit(f"{family} limits have only the fields daily, weekly and monthly")
    return {f"{family}_{period}": value for period, value in given.items()}


def validated(profile: Jurisdiction, changes: dict[str, Any]) -> dict[str, Any]:
    rules = profile.limit_rules()
    for kind, value in changes.items():
        check_value(kind, value, rules)
    return changes


async def set_limits(services: Services, player_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    player = await load_player(services, player_id)
    profile = services.player_profile(player)
    client = WalletClient(services.wallets, player_id)
    return await client.set_limits(validated(profile, changes), limit_rules(profile))


async def activate_due_limits(services: Services, player_id: str) -> dict[str, Any]:
    """Make the player's due limit changes active in their WalletDO's storage: a `set_limits`
    with no change settles every limit whose cooling-off has passed and writes it back, under
    the player's jurisdiction's rules (the WalletDO decides; nothing is raised early)."""
    player = await load_player(services, player_id)
    rules = limit_rules(services.player_profile(player))
    return await WalletClient(services.wallets, player_id).set_limits({}, rules)


async def get_limits(services: Services, player_id: str) -> dict[str, Any]:
    player = await load_player(services, player_id)
    rules = limit_rules(services.player_profile(player))
    return await WalletClient(services.wallets, player_id).get_limits(rules)


def initial_changes(profile: Jurisdiction, given: Any) -> dict[str, Any]:
    """Registration's optional `limits` (`{deposit, loss, time: {daily, weekly, monthly},
    session_minutes}`) over the jurisdiction's defaults, validated by the same rules as the
    limit endpoints: a mandatory limit given as null is 422 `limit_required`."""
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise InvalidLimit("limits must be an object")
    unknown = set(given) - {*FAMILIES, "session_minutes", "session"}
    if unknown:
        raise InvalidLimit(f"unknown limits: {', '.join(sorted(unknown))}")
    changes: dict[str, Any] = dict(profile.default_limits)
    for family in FAMILIES:
        values = given.get(family)
        if values is None:
            continue
        if not isinstance(values, dict):
            raise InvalidLimit(f"limits.{family} must be an object with daily, weekly, monthly")
        changes.update(window_changes(family, values))
    session = given.get("session")
    if isinstance(session, dict) and "max_minutes" in session:
        changes[kind_of("session_minutes")] = session["max_minutes"]
    if "session_minutes" in given:
        changes[kind_of("session_minutes")] = given["session_minutes"]
    validated(profile, changes)
    check_required(changes, profile.limit_rules())
    return {kind: value for kind, value in changes.items() if value is not None}


async def apply_initial_limits(
    services: Services, player_id: str, profile: Jurisdiction, changes: dict[str, Any]
) -> None:
    if changes or profile.required_limits:
        await WalletClient(services.wallets, player_id).set_limits(changes, limit_rules(profile))


async def mirror_exclusion(
    services: Services, player_id: str, result: dict[str, Any], asked: str
) -> None:
    """Copy an exclusion into D1 for operators and reports (the one in force on the player's
    row, and the one just taken, `asked`, in `player_exclusions`, which the daily report
    counts); the WalletDO stays the authority."""
    if result.get("status") != 201:
        return
    body = result["body"]
    until = "permanent" if body["permanent"] else body["excluded_until"]
    await players.set_exclusion(services.db, player_id, until, body["kind"])
    await player_exclusions.add(services.db, player_id, asked, until, rfc3339(services.clock.now()))


async def exclude(
    services: Services, player_id: str, kind: ExclusionKind, **terms: Any
) -> dict[str, Any]:
    """A self-exclusion (`days`, `permanent`) or a break (`hours`) taken by the player: held by
    the WalletDO, mirrored into D1 once it is."""
    await load_player(services, player_id)
    result = await WalletClient(services.wallets, player_id).exclude(kind, **terms)
    await mirror_exclusion(services, player_id, result, kind)
    return result


async def exclusion_status(services: Services, player_id: str) -> dict[str, Any]:
    """`{excluded, kind, excluded_until, permanent}` as the WalletDO holds it."""
    await load_player(services, player_id)
    body: dict[str, Any] = (await WalletClient(services.wallets, player_id).rg_status())["body"]
    return body


async def reality_check(services: Services, player_id: str) -> dict[str, Any]:
    """The current play session's figures, under the player's jurisdiction's idle time."""
    player = await load_player(services, player_id)
    rules = play_rules(services.player_profile(player))
    return await WalletClient(services.wallets, player_id).reality_check(rules)

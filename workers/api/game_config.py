"""Game configuration per jurisdiction: the operator's lever on RTP, inside each market's range.

KV holds `game:<id>` (every market without its own value) and `game:<id>:<jurisdiction>` (one
market's own). A value is validated against the range of the jurisdiction reading it, so a
generic RTP of 80% is never what a Brazilian player gets (BR's floor is 85%): that market falls
back to its own last good value, then to the game's default, raised to the floor if need be,
and an operator alert says so. Every change is recorded in D1 (`game_configs`, the last good
per game and jurisdiction, and `game_config_changes`, the history)."""

from __future__ import annotations

import hashlib
from typing import Any

from casino.errors import DomainError, NotFound
from casino.games import GAMES
from casino.jurisdictions import Jurisdiction
from casino.rtp import GameConfig, check_rtp, config_json, parse_config
from casino.timefmt import rfc3339

from .alerts import raise_alert
from .audit import audit_entry
from .security import Caller
from .services import Services

GENERIC = "generic"


def kv_key(game_id: str, jurisdiction: str = GENERIC) -> str:
    return f"game:{game_id}" if jurisdiction == GENERIC else f"game:{game_id}:{jurisdiction}"


def default_config(game_id: str, profile: Jurisdiction | None = None) -> GameConfig:
    game = GAMES[game_id]
    rtp = game.default_rtp_bps
    if profile is not None:
        rtp = min(max(rtp, profile.rtp_min_bps), profile.rtp_max_bps)
    return GameConfig(game_id, rtp, game.min_stake, game.max_stake)


def _in_range(config: GameConfig | None, profile: Jurisdiction) -> GameConfig | None:
    if config is not None and profile.rtp_min_bps <= config.rtp_bps <= profile.rtp_max_bps:
        return config
    return None


async def _last_good(services: Services, game_id: str, jurisdiction: str) -> GameConfig | None:
    row = (
        await services.db.prepare(
            "SELECT rtp_bps, min_stake, max_stake, updated_at FROM game_configs "
            "WHERE game_id = ? AND jurisdiction = ?"
        )
        .bind(game_id, jurisdiction)
        .first()
    )
    if row is None:
        return None
    return GameConfig(game_id, row["rtp_bps"], row["min_stake"], row["max_stake"])


async def _record(
    services: Services,
    config: GameConfig,
    old: GameConfig | None,
    jurisdiction: str,
    by: str,
    source: str,
) -> None:
    """The new last good value and its history row. The change's id is derived from what it
    changes, so concurrent readers noticing the same KV edit record it once."""
    now = rfc3339(services.clock.now())
    change_id = hashlib.sha256(
        f"{config_json(config)}|{config_json(old) if old else ''}|{jurisdiction}|{source}|"
        f"{now if source == 'api' else ''}".encode()
    ).hexdigest()[:32]
    await services.db.batch(
        [
            services.db.prepare(
                "INSERT INTO game_configs (game_id, jurisdiction, rtp_bps, min_stake, max_stake, "
                "updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (game_id, jurisdiction) DO UPDATE SET rtp_bps = excluded.rtp_bps, "
                "min_stake = excluded.min_stake, max_stake = excluded.max_stake, "
                "updated_at = excluded.updated_at, updated_by = excluded.updated_by"
            ).bind(
                config.game_id,
                jurisdiction,
                config.rtp_bps,
                config.min_stake,
                config.max_stake,
                now,
                by,
            ),  # fmt: skip
            services.db.prepare(
                "INSERT OR IGNORE INTO game_config_changes (change_id, game_id, jurisdiction, "
                "old_rtp_bps, new_rtp_bps, changed_by, changed_at, source) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            ).bind(
                change_id,
                config.game_id,
                jurisdiction,
                old.rtp_bps if old else None,
                config.rtp_bps,
                by,
                now,
                source,
            ),  # fmt: skip
        ]
    )


async def _from_kv(
    services: Services, game_id: str, jurisdiction: str, profile: Jurisdiction
) -> GameConfig | None:
    """The KV value of one key, if it is valid for `profile` (an invalid one raises an alert;
    a generic value merely outside this market's range does too, and is skipped)."""
    raw = await services.kv.get(kv_key(game_id, jurisdiction))
    if raw is None:
        return None
    own = services.profiles.get(jurisdiction, profile)
    try:
        config = parse_config(game_id, raw, own.rtp_min_bps, own.rtp_max_bps)
    except DomainError as error:
        await raise_alert(
            services, "invalid_game_config", game_id,
            f"KV key {kv_key(game_id, jurisdiction)} holds an invalid value ({error.detail}); "
            "the last good configuration stays in force",
            raw,
        )  # fmt: skip
        return None
    last_good = await _last_good(services, game_id, jurisdiction)
    if config != last_good:  # changed outside the API (wrangler kv key put): audit it
        await _record(services, config, last_good, jurisdiction, "kv", "kv")
    if _in_range(config, profile) is None:
        await raise_alert(
            services, "rtp_outside_jurisdiction", f"{game_id}:{profile.code}",
            f"{kv_key(game_id, jurisdiction)} sets {config.rtp_bps} bps, outside "
            f"{profile.code}'s range {profile.rtp_min_bps}-{profile.rtp_max_bps}; "
            f"{profile.code} players keep a value inside it",
            raw,
        )  # fmt: skip
        return None
    return config


async def load_config(services: Services, game_id: str, profile: Jurisdiction) -> GameConfig:
    """The configuration a player under `profile` gets, always inside its RTP range."""
    if game_id not in GAMES:
        raise NotFound(f"No game '{game_id}'")
    code = profile.code
    if code != GENERIC:
        own = await _from_kv(services, game_id, code, profile)
        if own is not None:
            return own
        if await services.kv.get(kv_key(game_id, code)) is not None:  # invalid: its last good
            found = _in_range(await _last_good(services, game_id, code), profile)
            if found is not None:
                return found
    generic = await _from_kv(services, game_id, GENERIC, profile)
    if generic is not None:
        return generic
    for jurisdiction in dict.fromkeys((code, GENERIC)):
        found = _in_range(await _last_good(services, game_id, jurisdiction), profile)
        if found is not None:
            return found
    return default_config(game_id, profile)


def target_jurisdiction(services: Services, jurisdiction: str | None) -> str:
    """Where an operator's change applies: the one named, else the deployment's, else every
    market without its own value."""
    code = jurisdiction or services.settings.jurisdiction or GENERIC
    code = code if code == GENERIC else code.upper()
    if code not in services.profiles:
        raise NotFound(f"No jurisdiction '{code}'")
    return code


async def set_rtp(
    services: Services, staff: Caller, game_id: str, rtp_bps: int, jurisdiction: str | None = None
) -> tuple[GameConfig, str]:
    code = target_jurisdiction(services, jurisdiction)
    profile = services.profiles[code]
    current = await load_config(services, game_id, profile)
    check_rtp(rtp_bps, profile.rtp_min_bps, profile.rtp_max_bps)
    updated = GameConfig(game_id, rtp_bps, current.min_stake, current.max_stake)
    await _record(services, updated, current, code, staff.subject, "api")
    await services.kv.put(kv_key(game_id, code), config_json(updated))
    await audit_entry(
        services, staff.subject, staff.role, "game.rtp", game_id,
        {"old_rtp_bps": current.rtp_bps, "new_rtp_bps": rtp_bps, "jurisdiction": code},
    ).run()  # fmt: skip
    return updated, code


async def seed_defaults(services: Services) -> None:
    """Put each game's default configuration into KV where none is set (demo data)."""
    for game_id in GAMES:
        if await services.kv.get(kv_key(game_id)) is None:
            await services.kv.put(kv_key(game_id), config_json(default_config(game_id)))


async def rtp_history(services: Services, game_id: str) -> list[dict[str, Any]]:
    if game_id not in GAMES:
        raise NotFound(f"No game '{game_id}'")
    return (
        await services.db.prepare(
            "SELECT change_id, game_id, jurisdiction, old_rtp_bps, new_rtp_bps, changed_by, "
            "changed_at, source FROM game_config_changes WHERE game_id = ? "
            "ORDER BY changed_at, rowid"
        )
        .bind(game_id)
        .all()
    )

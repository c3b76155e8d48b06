"""Game configuration per jurisdiction: the operator's lever on RTP, inside each market's range.

KV holds `game:<id>` (every market without its own value) and `game:<id>:<jurisdiction>` (one
market's own). A value is validated against the range of the jurisdiction reading it, so a
generic RTP of 80% is never what a Brazilian player gets (BR's floor is 85%): that market falls
back to its own last good value, then to the game's default, raised to the floor if need be,
and an operator alert says so. Every change is recorded in D1 (`game_configs`, the last good
per game and jurisdiction, and `game_config_changes`, the history)."""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from casino.errors import DomainError, NotFound
from casino.games import GAMES
from casino.jurisdictions import Jurisdiction
from casino.rtp import GameConfig, check_rtp, config_json, parse_config
from casino.timefmt import parse_rfc3339, rfc3339
from infra.ports import Statement, Unavailable

from .alerts import raise_alert
from .audit import audit_entry
from .caller import Caller
from .services import Services
from .tables import game_config_changes, game_configs

GENERIC = "generic"
# How long a KV write takes to reach every location (Cloudflare: about a minute).
KV_PROPAGATION = timedelta(seconds=60)


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


@dataclass(frozen=True)
class LastGood:
    """The configuration in force for a game in one market (D1 `game_configs`), and the RTP its
    latest recorded change replaced."""

    config: GameConfig
    updated_at: str
    replaced_rtp_bps: int | None

    def shown_by_stale_kv(self, config: GameConfig, now: datetime) -> bool:
        """Whether a KV value is what the latest change replaced, read within KV's propagation
        time after it: a location KV has not reached yet, not a new change."""
        return (
            config.rtp_bps == self.replaced_rtp_bps
            and now - parse_rfc3339(self.updated_at) < KV_PROPAGATION
        )


async def _last_good(services: Services, game_id: str, jurisdiction: str) -> LastGood | None:
    row = await game_configs.last_good(services.db, game_id, jurisdiction)
    if row is None:
        return None
    config = GameConfig(game_id, row["rtp_bps"], row["min_stake"], row["max_stake"])
    return LastGood(config, row["updated_at"], row["replaced_rtp_bps"])


def _config(last: LastGood | None) -> GameConfig | None:
    return last.config if last is not None else None


def _change_id(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def _put_last_good(
    services: Services, config: GameConfig, jurisdiction: str, now: str, by: str
) -> Statement:
    return game_configs.put(
        services.db,
        (config.game_id, jurisdiction, config.rtp_bps, config.min_stake, config.max_stake, now, by),
    )


async def _record(
    services: Services, config: GameConfig, old: GameConfig | None, jurisdiction: str, by: str
) -> None:
    """An operator's change through the API: the new last good value and its history row."""
    now = rfc3339(services.clock.now())
    old_json = config_json(old) if old else ""
    change_id = _change_id(config_json(config), old_json, jurisdiction, "api", now)
    await services.db.batch(
        [
            _put_last_good(services, config, jurisdiction, now, by),
            game_config_changes.add_by_api(
                services.db,
                (
                    change_id,
                    config.game_id,
                    jurisdiction,
                    old.rtp_bps if old else None,
                    config.rtp_bps,
                    by,
                    now,
                ),
            ),
        ]
    )


async def _notice(
    services: Services, config: GameConfig, last: LastGood | None, jurisdiction: str
) -> None:
    """Record a KV value changed outside the API (`wrangler kv key put`) as the new last good
    value, once: the write is conditional on the last good value this reader saw, the history
    row on that write, and the row's id derived from the change and what it replaced, so
    readers that notice the same change at once record it once."""
    now = rfc3339(services.clock.now())
    seen = last.updated_at if last is not None else None
    change_id = _change_id(config_json(config), jurisdiction, "kv", seen or "")
    await services.db.batch(
        [
            game_configs.put_if_unchanged(
                services.db,
                (
                    config.game_id,
                    jurisdiction,
                    config.rtp_bps,
                    config.min_stake,
                    config.max_stake,
                    now,
                    "kv",
                ),
                seen,
            ),  # fmt: skip
            game_config_changes.add_noticed_in_kv(
                services.db,
                (
                    change_id,
                    config.game_id,
                    jurisdiction,
                    last.config.rtp_bps if last is not None else None,
                    config.rtp_bps,
                ),
                now,
            ),  # fmt: skip
        ]
    )


async def _from_kv(
    services: Services, game_id: str, jurisdiction: str, profile: Jurisdiction
) -> GameConfig | None:
    """The KV value of one key, if it is valid for `profile` (an invalid one raises an alert;
    a generic value merely outside this market's range does too, and is skipped). A value not
    seen before is recorded once (`_notice`); a value KV still shows from before the latest
    change, and one already recorded, write nothing."""
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
    last = await _last_good(services, game_id, jurisdiction)
    if is_new_change(config, last, services.clock.now()):
        await _notice(services, config, last, jurisdiction)
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


def is_new_change(config: GameConfig, last: LastGood | None, now: datetime) -> bool:
    """Whether a valid KV value is a change not recorded yet."""
    if last is None:
        return True
    return config != last.config and not last.shown_by_stale_kv(config, now)


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
            found = _in_range(_config(await _last_good(services, game_id, code)), profile)
            if found is not None:
                return found
    generic = await _from_kv(services, game_id, GENERIC, profile)
    if generic is not None:
        return generic
    for jurisdiction in dict.fromkeys((code, GENERIC)):
        found = _in_range(_config(await _last_good(services, game_id, jurisdiction)), profile)
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
    await _record(services, updated, current, code, staff.subject)
    await services.kv.put(kv_key(game_id, code), config_json(updated))
    await audit_entry(
        services, staff.subject, staff.role, "game.rtp", game_id,
        {"old_rtp_bps": current.rtp_bps, "new_rtp_bps": rtp_bps, "jurisdiction": code},
    ).run()  # fmt: skip
    return updated, code


async def seed_defaults(services: Services) -> None:
    """Put each game's default configuration into KV where none is set (demo data), recorded
    as a lobby's first read would record it, so that no read has to."""
    for game_id in GAMES:
        if await services.kv.get(kv_key(game_id)) is None:
            config = default_config(game_id)
            await services.kv.put(kv_key(game_id), config_json(config))
            # D1 failing here leaves the record to the first read, which makes it the same way.
            with contextlib.suppress(Unavailable):
                last = await _last_good(services, game_id, GENERIC)
                if is_new_change(config, last, services.clock.now()):
                    await _notice(services, config, last, GENERIC)


async def rtp_history(services: Services, game_id: str) -> list[dict[str, Any]]:
    if game_id not in GAMES:
        raise NotFound(f"No game '{game_id}'")
    return await game_config_changes.history(services.db, game_id)

"""Games application: configuration from KV (validated on read, last good kept in D1, changes
audited), sessions, rounds, rotation and statistics."""

from __future__ import annotations

import math
from typing import Any

from casino.errors import DomainError, KycRequired, NotFound
from casino.games import GAMES
from casino.rtp import RTP_MAX_BPS, RTP_MIN_BPS, GameConfig, check_rtp, config_json, parse_config

from .accounts import iso
from .alerts import raise_alert
from .audit import audit_entry
from .responsible import play_rules
from .security import Caller
from .services import Services

Z_FLAG = 2.576  # two-sided 99%


def rtp_range(services: Services) -> tuple[int, int]:
    if services.settings.jurisdiction:
        profile = services.profile(services.settings.jurisdiction)
        return profile.rtp_min_bps, profile.rtp_max_bps
    return RTP_MIN_BPS, RTP_MAX_BPS


def default_config(game_id: str) -> GameConfig:
    game = GAMES[game_id]
    return GameConfig(game_id, game.default_rtp_bps, game.min_stake, game.max_stake)


def kv_key(game_id: str) -> str:
    return f"game:{game_id}"


async def _last_good(services: Services, game_id: str) -> GameConfig | None:
    row = (
        await services.db.prepare(
            "SELECT rtp_bps, min_stake, max_stake FROM game_configs WHERE game_id = ?"
        )
        .bind(game_id)
        .first()
    )
    return GameConfig(game_id, **row) if row else None


async def _record(
    services: Services, config: GameConfig, old: GameConfig | None, by: str, source: str
) -> None:
    now = iso(services.clock.now())
    await services.db.batch(
        [
            services.db.prepare(
                "INSERT INTO game_configs (game_id, rtp_bps, min_stake, max_stake, updated_at, "
                "updated_by) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (game_id) DO UPDATE SET "
                "rtp_bps = excluded.rtp_bps, min_stake = excluded.min_stake, "
                "max_stake = excluded.max_stake, updated_at = excluded.updated_at, "
                "updated_by = excluded.updated_by"
            ).bind(config.game_id, config.rtp_bps, config.min_stake, config.max_stake, now, by),
            services.db.prepare(
                "INSERT INTO game_config_changes (change_id, game_id, old_rtp_bps, new_rtp_bps, "
                "changed_by, changed_at, source) VALUES (?, ?, ?, ?, ?, ?, ?)"
            ).bind(
                services.new_id(),
                config.game_id,
                old.rtp_bps if old else None,
                config.rtp_bps,
                by,
                now,
                source,
            ),  # fmt: skip
        ]
    )


async def load_config(services: Services, game_id: str) -> GameConfig:
    """The game's configuration as KV has it, if valid; else the last good one (and an alert)."""
    if game_id not in GAMES:
        raise NotFound(f"No game '{game_id}'")
    low, high = rtp_range(services)
    raw = await services.kv.get(kv_key(game_id))
    last_good = await _last_good(services, game_id)
    if raw is None:
        return last_good or default_config(game_id)
    try:
        config = parse_config(game_id, raw, low, high)
    except DomainError as error:
        await raise_alert(
            services, "invalid_game_config", game_id,
            f"KV key {kv_key(game_id)} holds an invalid value ({error.detail}); "
            "the last good configuration stays in force",
            raw,
        )  # fmt: skip
        return last_good or default_config(game_id)
    if config != last_good:  # changed outside the API (wrangler kv key put): audit it
        await _record(services, config, last_good, "kv", "kv")
    return config


async def set_rtp(services: Services, staff: Caller, game_id: str, rtp_bps: int) -> GameConfig:
    current = await load_config(services, game_id)
    low, high = rtp_range(services)
    check_rtp(rtp_bps, low, high)
    updated = GameConfig(game_id, rtp_bps, current.min_stake, current.max_stake)
    await _record(services, updated, current, staff.subject, "api")
    await services.kv.put(kv_key(game_id), config_json(updated))
    await audit_entry(
        services, staff.subject, staff.role, "game.rtp", game_id,
        {"old_rtp_bps": current.rtp_bps, "new_rtp_bps": rtp_bps},
    ).run()  # fmt: skip
    return updated


async def seed_defaults(services: Services) -> None:
    """Put each game's default configuration into KV where none is set (demo data)."""
    for game_id in GAMES:
        if await services.kv.get(kv_key(game_id)) is None:
            await services.kv.put(kv_key(game_id), config_json(default_config(game_id)))


async def catalogue(services: Services, only: str | None = None) -> list[dict[str, Any]]:
    if only is not None and only not in GAMES:
        raise NotFound(f"No game '{only}'")
    games = []
    for game_id, game in GAMES.items():
        if only is not None and game_id != only:
            continue
        config = await load_config(services, game_id)
        games.append(
            {
                "game_id": game_id,
                "name": game.name,
                "kind": game.kind,
                "rtp_bps": config.rtp_bps,
                "min_stake": config.min_stake,
                "max_stake": config.max_stake,
                "paytable": game.describe(config.rtp_bps),
            }
        )
    return games


async def stats(services: Services, game_id: str) -> dict[str, Any]:
    config = await load_config(services, game_id)
    row = await services.db.prepare(
        "SELECT rounds, total_staked, total_paid, sum_expected, sum_variance FROM game_stats "
        "WHERE game_id = ?"
    ).bind(game_id).first() or {
        "rounds": 0, "total_staked": 0, "total_paid": 0, "sum_expected": 0.0, "sum_variance": 0.0
    }  # fmt: skip
    staked, paid = row["total_staked"], row["total_paid"]
    actual = paid * 10000 // staked if staked else None
    expected = round(row["sum_expected"] * 10000 / staked) if staked else None
    z = (
        (paid - row["sum_expected"]) / math.sqrt(row["sum_variance"])
        if row["sum_variance"]
        else None
    )
    return {
        "game_id": game_id,
        "rounds": row["rounds"],
        "total_staked": staked,
        "total_paid": paid,
        "target_rtp_bps": config.rtp_bps,
        "actual_rtp_bps": actual,
        "deviation_bps": actual - config.rtp_bps if actual is not None else None,
        "expected_rtp_bps": expected,
        "z_score": round(z, 4) if z is not None else None,
        "flagged": z is not None and abs(z) > Z_FLAG,
    }


def kyc_gate(services: Services, player: dict[str, Any]) -> None:
    profile = services.player_profile(player)
    if profile.kyc_before_play and player["kyc_status"] != "verified":
        raise KycRequired("Real-money play requires a verified identity (KYC)")


async def open_session(
    services: Services, player_id: str, game_id: str, client_seed: str | None
) -> dict[str, Any]:
    from .wallet import load_player

    config = await load_config(services, game_id)
    player = await load_player(services, player_id)
    kyc_gate(services, player)
    profile = services.player_profile(player)
    allowed = await services.wallets.get(player_id).call("check_can_play", {})
    if allowed["status"] != 200:
        return allowed
    return await services.sessions.get(session_id := services.new_id()).call(
        "open",
        {
            "session_id": session_id,
            "player_id": player_id,
            "game_id": game_id,
            "rtp_bps": config.rtp_bps,
            "min_stake": config.min_stake,
            "max_stake": config.max_stake,
            "idle_timeout_minutes": profile.idle_timeout_minutes,
            "client_seed": client_seed,
        },
    )


async def owned_session(services: Services, player_id: str, session_id: str) -> dict[str, Any]:
    """The player with the session's ownership checked in one read; another player's is 404."""
    row = (
        await services.db.prepare(
            "SELECT p.player_id, p.country, p.jurisdiction, p.cpf, p.kyc_status, s.session_id "
            "FROM players p "
            "LEFT JOIN game_sessions s ON s.session_id = ? AND s.player_id = p.player_id "
            "WHERE p.player_id = ?"
        )
        .bind(session_id, player_id)
        .first()
    )
    if row is None or row["session_id"] is None:
        raise NotFound("No such session")
    return row


async def play(
    services: Services,
    player_id: str,
    session_id: str,
    key_header: str | None,
    stake: int,
    params: dict[str, Any],
) -> dict[str, Any]:
    from .wallet import idempotency_key, request_hash

    key = idempotency_key(key_header)
    player = await owned_session(services, player_id, session_id)
    kyc_gate(services, player)
    profile = services.player_profile(player)
    payload = {
        "rg": play_rules(profile),
        "player_id": player_id,
        "idempotency_key": key,
        "request_hash": request_hash(
            "round", {"session_id": session_id, "stake": stake, "params": params}
        ),  # fmt: skip
        "round_id": services.new_id(),
        "stake": stake,
        "params": params,
    }
    return await services.sessions.get(session_id).call("play", payload)


async def session_call(
    services: Services, player_id: str, session_id: str, method: str, payload: dict[str, Any]
) -> dict[str, Any]:
    await owned_session(services, player_id, session_id)
    return await services.sessions.get(session_id).call(method, {"player_id": player_id, **payload})


async def rtp_history(services: Services, game_id: str) -> list[dict[str, Any]]:
    if game_id not in GAMES:
        raise NotFound(f"No game '{game_id}'")
    return (
        await services.db.prepare(
            "SELECT change_id, game_id, old_rtp_bps, new_rtp_bps, changed_by, changed_at, source "
            "FROM game_config_changes WHERE game_id = ? ORDER BY changed_at, rowid"
        )
        .bind(game_id)
        .all()
    )

"""Games application: the catalogue (with each market's RTP), sessions, rounds, rotation and
statistics. Configuration lives in `game_config`."""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Mapping
from typing import Any

from casino.errors import DomainError, KycRequired, NotFound
from casino.games import GAMES
from casino.jurisdictions import Jurisdiction
from casino.messages import OpenSession, PlayRound, PlayRules
from casino.providers import split_game_id
from casino.rtp import GameConfig
from session_do.client import SessionClient
from wallet_do.client import WalletClient

from . import providers
from .caller import Caller
from .game_config import load_config
from .services import Services
from .tables import game_stats
from .tables import players as players_table
from .tokens import decode_access_token

Z_FLAG = 2.576  # two-sided 99%
# A session id as `Services.new_id` makes them (a version 4 UUID, lower case).
_SESSION_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


async def catalogue(
    services: Services, profile: Jurisdiction, only: str | None = None
) -> list[dict[str, Any]]:
    """Every game with the RTP, stakes and paytable a player under `profile` gets: ours, then
    the external providers' that the market allows."""
    if only is not None and split_game_id(only) is not None:
        found = [g for g in await providers.catalogue(services, profile.rtp_min_bps)
                 if g["game_id"] == only]  # fmt: skip
        if not found:
            raise NotFound(f"No game '{only}'")
        return [g | {"jurisdiction": profile.code} for g in found]
    if only is not None and only not in GAMES:
        raise NotFound(f"No game '{only}'")
    games = []
    for game_id, game in GAMES.items():
        if only is not None and game_id != only:
            continue
        config = await load_config(services, game_id, profile)
        games.append(
            {
                "game_id": game_id,
                "jurisdiction": profile.code,
                "name": game.name,
                "kind": game.kind,
                "rtp_bps": config.rtp_bps,
                "min_stake": config.min_stake,
                "max_stake": config.max_stake,
                "paytable": game.describe(config.rtp_bps),
            }
        )
    if only is None:
        games += [
            g | {"jurisdiction": profile.code}
            for g in await providers.catalogue(services, profile.rtp_min_bps)
        ]
    return games


async def stats(services: Services, game_id: str, profile: Jurisdiction) -> dict[str, Any]:
    if split_game_id(game_id) is not None:
        [game] = await catalogue(services, services.profiles["generic"], only=game_id)
        config = GameConfig(game_id, game["rtp_bps"], game["min_stake"], game["max_stake"])
    else:
        config = await load_config(services, game_id, profile)
    row = await game_stats.of_game(services.db, game_id) or {
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
        **_band(row["sum_expected"], row["sum_variance"], staked),
    }


def _band(expected: float, variance: float, staked: int) -> dict[str, int | None]:
    """The 99% band of the RTP the rounds played should give: what an honest game lands in."""
    if not staked or not variance:
        return {"ci99_low_bps": None, "ci99_high_bps": None}
    spread = Z_FLAG * math.sqrt(variance)
    return {
        "ci99_low_bps": math.floor((expected - spread) * 10000 / staked),
        "ci99_high_bps": math.ceil((expected + spread) * 10000 / staked),
    }


async def lobby_profile(
    services: Services, headers: Mapping[str, str], asked: str | None
) -> Jurisdiction:
    """The market whose RTPs the lobby shows: the one asked for, else the request's (network,
    host, deployment), else the logged-in player's, else `generic`."""
    if asked:
        code = asked if asked == "generic" else asked.upper()
        if code not in services.profiles:
            raise NotFound(f"No jurisdiction '{asked}'")
        return services.profiles[code]
    if services.fixed_jurisdiction:
        return services.profile(services.fixed_jurisdiction)
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        try:
            caller = decode_access_token(services, token.strip())
        except DomainError:
            caller = None
        if caller is not None and caller.home is not None:
            return services.profile(caller.home)  # the market the player registered under
        if caller is not None and caller.role == "player":
            from .wallet import load_player

            with contextlib.suppress(NotFound):
                return services.player_profile(await load_player(services, caller.subject))
    return services.profiles["generic"]


def kyc_gate(services: Services, player: dict[str, Any]) -> None:
    profile = services.player_profile(player)
    if profile.kyc_before_play and player["kyc_status"] != "verified":
        raise KycRequired("Real-money play requires a verified identity (KYC)")


async def open_session(
    services: Services, player_id: str, game_id: str, client_seed: str | None
) -> dict[str, Any]:
    from .wallet import load_player

    if split_game_id(game_id) is not None:
        return await providers.launch(services, player_id, game_id)
    player = await load_player(services, player_id)
    kyc_gate(services, player)
    profile = services.player_profile(player)
    config = await load_config(services, game_id, profile)
    allowed = await WalletClient(services.wallets, player_id).check_can_play()
    if allowed["status"] != 200:
        return allowed
    session_id = services.new_id()
    return await SessionClient(services.sessions, session_id).open(
        OpenSession(
            session_id=session_id,
            player_id=player_id,
            game_id=game_id,
            rtp_bps=config.rtp_bps,
            rtp_range=(profile.rtp_min_bps, profile.rtp_max_bps),
            min_stake=config.min_stake,
            max_stake=config.max_stake,
            idle_timeout_minutes=profile.idle_timeout_minutes,
            client_seed=client_seed,
        )
    )


async def owned_session(services: Services, player_id: str, session_id: str) -> dict[str, Any]:
    """The player with the session's ownership checked in one D1 read; another player's is 404.
    Off the round's path: only when the token cannot answer for the player (see `round_profile`)."""
    row = await players_table.with_session(services.db, player_id, session_id)
    if row is None or row["session_id"] is None:
        raise NotFound("No such session")
    return row


# Players whose token said "not verified" but whom D1 found verified since: by login family,
# until that token expires (a token issued later carries the status it had then).
async def round_profile(services: Services, caller: Caller, session_id: str) -> Jurisdiction:
    """The profile a round is played under, once the KYC gate lets the player play: from the
    token's jurisdiction claim and the KYC status the login's read gave (`api.security`), no
    further D1 read. D1 is read, with the session's ownership checked first as before, only
    for a token from before the claims, or to refuse a player not verified where the market
    requires it (another player's session stays 404, not 403)."""
    if caller.home is None:
        player = await owned_session(services, caller.subject, session_id)
        kyc_gate(services, player)
        return services.player_profile(player)
    profile = services.profile(caller.home)
    if profile.kyc_before_play and caller.kyc_status != "verified":
        kyc_gate(services, await owned_session(services, caller.subject, session_id))
    return profile


def session_client(services: Services, session_id: str) -> SessionClient:
    """The session's client; the SessionDO itself answers another player's session with 404.
    An id that no session can have is 404 at once (no object is made up for it)."""
    if _SESSION_ID.fullmatch(session_id) is None:
        raise NotFound("No such session")
    return SessionClient(services.sessions, session_id)


async def play(
    services: Services,
    caller: Caller,
    session_id: str,
    key_header: str | None,
    stake: int,
    params: dict[str, Any],
) -> dict[str, Any]:
    """A round: no D1 read when the token answers for the player (`round_profile`)."""
    from .wallet import idempotency_key, request_hash

    key = idempotency_key(key_header)
    session = session_client(services, session_id)
    profile = await round_profile(services, caller, session_id)
    command = PlayRound(
        session_id=session_id,
        player_id=caller.subject,
        round_id=services.new_id(),
        idempotency_key=key,
        request_hash=request_hash(
            "round", {"session_id": session_id, "stake": stake, "params": params}
        ),
        stake=stake,
        params=params,
        rules=PlayRules.of(profile),
        rtp_range=(profile.rtp_min_bps, profile.rtp_max_bps),
    )
    return await session.play(command)


async def describe_session(services: Services, player_id: str, session_id: str) -> dict[str, Any]:
    return await session_client(services, session_id).describe(player_id)


async def session_rounds(services: Services, player_id: str, session_id: str) -> dict[str, Any]:
    return await session_client(services, session_id).rounds(player_id)


async def rotate_seed(
    services: Services, player_id: str, session_id: str, client_seed: str | None
) -> dict[str, Any]:
    return await session_client(services, session_id).rotate(player_id, client_seed)

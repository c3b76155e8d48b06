"""External game providers: the registry (D1 the record, KV the copy callbacks read), game
launch, and the seamless-wallet callbacks (balance, bet, win, refund, rollback), each signed by
the provider and applied through the player's WalletDO under the same rules as our own games."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

from casino.errors import (
    CurrencyMismatch,
    InvalidSessionToken,
    InvalidStake,
    NotFound,
    ProviderUnavailable,
    ValidationFailed,
)
from casino.providers import (
    Provider,
    ProviderGame,
    check_signature,
    game_id,
    provider_from_dict,
    provider_to_dict,
    split_game_id,
)
from casino.sealed import seal, unseal
from casino.timefmt import rfc3339
from wallet_do.client import WalletClient

from .audit import audit_entry
from .caller import Caller
from .responsible import play_rules
from .services import Services
from .tables import providers
from .wallet import load_player, request_hash

SECRET_PURPOSE = "provider-secret"
TOKEN_PREFIX = "pgs1"
SESSION_HOURS = 12
CREDIT_DAYS = 30  # a win, refund or rollback may settle a bet this long after its session


# Registry --------------------------------------------------------------------------------------
def kv_key(provider_id: str) -> str:
    return f"provider:{provider_id}"


async def _seal_new_secret(services: Services) -> tuple[str, str]:
    secret = services.entropy.token_bytes(32).hex()
    sealed = await seal(
        secret.encode(), services.settings.mfa_key, SECRET_PURPOSE,
        services.entropy.token_bytes(12), services.aead,
    )  # fmt: skip
    return secret, sealed


async def _store(
    services: Services, provider: Provider, launch_url: str, sealed: str, staff: Caller, new: bool
) -> None:
    now = rfc3339(services.clock.now())
    config = provider_to_dict(provider) | {"launch_url": launch_url}
    await services.db.batch(
        [
            providers.save(services.db, new, config, sealed, now, staff.subject),
            audit_entry(
                services,
                staff.subject,
                staff.role,
                "provider.create" if new else "provider.update",
                provider.provider_id,
                {k: v for k, v in config.items() if k != "games"}
                | {"games": sorted(config["games"])},
                now,
            ),  # fmt: skip
        ]
    )
    await services.kv.put(kv_key(provider.provider_id), json.dumps(config | {"secret": sealed}))


def _launch_url(value: object) -> str:
    url = str(value or "")
    if not url.startswith(("https://", "http://")) or "{token}" not in url:
        raise ValidationFailed("launch_url is an http(s) URL with a {token} placeholder")
    return url


async def create(services: Services, staff: Caller, data: dict[str, Any]) -> dict[str, Any]:
    provider = provider_from_dict(data)
    if await _row(services, provider.provider_id) is not None:
        raise ValidationFailed(f"Provider {provider.provider_id} already exists")
    secret, sealed = await _seal_new_secret(services)
    launch_url = _launch_url(data.get("launch_url"))
    await _store(services, provider, launch_url, sealed, staff, new=True)
    return describe(provider, launch_url) | {"secret": secret}


async def update(
    services: Services, staff: Caller, provider_id: str, changes: dict[str, Any]
) -> dict[str, Any]:
    row = await _row(services, provider_id)
    if row is None:
        raise NotFound(f"No provider '{provider_id}'")
    current = _config(row)
    merged = current | {k: v for k, v in changes.items() if v is not None}
    provider = provider_from_dict(merged)
    launch_url = _launch_url(merged.get("launch_url"))
    await _store(services, provider, launch_url, row["secret_sealed"], staff, new=False)
    return describe(provider, launch_url)


async def rotate_secret(services: Services, staff: Caller, provider_id: str) -> dict[str, Any]:
    row = await _row(services, provider_id)
    if row is None:
        raise NotFound(f"No provider '{provider_id}'")
    secret, sealed = await _seal_new_secret(services)
    config = _config(row)
    await _store(services, provider_from_dict(config), config["launch_url"], sealed, staff, False)
    return {"provider_id": provider_id, "secret": secret}


async def _row(services: Services, provider_id: str) -> dict[str, Any] | None:
    return await providers.by_id(services.db, provider_id)


def _config(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "provider_id": row["provider_id"], "name": row["name"], "status": row["status"],
        "currency": row["currency"], "games": json.loads(row["games"]),
        "launch_url": row["launch_url"],
    }  # fmt: skip


def describe(provider: Provider, launch_url: str) -> dict[str, Any]:
    return provider_to_dict(provider) | {"launch_url": launch_url}


async def listing(services: Services) -> list[dict[str, Any]]:
    rows = await providers.every(services.db)
    return [_config(r) | {"updated_at": r["updated_at"]} for r in rows]


async def load(services: Services, provider_id: str) -> tuple[Provider, str, bytes]:
    """The provider as callbacks see it (KV, else D1), with its launch URL and secret."""
    raw = await services.kv.get(kv_key(provider_id))
    if raw is not None:
        config = json.loads(raw)
    else:
        row = await _row(services, provider_id)
        if row is None:
            raise ProviderUnavailable("No such provider")
        config = _config(row) | {"secret": row["secret_sealed"]}
    provider = provider_from_dict(config)
    secret = await unseal(
        config["secret"], services.settings.mfa_key, SECRET_PURPOSE, services.aead
    )
    return provider, config["launch_url"], secret


# Catalogue and launch ------------------------------------------------------------------------
async def catalogue(services: Services, rtp_floor: int) -> list[dict[str, Any]]:
    """The active providers' games a market allows (certified RTP at or above its floor)."""
    games = []
    for config in await listing(services):
        if config["status"] != "active":
            continue
        for name, spec in sorted(config["games"].items()):
            if spec["rtp_bps"] < rtp_floor:
                continue
            games.append(
                {
                    "game_id": game_id(config["provider_id"], name),
                    "name": spec.get("name") or name,
                    "kind": "provider",
                    "provider_id": config["provider_id"],
                    "rtp_bps": spec["rtp_bps"],
                    "min_stake": spec["min_stake"],
                    "max_stake": spec["max_stake"],
                    "paytable": {
                        "certified_rtp_bps": spec["rtp_bps"],
                        "note": "The provider's certified RTP",
                    },
                }  # fmt: skip
            )
    return games


def _token_mac(services: Services, body: str) -> str:
    key = hashlib.sha256(b"provider-session|" + services.settings.jwt_secret.encode()).digest()
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()[:32]


def session_token(services: Services, claims: dict[str, Any]) -> str:
    body = (
        base64.urlsafe_b64encode(json.dumps(claims, sort_keys=True).encode()).decode().rstrip("=")
    )
    return f"{TOKEN_PREFIX}.{body}.{_token_mac(services, body)}"


def resolve_token(
    services: Services, token: object, provider_id: str, for_bet: bool
) -> dict[str, Any]:
    """The session behind a token; a bet needs it unexpired, a credit only genuine."""
    try:
        prefix, body, mac = str(token).split(".")
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except ValueError as exc:
        raise InvalidSessionToken("The session token is not valid") from exc
    if prefix != TOKEN_PREFIX or not hmac.compare_digest(mac, _token_mac(services, body)):
        raise InvalidSessionToken("The session token is not valid")
    if claims.get("provider_id") != provider_id:
        raise InvalidSessionToken("The session token belongs to another provider")
    age = services.clock.now().timestamp() - float(claims["iat"])
    if age > (SESSION_HOURS * 3600 if for_bet else CREDIT_DAYS * 86400):
        raise InvalidSessionToken("The game session has expired")
    return dict(claims)


async def launch(services: Services, player_id: str, full_game_id: str) -> dict[str, Any]:
    """A provider game session: the launch URL (with an opaque token the provider resolves to
    the player through the callbacks), under the same gates as our own games."""
    provider, launch_url, game = await _launchable(services, player_id, full_game_id)
    allowed = await WalletClient(services.wallets, player_id).check_can_play()
    if allowed["status"] != 200:
        return allowed
    now = services.clock.now()
    session_id = services.new_id()
    claims = {"sid": session_id, "provider_id": provider.provider_id, "game": game.game,
              "player_id": player_id, "iat": int(now.timestamp())}  # fmt: skip
    token = session_token(services, claims)
    await providers.open_session(
        services.db, session_id, player_id, provider.provider_id, full_game_id, game.rtp_bps,
        rfc3339(now),
    )  # fmt: skip
    return {
        "status": 201,
        "body": {
            "session_id": session_id,
            "game_id": full_game_id,
            "provider_id": provider.provider_id,
            "rtp_bps": game.rtp_bps,
            "min_stake": game.min_stake,
            "max_stake": game.max_stake,
            "opened_at": rfc3339(now),
            "session_token": token,
            "launch_url": launch_url.replace("{token}", token).replace("{game}", game.game),
            "server_seed_hash": None,
            "client_seed": None,
            "nonce": None,
        },
    }


async def _launchable(
    services: Services, player_id: str, full_game_id: str
) -> tuple[Provider, str, ProviderGame]:
    """The provider, its launch URL and the game, once the game exists, is offered, and the
    player may play it (KYC, the jurisdiction's RTP floor)."""
    from .games import kyc_gate

    split = split_game_id(full_game_id)
    if split is None:
        raise NotFound(f"No game '{full_game_id}'")
    provider, launch_url, _ = await load(services, split[0])
    game = provider.games.get(split[1])
    if game is None or not provider.active:
        raise ProviderUnavailable("This game is not available")
    player = await load_player(services, player_id)
    kyc_gate(services, player)
    if game.rtp_bps < services.player_profile(player).rtp_min_bps:
        raise ProviderUnavailable("This game is not available in your jurisdiction")
    return provider, launch_url, game


# Callbacks -------------------------------------------------------------------------------------
async def authenticate(
    services: Services, provider_id: str, headers: Any, method: str, path: str, body: bytes
) -> Provider:
    """The provider, when the callback is signed by it within the clock skew."""
    provider, _, secret = await load(services, provider_id)
    check_signature(
        secret, headers.get("x-provider-timestamp"), headers.get("x-provider-signature"),
        method, path, body, time.time(),
    )  # fmt: skip
    return provider


async def balance(services: Services, provider: Provider, data: dict[str, Any]) -> dict[str, Any]:
    claims = resolve_token(services, data.get("session_token"), provider.provider_id, True)
    state = await WalletClient(services.wallets, claims["player_id"]).balance()
    return {"status": 200, "body": {"player_id": claims["player_id"], "currency": provider.currency,
                                    "balance": state["balance"]}}  # fmt: skip


async def transaction(
    services: Services, provider: Provider, kind: str, data: dict[str, Any]
) -> dict[str, Any]:
    """A bet, win, refund or rollback through the player's WalletDO."""
    from .games import kyc_gate

    claims = resolve_token(services, data.get("session_token"), provider.provider_id, kind == "bet")
    if data.get("currency") not in (None, provider.currency):
        raise CurrencyMismatch(f"This provider's wallet is in {provider.currency}")
    game = provider.games.get(claims["game"])
    if game is None:
        raise ProviderUnavailable("This game is not available")
    player = await load_player(services, claims["player_id"])
    profile = services.player_profile(player)
    if kind == "bet":
        if not provider.active:
            raise ProviderUnavailable("This provider is suspended")
        kyc_gate(services, player)
        if not game.min_stake <= data["amount"] <= game.max_stake:
            raise InvalidStake(f"Stakes in this game are {game.min_stake} to {game.max_stake}")
    tx = {
        "provider_id": provider.provider_id, "transaction_id": data["transaction_id"],
        "kind": kind, "game_id": game_id(provider.provider_id, game.game),
        "round_id": data["round_id"], "bet_transaction_id": data.get("bet_transaction_id"),
        "amount": data.get("amount"), "rtp_bps": game.rtp_bps,
    }  # fmt: skip
    rules = play_rules(profile) | {"session_opened_at": rfc3339_from(claims["iat"])}
    key = f"provider:{provider.provider_id}:{data['transaction_id']}"
    return await WalletClient(services.wallets, claims["player_id"]).provider_transaction(
        idempotency_key=key,
        request_hash=request_hash(
            f"provider_{kind}", {k: v for k, v in tx.items() if k != "rtp_bps"}
        ),
        ref=key,
        transaction=tx,
        rg=rules,
    )


def rfc3339_from(epoch_seconds: float) -> str:
    from datetime import UTC, datetime

    return rfc3339(datetime.fromtimestamp(epoch_seconds, UTC))

"""What a request handler can reach: the bindings behind their ports, the clock, entropy and
settings. Built once per isolate by the edge entry, or by the local server; handed to the app
as the ASGI scope's `env`.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from casino.jurisdictions import PROFILES, Jurisdiction, from_dict, jurisdiction_for
from casino.passwords import Pbkdf2
from casino.sealed import Aead
from infra.ports import ActorNamespace, BlobStore, Database, KeyValue, Mailer

PROFILE_TTL_SECONDS = 60.0
log = logging.getLogger("casino.services")


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class SystemEntropy:
    def token_bytes(self, n: int) -> bytes:
        return secrets.token_bytes(n)


@dataclass(frozen=True)
class Settings:
    jwt_secret: str
    password_pepper: bytes
    exclusion_key: bytes = b""
    jurisdiction: str | None = None  # the deployment's (`JURISDICTION`), fixed for every request
    network_jurisdiction: str | None = None  # the request's network (host, Cloudflare country)
    currency: str = "BRL"
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    trust_forwarded_ip: bool = False
    max_body_bytes: int = 1024 * 1024
    max_upload_body_bytes: int = 8 * 1024 * 1024
    # Seals TOTP secrets (Worker secret MFA_ENCRYPTION_KEY; locally in the state's secrets).
    mfa_key: bytes = b""
    # Per-address throttles skip loopback addresses (the local runtime: suites on one machine).
    exempt_loopback_addresses: bool = False


@dataclass
class Services:
    db: Database
    kv: KeyValue
    documents: BlobStore
    wallets: ActorNamespace
    sessions: ActorNamespace
    settings: Settings
    pbkdf2: Pbkdf2
    clock: SystemClock
    entropy: SystemEntropy
    aead: Aead
    mailer: Mailer | None = None

    def new_id(self) -> str:
        return str(uuid.UUID(bytes=self.entropy.token_bytes(16), version=4))

    profiles: dict[str, Jurisdiction] = field(default_factory=lambda: dict(PROFILES))
    profiles_loaded_at: float = -PROFILE_TTL_SECONDS

    @property
    def fixed_jurisdiction(self) -> str | None:
        """The profile every player of this request is under, when the deployment or the
        request's network fixes one."""
        return self.settings.jurisdiction or self.settings.network_jurisdiction

    def profile(self, country: str) -> Jurisdiction:
        return jurisdiction_for(country, self.fixed_jurisdiction, self.profiles)

    def player_profile(self, player: dict[str, Any]) -> Jurisdiction:
        """The profile governing a player in this request: the deployment's or the network's
        when they fix one (`settings.jurisdiction`), else the one the player registered under
        (never the country they typed, once registered)."""
        return self.profile(player.get("jurisdiction") or player["country"])

    async def refresh_profiles(self) -> list[tuple[str, str]]:
        """Reload the jurisdiction profiles from KV (`jurisdiction:<code>`) at most once a
        minute; an invalid value is ignored (the last good profile stays) and reported."""
        if time.monotonic() - self.profiles_loaded_at < PROFILE_TTL_SECONDS:
            return []
        self.profiles_loaded_at = time.monotonic()
        invalid = []
        for code in PROFILES:
            raw = await self.kv.get(f"jurisdiction:{code}")
            if raw is None:
                continue
            try:
                profile = from_dict(json.loads(raw))
                if profile.code != code:
                    raise ValueError(f"the key says {code} but the profile says {profile.code}")
            except ValueError as error:
                log.warning("invalid jurisdiction profile %s in KV: %s", code, error)
                invalid.append((code, str(error)))
                continue
            self.profiles[code] = profile
        return invalid

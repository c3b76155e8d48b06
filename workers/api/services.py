"""What a request handler can reach: the bindings behind their ports, the clock, entropy and
settings. Built once per isolate by the edge entry, or by the local server; handed to the app
as the ASGI scope's `env`.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from casino.jurisdictions import Jurisdiction, jurisdiction_for
from casino.passwords import Pbkdf2
from infra.ports import ActorNamespace, BlobStore, Database, KeyValue


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
    jurisdiction: str | None = None
    currency: str = "BRL"
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    trust_forwarded_ip: bool = False
    max_body_bytes: int = 1024 * 1024
    max_upload_body_bytes: int = 8 * 1024 * 1024


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

    def new_id(self) -> str:
        return str(uuid.UUID(bytes=self.entropy.token_bytes(16), version=4))

    def profile(self, country: str) -> Jurisdiction:
        return jurisdiction_for(country, self.settings.jurisdiction)

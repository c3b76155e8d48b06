"""The edge entry: the Worker serving the FastAPI app through the ASGI bridge, and the Durable
Object classes. Everything Cloudflare-specific stays here and in `infra.cloudflare`.
"""

from __future__ import annotations

from typing import Any

from api.app import create_app, with_body_limits
from api.services import Services, Settings, SystemClock, SystemEntropy
from infra.cloudflare import (
    D1Database,
    DurableObjectNamespace,
    DurableObjectStorage,
    KVNamespace,
    R2Bucket,
    js_value,
    pbkdf2_webcrypto,
    to_py,
)
from wallet_do.wallet import Wallet, WalletDeps
from workers import DurableObject, WorkerEntrypoint, asgi  # type: ignore[import-not-found]

app = with_body_limits(create_app())


def _var(env: Any, name: str, default: str = "") -> str:
    value = getattr(env, name, None)
    return default if value is None else str(value)


def build_services(env: Any) -> Services:
    settings = Settings(
        jwt_secret=_var(env, "JWT_SECRET"),
        password_pepper=_var(env, "PASSWORD_PEPPER").encode(),
        jurisdiction=_var(env, "JURISDICTION") or None,
        currency=_var(env, "CURRENCY", "BRL"),
        trust_forwarded_ip=True,
    )
    if not settings.jwt_secret or not settings.password_pepper:
        raise RuntimeError("Set the JWT_SECRET and PASSWORD_PEPPER Worker secrets")
    return Services(
        db=D1Database(env.DB),
        kv=KVNamespace(env.KV),
        documents=R2Bucket(env.DOCUMENTS),
        wallets=DurableObjectNamespace(env.WALLET),
        settings=settings,
        pbkdf2=pbkdf2_webcrypto,
        clock=SystemClock(),
        entropy=SystemEntropy(),
    )


class Default(WorkerEntrypoint):  # type: ignore[misc]
    async def fetch(self, request: Any) -> Any:
        return await asgi.fetch(app, request, build_services(self.env))


class WalletDO(DurableObject):  # type: ignore[misc]
    """One player's ledger. RPC methods take and return plain objects."""

    def __init__(self, ctx: Any, env: Any) -> None:
        super().__init__(ctx, env)
        deps = WalletDeps(clock=SystemClock(), db=D1Database(env.DB))
        self.wallet = Wallet(DurableObjectStorage(ctx.storage), deps)

    async def _call(self, method: str, payload: Any) -> Any:
        result = await getattr(self.wallet, method)(to_py(payload) or {})
        return js_value(result)

    async def balance(self, payload: Any) -> Any:
        return await self._call("balance", payload)

    async def events(self, payload: Any) -> Any:
        return await self._call("events", payload)

    async def audit(self, payload: Any) -> Any:
        return await self._call("audit", payload)

    async def deposit(self, payload: Any) -> Any:
        return await self._call("deposit", payload)

    async def withdraw(self, payload: Any) -> Any:
        return await self._call("withdraw", payload)

    async def alarm(self, *_: Any) -> None:
        await self.wallet.alarm()


class SessionDO(DurableObject):  # type: ignore[misc]
    """A game session's seeds and nonces (filled in by the games module)."""

    def __init__(self, ctx: Any, env: Any) -> None:
        super().__init__(ctx, env)

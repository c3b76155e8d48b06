"""The edge entry: the Worker serving the FastAPI app through the ASGI bridge, its Cron and Queue
handlers, and the Durable Object classes. Everything Cloudflare-specific stays here and in
`infra.cloudflare`; the classes only adapt the runtime's objects and delegate.
"""

from __future__ import annotations

import gc
from typing import Any

# The import builds ~80k long-lived objects (models, routes, tables) and little garbage: no
# collection runs while it does, and what it built is frozen out of later collections (it is
# also what Cloudflare's deploy-time snapshot holds).
gc.disable()

import js  # type: ignore[import-not-found]

from api import aml, scheduled
from api.app import create_app, with_body_limits
from api.services import Services, Settings, SystemClock, SystemEntropy
from infra.cloudflare import (
    D1Database,
    DurableObjectNamespace,
    DurableObjectStorage,
    KVNamespace,
    QueueProducer,
    R2Bucket,
    WebCryptoAesGcm,
    batch_messages,
    js_value,
    pbkdf2_webcrypto,
    to_py,
)
from session_do.session import GameSession, SessionDeps
from wallet_do.hosted import HostedWallet
from wallet_do.wallet import WalletDeps
from workers import DurableObject, WorkerEntrypoint, asgi

app = with_body_limits(create_app())
gc.freeze()
gc.enable()
_services: list[Services] = []


def _var(env: Any, name: str, default: str = "") -> str:
    value = getattr(env, name, None)
    return default if value is None else str(value)


def build_services(env: Any) -> Services:
    """One `Services` per isolate: the bindings are the isolate's, and the profile cache lives as
    long as it does."""
    if _services:
        return _services[0]
    settings = Settings(
        jwt_secret=_var(env, "JWT_SECRET"),
        password_pepper=_var(env, "PASSWORD_PEPPER").encode(),
        exclusion_key=_var(env, "EXCLUSION_LIST_KEY").encode(),
        jurisdiction=_var(env, "JURISDICTION") or None,
        currency=_var(env, "CURRENCY", "BRL"),
        trust_forwarded_ip=True,
        mfa_key=_var(env, "MFA_ENCRYPTION_KEY").encode(),
    )
    required = (settings.jwt_secret, settings.password_pepper, settings.exclusion_key)
    if not all(required) or not settings.mfa_key:
        raise RuntimeError(
            "Set the JWT_SECRET, PASSWORD_PEPPER, EXCLUSION_LIST_KEY and MFA_ENCRYPTION_KEY secrets"
        )
    services = Services(
        db=D1Database(env.DB),
        kv=KVNamespace(env.KV),
        documents=R2Bucket(env.DOCUMENTS),
        wallets=DurableObjectNamespace(env.WALLET),
        sessions=DurableObjectNamespace(env.SESSION),
        settings=settings,
        pbkdf2=pbkdf2_webcrypto,
        clock=SystemClock(),
        entropy=SystemEntropy(),
        aead=WebCryptoAesGcm(),
    )
    _services.append(services)
    return services


def with_network_country(request: Any) -> Any:
    """The request with `CF-IPCountry` set from `request.cf.country`, Cloudflare's own reading
    of the client's network, which the app trusts for the jurisdiction (a header sent by the
    client is replaced)."""
    cf = getattr(request, "cf", None)
    country = getattr(cf, "country", None) if cf is not None else None
    if not country or not isinstance(country, str):
        return request
    raw = getattr(request, "js_object", request)
    headers = js.Headers.new(raw.headers)
    headers.set("cf-ipcountry", country)
    init = js.Object.new()
    init.headers = headers
    return js.Request.new(raw, init)


class Default(WorkerEntrypoint):
    async def fetch(self, request: Any) -> Any:
        return await asgi.fetch(app, with_network_country(request), build_services(self.env))

    async def scheduled(self, controller: Any, *_: Any) -> None:
        await scheduled.run(build_services(self.env), str(getattr(controller, "cron", "")))

    async def queue(self, batch: Any, *_: Any) -> None:
        """The fraud queue's consumer: each message acked once scored, or retried."""
        await aml.consume(build_services(self.env), batch_messages(batch))


class _Actor(DurableObject):  # type: ignore[no-untyped-call]  # the SDK's __init_subclass__
    """RPC methods take and return plain JS objects; the application object does the work."""

    target: Any

    async def _call(self, method: str, payload: Any) -> Any:
        return js_value(await getattr(self.target, method)(to_py(payload) or {}))


class WalletDO(_Actor):  # type: ignore[no-untyped-call]
    """One player's ledger: the single writer of that player's money movements."""

    def __init__(self, ctx: Any, env: Any) -> None:
        super().__init__(ctx, env)
        queue = getattr(env, "FRAUD_QUEUE", None)
        deps = WalletDeps(
            clock=SystemClock(),
            db=D1Database(env.DB),
            queue=QueueProducer(queue) if queue is not None else None,
        )
        self.target = HostedWallet(DurableObjectStorage(ctx.storage), deps)

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

    async def withdrawals(self, payload: Any) -> Any:
        return await self._call("withdrawals", payload)

    async def provider_transaction(self, payload: Any) -> Any:
        return await self._call("provider_transaction", payload)

    async def settle_round(self, payload: Any) -> Any:
        return await self._call("settle_round", payload)

    async def grant_bonus(self, payload: Any) -> Any:
        return await self._call("grant_bonus", payload)

    async def bonus_status(self, payload: Any) -> Any:
        return await self._call("bonus_status", payload)

    async def get_limits(self, payload: Any) -> Any:
        return await self._call("get_limits", payload)

    async def set_limits(self, payload: Any) -> Any:
        return await self._call("set_limits", payload)

    async def exclude(self, payload: Any) -> Any:
        return await self._call("exclude", payload)

    async def rg_status(self, payload: Any) -> Any:
        return await self._call("rg_status", payload)

    async def check_can_play(self, payload: Any) -> Any:
        return await self._call("check_can_play", payload)

    async def reality_check(self, payload: Any) -> Any:
        return await self._call("reality_check", payload)

    async def aml_restrict(self, payload: Any) -> Any:
        return await self._call("aml_restrict", payload)

    async def start_login(self, payload: Any) -> Any:
        return await self._call("start_login", payload)

    async def end_logins(self, payload: Any) -> Any:
        return await self._call("end_logins", payload)

    async def set_kyc_status(self, payload: Any) -> Any:
        return await self._call("set_kyc_status", payload)

    async def login_state(self, payload: Any) -> Any:
        return await self._call("login_state", payload)

    async def alarm(self, *_: Any) -> None:
        await self.target.alarm()


class SessionDO(_Actor):  # type: ignore[no-untyped-call]
    """One game session: its server seed (secret until revealed), nonces and rounds."""

    def __init__(self, ctx: Any, env: Any) -> None:
        super().__init__(ctx, env)
        deps = SessionDeps(
            clock=SystemClock(),
            entropy=SystemEntropy(),
            db=D1Database(env.DB),
            wallets=DurableObjectNamespace(env.WALLET),
        )
        self.target = GameSession(DurableObjectStorage(ctx.storage), deps)

    async def open(self, payload: Any) -> Any:
        return await self._call("open", payload)

    async def describe(self, payload: Any) -> Any:
        return await self._call("describe", payload)

    async def play(self, payload: Any) -> Any:
        return await self._call("play", payload)

    async def rounds(self, payload: Any) -> Any:
        return await self._call("rounds", payload)

    async def rotate(self, payload: Any) -> Any:
        return await self._call("rotate", payload)

    async def alarm(self, *_: Any) -> None:
        await self.target.alarm()

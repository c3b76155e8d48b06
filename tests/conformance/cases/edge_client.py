"""What the Worker cases share: a request to the Worker's `fetch` (a real `Request`, as workerd
delivers it), a registered and logged-in player, a logged-in staff member, D1 as the app sees
it, and a Durable Object called through the DO host the way the app calls it."""

from __future__ import annotations

import json
import uuid
from typing import Any

import js  # type: ignore[import-not-found]
from _conformance_host import env, host  # type: ignore[import-not-found]
from pyodide.ffi import to_js  # type: ignore[import-not-found]

from infra.cloudflare import D1Database, DurableObjectNamespace
from workers import _EnvWrapper  # type: ignore[import-not-found]

STRONG = "Str0ng-Passw0rd!x"
db = D1Database(_EnvWrapper(env).DB)


async def call(method: str, path: str, body=None, headers=None, *, host_name: str = "casino.test"):
    """`(status, media type, body)` of one request; the body is parsed when it is JSON."""
    init = {"method": method, "headers": {"content-type": "application/json", **(headers or {})}}
    if body is not None:
        init["body"] = body if isinstance(body, (str, bytes)) else json.dumps(body)
    request = js.Request.new(
        f"https://{host_name}{path}", to_js(init, dict_converter=js.Object.fromEntries)
    )
    response = await host.fetch(request)
    assert response.constructor.name == "Response"
    text = await response.text()
    media = str(response.headers.get("content-type") or "")
    return int(response.status), media, (json.loads(text) if text and "json" in media else text)


def cpf(n: int) -> str:
    """A valid CPF made from `n`."""

    def digit(digits: str) -> int:
        r = sum(int(d) * (len(digits) + 1 - i) for i, d in enumerate(digits)) * 10 % 11
        return 0 if r == 10 else r

    base = f"{n % 10**9:09d}"
    first = digit(base)
    return base + str(first) + str(digit(base + str(first)))


async def player(verified: bool = False, country: str = "BR") -> dict:
    """A registered, logged-in player (Brazilian, with a CPF, unless `country` says otherwise)."""
    email = f"c-{uuid.uuid4().hex[:10]}@example.com"
    details = {"email": email, "password": STRONG, "full_name": "Ana", "birth_date": "1990-01-01",
               "country": country}  # fmt: skip
    if country == "BR":
        details["cpf"] = cpf(uuid.uuid4().int)
    # Each player registers from an address of their own (Cloudflare sets `CF-Connecting-IP`),
    # as players do: the suite registers more players than one address may.
    network = {"cf-connecting-ip": "10.{}.{}.{}".format(*uuid.uuid4().bytes[:3])}
    status, _, body = await call("POST", "/v1/auth/register", details, network)
    assert status == 201, body
    status, _, tokens = await call("POST", "/v1/auth/login", {"email": email, "password": STRONG})
    assert status == 200, tokens
    if verified:
        await (
            db.prepare("UPDATE players SET kyc_status = 'verified' WHERE player_id = ?")
            .bind(body["player_id"])
            .run()
        )
    return {
        "id": body["player_id"],
        "email": email,
        "tokens": tokens,
        "auth": {"authorization": f"Bearer {tokens['access_token']}"},
    }


def key() -> dict:
    return {"idempotency-key": str(uuid.uuid4())}


async def deposit(p: dict, amount: int) -> dict:
    """A deposit by `p` by Pix, which must succeed: its answer."""
    status, _, body = await call(
        "POST", "/v1/wallet/deposits", {"amount": amount, "method": "pix"}, p["auth"] | key()
    )
    assert status == 201, body
    return body


async def staff(role: str) -> dict:
    """The authorization header of a new staff member of `role`, logged in with TOTP."""
    import entry  # type: ignore[import-not-found]
    import pyotp

    from api.staff import CLI_ACTOR, create_staff

    services = entry.build_services(_EnvWrapper(env))
    email = f"{role.replace('_', '-')}-{uuid.uuid4().hex[:8]}@example.com"
    made = await create_staff(services, CLI_ACTOR, email, STRONG, role)
    status, _, tokens = await call("POST", "/v1/auth/login", {
        "email": email, "password": STRONG, "otp": pyotp.parse_uri(made["otpauth_uri"]).now()})  # fmt: skip
    assert status == 200, tokens
    return {"authorization": f"Bearer {tokens['access_token']}"}


async def wallet_call(player_id: str, command: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A WalletDO command called through the DO host as the app's clients call it (the payload
    addressed to the object, `casino.messages.ADDRESS`): `{status, body}`."""
    from casino.messages import ADDRESS

    payload = {**payload, ADDRESS: player_id}
    return (
        await DurableObjectNamespace(_EnvWrapper(env).WALLET).get(player_id).call(command, payload)
    )


async def rows(query: str, *params: Any) -> list[dict[str, Any]]:
    """The rows of a D1 query."""
    return await db.prepare(query).bind(*params).all()

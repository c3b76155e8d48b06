"""The Worker as the edge runs it: `api.entry.Default.fetch` with a real Request, the FastAPI app
through Cloudflare's `workers.asgi` bridge, the real `WalletDO` and `SessionDO` classes on
Durable Object storage, D1/KV/R2 from miniflare."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid

import js  # type: ignore[import-not-found]
from conformance_env import createDurableObjectNamespace, env  # type: ignore[import-not-found]
from pyodide.ffi import create_proxy, to_js  # type: ignore[import-not-found]

from api import entry

STRONG = "Str0ng-Passw0rd!x"
_namespaces: dict[str, object] = {}


def _setup() -> None:
    if _namespaces:
        return
    _namespaces["WALLET"] = createDurableObjectNamespace(
        create_proxy(lambda ctx: entry.WalletDO(ctx, env))
    )
    _namespaces["SESSION"] = createDurableObjectNamespace(
        create_proxy(lambda ctx: entry.SessionDO(ctx, env))
    )
    env.WALLET = _namespaces["WALLET"]
    env.SESSION = _namespaces["SESSION"]


async def call(method: str, path: str, body=None, headers=None):
    _setup()
    init = {"method": method, "headers": {"content-type": "application/json", **(headers or {})}}
    if body is not None:
        init["body"] = json.dumps(body)
    request = js.Request.new(
        f"https://casino.test{path}", to_js(init, dict_converter=js.Object.fromEntries)
    )
    worker = entry.Default(js.Object.new(), env)
    response = await worker.fetch(request)
    text = await response.text()
    return (
        int(response.status),
        str(response.headers.get("content-type")),
        json.loads(text) if text else None,
    )


def cpf(n: int) -> str:
    def digit(digits: str) -> int:
        r = sum(int(d) * (len(digits) + 1 - i) for i, d in enumerate(digits)) * 10 % 11
        return 0 if r == 10 else r

    base = f"{n % 10**9:09d}"
    first = digit(base)
    return base + str(first) + str(digit(base + str(first)))


async def player(verified: bool = False) -> dict:
    email = f"c-{uuid.uuid4().hex[:10]}@example.com"
    status, _, body = await call("POST", "/v1/auth/register", {
        "email": email, "password": STRONG, "full_name": "Ana", "birth_date": "1990-01-01",
        "country": "BR", "cpf": cpf(uuid.uuid4().int)})  # fmt: skip
    assert status == 201, body
    status, _, tokens = await call("POST", "/v1/auth/login", {"email": email, "password": STRONG})
    assert status == 200, tokens
    if verified:
        await (
            entry.build_services(env)
            .db.prepare("UPDATE players SET kyc_status = 'verified' WHERE player_id = ?")
            .bind(body["player_id"])
            .run()
        )
    return {"id": body["player_id"], "auth": {"authorization": f"Bearer {tokens['access_token']}"}}


async def test_health_problem_details_and_validation():
    assert await call("GET", "/healthz") == (200, "application/json", {"status": "ok"})
    status, media, body = await call("GET", "/v1/nowhere")
    assert (status, media, body["code"]) == (404, "application/problem+json", "not_found")
    status, _, body = await call("POST", "/v1/auth/register", {"email": "x"})
    assert (status, body["code"]) == (422, "validation_error")


async def test_register_login_and_profile_through_web_crypto_and_pyjwt():
    p = await player()
    status, _, me = await call("GET", "/v1/players/me", headers=p["auth"])
    assert status == 200 and me["player_id"] == p["id"] and me["kyc_status"] == "none"


async def test_deposits_are_idempotent_and_projected_into_d1_by_the_alarm():
    p = await player()
    key = {"idempotency-key": str(uuid.uuid4())}
    first = await call("POST", "/v1/wallet/deposits", {"amount": 1500, "method": "pix"},
                       p["auth"] | key)  # fmt: skip
    again = await call("POST", "/v1/wallet/deposits", {"amount": 1500, "method": "pix"},
                       p["auth"] | key)  # fmt: skip
    assert first[0] == 201 and first == again
    reused = await call("POST", "/v1/wallet/deposits", {"amount": 1, "method": "pix"},
                        p["auth"] | key)  # fmt: skip
    assert reused[2]["code"] == "idempotency_key_reused"
    assert (await call("GET", "/v1/wallet", headers=p["auth"]))[2] == {
        "balance": 1500, "currency": "BRL", "last_seq": 1}  # fmt: skip
    await _namespaces["WALLET"].settled()
    rows = (
        await entry.build_services(env)
        .db.prepare("SELECT seq, balance_after FROM wallet_events WHERE player_id = ?")
        .bind(p["id"])
        .all()
    )
    assert rows == [{"seq": 1, "balance_after": 1500}]


async def test_a_dice_round_settles_atomically_and_projects_the_round_into_d1():
    p = await player(verified=True)
    await call("POST", "/v1/wallet/deposits", {"amount": 10_000, "method": "pix"},
               p["auth"] | {"idempotency-key": str(uuid.uuid4())})  # fmt: skip
    status, _, session = await call("POST", "/v1/games/dice/sessions", {}, p["auth"])
    assert status == 201, session
    status, _, played = await call(
        "POST", f"/v1/sessions/{session['session_id']}/rounds",
        {"stake": 100, "params": {"target": 5000}}, p["auth"] | {"idempotency-key": "r1"},
    )  # fmt: skip
    assert status == 201, played
    assert played["balance"] == 10_000 - 100 + played["payout"]
    status, _, reveal = await call("POST", f"/v1/sessions/{session['session_id']}/seed-rotation",
                                   {}, p["auth"])  # fmt: skip
    seed = reveal["revealed_server_seed"]
    assert hashlib.sha256(seed.encode()).hexdigest() == session["server_seed_hash"]
    await _namespaces["WALLET"].settled()
    db = entry.build_services(env).db
    row = (
        await db.prepare("SELECT nonce, payout, outcome FROM rounds WHERE session_id = ?")
        .bind(session["session_id"])
        .first()
    )
    assert row == {
        "nonce": 0,
        "payout": played["payout"],
        "outcome": json.dumps(played["outcome"], sort_keys=True),
    }
    stats = await db.prepare(
        "SELECT rounds, total_staked FROM game_stats WHERE game_id = 'dice'"
    ).first()
    assert stats == {"rounds": 1, "total_staked": 100}
    commitment = (
        await db.prepare(
            "SELECT revealed_server_seed FROM seed_commitments WHERE server_seed_hash = ?"
        )
        .bind(session["server_seed_hash"])
        .first()
    )
    assert commitment == {"revealed_server_seed": seed}


async def test_kyc_documents_go_to_r2():
    p = await player()
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    status, _, body = await call("POST", "/v1/kyc/documents", {
        "doc_type": "selfie", "filename": "me.png", "content_type": "image/png",
        "content_base64": base64.b64encode(png).decode()}, p["auth"])  # fmt: skip
    assert status == 201 and body["kyc_status"] == "pending"
    stored = await entry.build_services(env).documents.get(f"kyc/{p['id']}/{body['document_id']}")
    assert stored == png

"""The Worker as the edge runs it: the main module's `Default` constructed per request and its
`fetch` called with a real `Request` (as workerd calls it), the FastAPI app through the `workers`
SDK's ASGI bridge, D1 / KV / R2 from miniflare, the real `WalletDO` and `SessionDO` classes hosted
on Durable Object storage (do_host.mjs), Web Crypto PBKDF2 and PyJWT for accounts."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import sys
import uuid

import js  # type: ignore[import-not-found]
from _conformance_host import env, host, info  # type: ignore[import-not-found]
from pyodide.ffi import to_js  # type: ignore[import-not-found]

from cases.edge_client import STRONG, call, cpf, db, key, player, staff, wallet_call
from infra.cloudflare import R2Bucket
from workers import _EnvWrapper  # type: ignore[import-not-found]


async def test_health_not_found_and_validation_problems():
    assert await call("GET", "/healthz") == (200, "application/json", {"status": "ok"})
    status, media, body = await call("GET", "/v1/nowhere")
    assert (status, media, body["code"]) == (404, "application/problem+json", "not_found")
    status, media, body = await call("POST", "/v1/auth/register", {"email": "x"})
    assert (status, media, body["code"]) == (422, "application/problem+json", "validation_error")
    status, _, body = await call("POST", "/v1/auth/register", "{not json")
    assert status in (400, 422) and body["code"], body
    status, _, body = await call("GET", "/v1/players/me")
    assert (status, body["code"]) == (401, "invalid_token")


async def test_register_login_refresh_and_profile():
    """D1 + Web Crypto PBKDF2 (the hash is stored and checked on the edge) + PyJWT."""
    p = await player()
    status, _, me = await call("GET", "/v1/players/me", headers=p["auth"])
    assert status == 200 and me["player_id"] == p["id"] and me["kyc_status"] == "none"
    row = (
        await db.prepare("SELECT password_hash FROM players WHERE player_id = ?")
        .bind(p["id"])
        .first()
    )
    assert row["password_hash"].startswith("pbkdf2_sha256$100000$")
    status, _, body = await call(
        "POST", "/v1/auth/login", {"email": p["email"], "password": "Wr0ng-Password"}
    )
    assert (status, body["code"]) == (401, "invalid_credentials")
    status, _, body = await call("POST", "/v1/auth/register", {
        "email": p["email"], "password": STRONG, "full_name": "Ana", "birth_date": "1990-01-01",
        "country": "BR", "cpf": cpf(uuid.uuid4().int)})  # fmt: skip
    assert (status, body["code"]) == (409, "email_taken")
    status, _, fresh = await call(
        "POST", "/v1/auth/refresh", {"refresh_token": p["tokens"]["refresh_token"]}
    )
    assert status == 200 and fresh["access_token"] != p["tokens"]["access_token"], fresh
    status, _, body = await call(
        "POST", "/v1/auth/refresh", {"refresh_token": p["tokens"]["refresh_token"]}
    )
    assert (status, body["code"]) == (401, "refresh_token_reused"), body


async def test_deposits_are_idempotent_and_projected_into_d1_by_the_alarm():
    p = await player()
    k = key()
    first = await call(
        "POST", "/v1/wallet/deposits", {"amount": 1500, "method": "pix"}, p["auth"] | k
    )
    again = await call(
        "POST", "/v1/wallet/deposits", {"amount": 1500, "method": "pix"}, p["auth"] | k
    )
    assert first[0] == 201 and first == again, (first, again)
    reused = await call(
        "POST", "/v1/wallet/deposits", {"amount": 1, "method": "pix"}, p["auth"] | k
    )
    assert reused[2]["code"] == "idempotency_key_reused"
    assert (await call("GET", "/v1/wallet", headers=p["auth"]))[2] == {
        "balance": 1500, "currency": "BRL", "last_seq": 1}  # fmt: skip
    await host.settled()
    rows = (
        await db.prepare(
            "SELECT seq, type, amount, balance_after FROM wallet_events WHERE player_id = ?"
        )
        .bind(p["id"])
        .all()
    )
    assert rows == [{"seq": 1, "type": "DEPOSIT", "amount": 1500, "balance_after": 1500}]


async def test_concurrent_withdrawals_cannot_overdraw():
    """Requests interleave at every await; the WalletDO decides and writes each one in one
    synchronous storage transaction, so five 300 withdrawals from 1000 give three, not five."""
    p = await player(verified=True)
    await call("POST", "/v1/wallet/deposits", {"amount": 1000, "method": "pix"}, p["auth"] | key())
    results = await asyncio.gather(*(
        call("POST", "/v1/wallet/withdrawals", {"amount": 300, "method": "pix"}, p["auth"] | key())
        for _ in range(5)
    ))  # fmt: skip
    statuses = sorted(r[0] for r in results)
    assert statuses == [201, 201, 201, 409, 409], results
    assert {r[2]["code"] for r in results if r[0] == 409} == {"insufficient_funds"}
    status, _, wallet = await call("GET", "/v1/wallet", headers=p["auth"])
    assert wallet["balance"] == 100 and wallet["last_seq"] == 4


async def test_a_restarted_wallet_object_rebuilds_from_its_storage():
    p = await player()
    await call("POST", "/v1/wallet/deposits", {"amount": 700, "method": "pix"}, p["auth"] | key())
    env.WALLET.evict(p["id"])  # the instance is gone; its storage stays
    status, _, wallet = await call("GET", "/v1/wallet", headers=p["auth"])
    assert (status, wallet["balance"], wallet["last_seq"]) == (200, 700, 1)
    status, _, page = await call("GET", "/v1/wallet/events?limit=10", headers=p["auth"])
    assert status == 200 and [e["type"] for e in page["events"]] == ["DEPOSIT"]


async def test_a_dice_round_settles_and_projects_the_round_into_d1():
    p = await player(verified=True)
    await call(
        "POST", "/v1/wallet/deposits", {"amount": 10_000, "method": "pix"}, p["auth"] | key()
    )
    status, _, session = await call("POST", "/v1/games/dice/sessions", {}, p["auth"])
    assert status == 201, session
    status, _, played = await call(
        "POST", f"/v1/sessions/{session['session_id']}/rounds",
        {"stake": 100, "params": {"target": 5000}}, p["auth"] | {"idempotency-key": "r1"},
    )  # fmt: skip
    assert status == 201, played
    assert played["balance"] == 10_000 - 100 + played["payout"]
    status, _, reveal = await call(
        "POST", f"/v1/sessions/{session['session_id']}/seed-rotation", {}, p["auth"]
    )
    assert status == 200, reveal
    seed = reveal["revealed_server_seed"]
    assert hashlib.sha256(seed.encode()).hexdigest() == session["server_seed_hash"]
    await host.settled()
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
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    status, _, body = await call("POST", "/v1/kyc/documents", {
        "doc_type": "selfie", "filename": "me.png", "content_type": "image/png",
        "content_base64": base64.b64encode(png).decode()}, p["auth"])  # fmt: skip
    assert status == 201 and body["kyc_status"] == "pending", body
    stored = await R2Bucket(_EnvWrapper(env).DOCUMENTS).get(f"kyc/{p['id']}/{body['document_id']}")
    assert stored == png
    status, _, body = await call("POST", "/v1/kyc/documents", {
        "doc_type": "selfie", "filename": "me.png", "content_type": "image/png",
        "content_base64": base64.b64encode(b"GIF89a").decode()}, p["auth"])  # fmt: skip
    assert (status, body["code"]) == (422, "invalid_document")


async def test_the_cron_handler_runs_the_jobs_of_each_trigger():
    """`Default.scheduled` with a real `ScheduledController`, once for each trigger of
    wrangler.toml: every five minutes, a player due for the national-list re-check is re-checked
    (D1's `exclusion_checked_at`); at 03:00 UTC, yesterday's regulatory report of each
    jurisdiction with players is stored (both formats, their SHA-256) and VIP tiers are
    recomputed from 30 days of wagering."""
    from datetime import UTC, datetime, timedelta

    main = sys.modules[info.mainModule]
    assert callable(getattr(main.Default, "scheduled", None))
    p = await player()
    player_row = (
        "SELECT exclusion_checked_at, cpf_list_hash, vip_tier FROM players WHERE player_id = ?"
    )
    await db.prepare(
        "UPDATE players SET exclusion_checked_at = '2000-01-01T00:00:00Z', vip_tier = 'gold' "
        "WHERE player_id = ?"
    ).bind(p["id"]).run()  # fmt: skip
    before = datetime.now(UTC)
    await host.scheduled("*/5 * * * *")
    checked = await db.prepare(player_row).bind(p["id"]).first()
    assert checked["exclusion_checked_at"] >= before.strftime("%Y-%m-%dT%H:%M"), checked
    assert checked["cpf_list_hash"] and checked["vip_tier"] == "gold", checked

    yesterday = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    stored = (
        "SELECT format, body, sha256 FROM regulatory_reports "
        "WHERE jurisdiction = 'BR' AND day = ? ORDER BY format"
    )
    assert await db.prepare(stored).bind(yesterday).all() == []
    await host.scheduled("0 3 * * *")
    reports = await db.prepare(stored).bind(yesterday).all()
    assert [r["format"] for r in reports] == ["csv", "json"], reports
    assert all(hashlib.sha256(r["body"].encode()).hexdigest() == r["sha256"] for r in reports)
    assert json.loads(reports[1]["body"])["date"] == yesterday
    assert (await db.prepare(player_row).bind(p["id"]).first())["vip_tier"] == "bronze"
    await host.scheduled("0 3 * * *")  # a rerun stores nothing new and changes nothing
    assert await db.prepare(stored).bind(yesterday).all() == reports


async def test_the_daily_report_is_the_same_bytes_twice_and_stored_on_real_d1():
    """The report's queries, its storage (RETURNING, the retention triggers) and the live
    counters' triggers on miniflare's D1, through the Worker's `fetch`."""
    from datetime import UTC, datetime

    import entry  # type: ignore[import-not-found]

    from api import reports

    services = entry.build_services(_EnvWrapper(env))
    auth = await staff("compliance")
    live_before = (await call("GET", "/v1/stats/live"))[2]
    p = await player()
    status, _, _ = await call(
        "POST", "/v1/wallet/deposits", {"amount": 4321, "method": "ted"}, p["auth"] | key()
    )
    assert status == 201
    await host.settled()
    live_after = (await call("GET", "/v1/stats/live"))[2]
    assert live_after["players"] == live_before["players"] + 1
    assert live_after["wallet_events"] == live_before["wallet_events"] + 1

    today = datetime.now(UTC).date()
    path = f"/v1/ops/reports/daily?date={today.isoformat()}&jurisdiction=BR"
    first, again = await call("GET", path, headers=auth), await call("GET", path, headers=auth)
    assert first[0] == 200 and first == again, first
    ted = {m["method"]: m for m in first[2]["payments"]["by_method"]}["ted"]
    assert ted["deposits_amount"] >= 4321
    as_csv = await call("GET", path, headers=auth | {"accept": "text/csv"})
    assert as_csv[0] == 200 and as_csv[1].startswith("text/csv")
    assert as_csv[2].startswith("date,jurisdiction,section,item,metric,value\r\n")
    stored = await reports.store(services, "BR", today)
    assert stored["stored"] == ["csv", "json"], stored
    assert (await reports.store(services, "BR", today))["stored"] == []
    assert await call("GET", path, headers=auth | {"accept": "text/csv"}) == as_csv
    refused = False
    try:
        await db.prepare("DELETE FROM regulatory_reports").run()
    except Exception as error:  # D1_ERROR from the retention trigger
        refused = "never deleted" in str(error)
    assert refused
    status, _, body = await call("GET", "/v1/ops/reports/daily?date=2026-02-30", headers=auth)
    assert (status, body["code"]) == (422, "invalid_date")


async def test_wallet_events_reach_the_fraud_queue_and_its_handler_raises_an_alert():
    """The WalletDO's alarm sends every event to FRAUD_QUEUE after projecting it to D1; the
    Worker's `queue` handler, given a real `MessageBatch`, acks each message once scored and the
    velocity alert is in D1; the same batch again (at least once) raises no second alert; a
    malformed message is retried with a delay, never acked; the alert's action (`hold`) is in
    the player's WalletDO."""
    p = await player()
    host.env.FRAUD_QUEUE.take()
    for _ in range(6):
        status, _, body = await call(
            "POST", "/v1/wallet/deposits", {"amount": 1000, "method": "pix"}, p["auth"] | key()
        )
        assert status == 201, body
    await host.settled()
    sent = [m for m in host.env.FRAUD_QUEUE.take().to_py() if m["player_id"] == p["id"]]
    assert [m["seq"] for m in sent] == [1, 2, 3, 4, 5, 6], sent
    assert sent[0]["event_id"] == f"{p['id']}:1" and sent[0]["type"] == "DEPOSIT"
    for _ in range(2):
        outcomes = (await host.queue(to_js(sent, dict_converter=js.Object.fromEntries))).to_py()
        assert [o["outcome"] for o in outcomes] == ["ack"] * 6, outcomes
    alerts = (
        await db.prepare("SELECT rule, risk, status FROM aml_alerts WHERE player_id = ?")
        .bind(p["id"])
        .all()
    )
    assert alerts == [{"rule": "deposit_velocity", "risk": "high", "status": "open"}], alerts
    # the high alert's action, `hold`, is in the WalletDO (a request for no restriction keeps it)
    held = await wallet_call(p["id"], "aml_restrict", {"player_id": p["id"], "level": None})
    assert held == {"status": 200, "body": {"restriction": "hold"}}, held
    broken = to_js([{"event_id": "x"}], dict_converter=js.Object.fromEntries)
    [outcome] = (await host.queue(broken, 3)).to_py()
    assert outcome["outcome"] == "retry" and outcome["delaySeconds"] == 4, outcome
    host.takeAlarmFailures()


async def test_cloudflares_country_puts_a_request_under_brazil_whatever_the_client_says():
    """`request.cf.country` (set here as workerd sets it) decides, not a header the client sent
    nor the country it typed."""
    init = {
        "method": "POST",
        "headers": {"content-type": "application/json", "cf-ipcountry": "US"},
        "body": json.dumps({
            "email": f"us-{uuid.uuid4().hex[:8]}@example.com", "password": STRONG,
            "full_name": "Joe", "birth_date": "1990-01-01", "country": "US"}),
    }  # fmt: skip
    request = js.Request.new(
        "https://casino.test/v1/auth/register", to_js(init, dict_converter=js.Object.fromEntries)
    )
    js.Object.defineProperty(
        request, "cf", to_js({"value": {"country": "BR"}}, dict_converter=js.Object.fromEntries)
    )
    response = await host.fetch(request)
    body = json.loads(await response.text())
    assert (int(response.status), body["code"]) == (422, "invalid_cpf"), body


async def fetch_with_headers(method: str, path: str, body=None, headers=None):
    init = {"method": method, "headers": {"content-type": "application/json", **(headers or {})}}
    if body is not None:
        init["body"] = json.dumps(body)
    request = js.Request.new(
        f"https://casino.test{path}", to_js(init, dict_converter=js.Object.fromEntries)
    )
    response = await host.fetch(request)
    text = await response.text()
    media = str(response.headers.get("content-type") or "")
    names = ("x-content-type-options", "referrer-policy", "x-frame-options",
             "content-security-policy", "strict-transport-security", "cache-control", "retry-after")  # fmt: skip
    found = {n: str(response.headers.get(n)) for n in names if response.headers.has(n)}
    return int(response.status), found, (json.loads(text) if text and "json" in media else text)


async def test_staff_log_in_with_totp_on_the_edge_and_roles_are_enforced():
    """Web Crypto AES-GCM seals the TOTP secret in D1, pyotp checks the code, the permission
    table answers 403 to a role without the right."""
    import entry  # type: ignore[import-not-found]
    import pyotp

    from api.staff import CLI_ACTOR, create_staff

    services = entry.build_services(_EnvWrapper(env))
    admin_email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
    admin = await create_staff(services, CLI_ACTOR, admin_email, STRONG, "admin")
    stored = (
        await db.prepare("SELECT secret_enc FROM mfa_totp WHERE subject = ?")
        .bind(admin["staff_id"])
        .first()
    )
    assert stored["secret_enc"].startswith("v1.")
    assert admin["otpauth_uri"].split("secret=")[1].split("&")[0] not in stored["secret_enc"]
    status, _, body = await call(
        "POST", "/v1/auth/login", {"email": admin_email, "password": STRONG}
    )
    assert (status, body["code"]) == (401, "mfa_required"), body
    otp = pyotp.parse_uri(admin["otpauth_uri"]).now()
    status, _, tokens = await call(
        "POST", "/v1/auth/login", {"email": admin_email, "password": STRONG, "otp": otp}
    )
    assert status == 200, tokens
    auth = {"authorization": f"Bearer {tokens['access_token']}"}
    ops_email = f"ops-{uuid.uuid4().hex[:8]}@example.com"
    status, _, made = await call("POST", "/v1/ops/staff", {
        "email": ops_email, "password": STRONG, "role": "operator"}, headers=auth)  # fmt: skip
    assert status == 201, made
    status, _, ops = await call("POST", "/v1/auth/login", {
        "email": ops_email, "password": STRONG,
        "otp": pyotp.parse_uri(made["otpauth_uri"]).now()})  # fmt: skip
    assert status == 200, ops
    ops_auth = {"authorization": f"Bearer {ops['access_token']}"}
    status, _, body = await call("GET", "/v1/ops/staff", headers=ops_auth)
    assert (status, body["code"]) == (403, "forbidden")
    status, _, body = await call("GET", "/v1/ops/games/dice/stats", headers=ops_auth)
    assert status == 200, body


async def test_the_worker_sends_the_security_headers_and_hsts_over_https():
    status, headers, _ = await fetch_with_headers("GET", "/healthz")
    assert status == 200
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer" and headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["strict-transport-security"].startswith("max-age=")
    assert headers["cache-control"] == "no-store"
    status, headers, page = await fetch_with_headers("GET", "/docs")
    assert status == 200 and "/swagger-ui/swagger-ui-bundle.js" in page
    assert "script-src 'self'" in headers["content-security-policy"]
    status, headers, body = await fetch_with_headers("GET", "/v1/nowhere")
    assert status == 404 and headers["x-content-type-options"] == "nosniff"


async def test_a_burst_of_wrong_passwords_is_throttled_by_one_d1_statement():
    p = await player()
    answers = await asyncio.gather(*(
        fetch_with_headers("POST", "/v1/auth/login", {"email": p["email"], "password": f"W{i}x"})
        for i in range(20)
    ))  # fmt: skip
    statuses = [status for status, _, _ in answers]
    assert statuses.count(401) <= 5 and statuses.count(429) >= 15, statuses
    assert all(h.get("retry-after", "").isdigit() for s, h, _ in answers if s == 429)

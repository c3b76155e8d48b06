"""Staff security on the local runtime, in-process: the permission table covers every operator
route, the throttles count per address for non-loopback clients and back off exponentially, the
second factor's secret is sealed at rest, and staff e-mails stay apart from players' in D1."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from api.permissions import ALLOWED, Permission
from api.routes import ops
from casino.throttle import ACCOUNT_LOGIN, ADDRESS_LOGIN, ADDRESS_REGISTRATION
from local_runtime.server import LocalGateway

from .conftest import STRONG, cpf_for, create_staff, register_and_login, staff_login, totp_now

pytestmark = pytest.mark.anyio


class FakeClock:
    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def now(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


def _permissions_of(route) -> list[Permission]:
    found = []
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if hasattr(dep.call, "permission"):
            found.append(dep.call.permission)
        stack.extend(dep.dependencies)
    return found


def test_every_operator_route_names_exactly_one_permission():
    routes = [r for r in ops.router.routes if hasattr(r, "dependant")]
    assert len(routes) >= 15
    for route in routes:
        assert len(_permissions_of(route)) == 1, (route.path, route.methods)


def test_the_table_gives_admin_everything_and_bonuses_and_staff_to_admin_only():
    assert all("admin" in roles for roles in ALLOWED.values())
    assert ALLOWED[Permission.BONUSES] == {"admin"} and ALLOWED[Permission.STAFF] == {"admin"}
    assert ALLOWED[Permission.AML_ALERTS] == {"compliance", "admin"}
    assert ALLOWED[Permission.KYC_DECIDE] == {"kyc_reviewer", "admin"}
    assert ALLOWED[Permission.WALLET_AUDIT] == {"compliance", "operator", "admin"}
    assert ALLOWED[Permission.EXCLUSION_LIST] == {"operator", "admin"}


async def _client_from(runtime, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=LocalGateway(runtime), client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


def _registration(n: int) -> dict:
    return {"email": f"r{n}-{id(object())}@example.com", "password": STRONG, "full_name": "Ana",
            "birth_date": "1990-01-01", "country": "BR", "cpf": cpf_for(7_000_000 + n)}  # fmt: skip


async def test_registrations_are_throttled_per_address_but_not_from_loopback(runtime, client):
    free = ADDRESS_REGISTRATION.free_attempts
    async with await _client_from(runtime, "203.0.113.7") as remote:
        answers = [await remote.post("/v1/auth/register", json=_registration(i))
                   for i in range(free + 2)]  # fmt: skip
    assert [r.status_code for r in answers[:free]] == [201] * free
    assert answers[free].status_code == 429 and answers[free].json()["code"] == "rate_limited"
    assert int(answers[free].headers["Retry-After"]) >= 1
    async with await _client_from(runtime, "203.0.113.8") as elsewhere:
        assert (
            await elsewhere.post("/v1/auth/register", json=_registration(100))
        ).status_code == 201
    # The suite's own client is 127.0.0.1: never counted per address on the local runtime.
    for i in range(free + 2):
        assert (
            await client.post("/v1/auth/register", json=_registration(200 + i))
        ).status_code == 201


async def test_failed_logins_are_throttled_per_address_across_accounts(runtime):
    runtime.services.clock = clock = FakeClock()
    async with await _client_from(runtime, "198.51.100.4") as remote:
        emails = [f"nobody-{i}@example.com" for i in range(ADDRESS_LOGIN.free_attempts + 1)]
        answers = await asyncio.gather(*(
            remote.post("/v1/auth/login", json={"email": e, "password": "Wr0ng-passw0rd"})
            for e in emails
        ))  # fmt: skip
        statuses = [r.status_code for r in answers]
        assert statuses.count(401) == ADDRESS_LOGIN.free_attempts, statuses
        assert statuses.count(429) == 1
        clock.advance(ADDRESS_LOGIN.base_ms / 1000)
        r = await remote.post("/v1/auth/login", json={"email": emails[0], "password": "x"})
        assert r.status_code == 401


async def test_the_account_back_off_doubles_and_the_owner_gets_in_after_it(runtime, client):
    player = await register_and_login(client)
    runtime.services.clock = clock = FakeClock()
    wrong = {"email": player["email"], "password": "Wr0ng-passw0rd"}
    for _ in range(ACCOUNT_LOGIN.free_attempts):
        assert (await client.post("/v1/auth/login", json=wrong)).status_code == 401
    waits = []
    for _ in range(4):
        refused = await client.post("/v1/auth/login", json=wrong)
        assert refused.status_code == 429
        waits.append(int(refused.headers["Retry-After"]))
        clock.advance(waits[-1])
        assert (await client.post("/v1/auth/login", json=wrong)).status_code == 401
    base = ACCOUNT_LOGIN.base_ms // 1000
    assert waits == [base, 2 * base, 4 * base, 8 * base]
    right = {"email": player["email"], "password": STRONG}
    assert (await client.post("/v1/auth/login", json=right)).status_code == 429
    clock.advance(16 * base)
    assert (await client.post("/v1/auth/login", json=right)).status_code == 200
    # Forgotten after success: five fresh failures before any wait.
    for _ in range(ACCOUNT_LOGIN.free_attempts):
        assert (await client.post("/v1/auth/login", json=wrong)).status_code == 401


async def test_the_back_off_is_capped_and_forgotten_after_an_hour(runtime, client):
    player = await register_and_login(client)
    runtime.services.clock = clock = FakeClock()
    wrong = {"email": player["email"], "password": "Wr0ng-passw0rd"}
    for _ in range(30):
        r = await client.post("/v1/auth/login", json=wrong)
        if r.status_code == 429:
            assert int(r.headers["Retry-After"]) <= ACCOUNT_LOGIN.max_ms // 1000
            clock.advance(int(r.headers["Retry-After"]))
    clock.advance(ACCOUNT_LOGIN.forget_ms / 1000)
    right = {"email": player["email"], "password": STRONG}
    assert (await client.post("/v1/auth/login", json=right)).status_code == 200


async def test_totp_secrets_are_sealed_at_rest_and_never_logged(runtime, client, caplog):
    staff = await staff_login(client, runtime, "operator")
    secret = staff["otpauth_uri"].split("secret=")[1].split("&")[0]
    rows = await runtime.services.db.prepare("SELECT secret_enc FROM mfa_totp").all()
    assert rows and all(secret not in r["secret_enc"] for r in rows)
    assert all(r["secret_enc"].startswith("v1.") for r in rows)
    codes = await runtime.services.db.prepare("SELECT code_hash FROM recovery_codes").all()
    assert not {c.replace("-", "") for c in staff["recovery_codes"]} & {
        r["code_hash"] for r in codes
    }
    assert secret not in caplog.text and STRONG not in caplog.text


async def test_d1_refuses_a_player_row_with_a_staff_email_whatever_writes_it(runtime):
    await create_staff(runtime, "boss@example.com", "admin")
    from infra.ports import ConstraintViolation

    with pytest.raises(ConstraintViolation):
        await runtime.services.db.prepare(
            "INSERT INTO players (player_id, email, password_hash, full_name, birth_date, "
            "country, jurisdiction, created_at) VALUES ('p', 'boss@example.com', 'h', 'n', "
            "'1990-01-01', 'BR', 'BR', 'now')"
        ).run()


async def test_a_staff_code_is_accepted_once_even_by_parallel_logins(runtime, client):
    created = await create_staff(runtime, "twice@example.com", "compliance")
    body = {"email": "twice@example.com", "password": STRONG,
            "otp": totp_now(created["otpauth_uri"])}  # fmt: skip
    answers = await asyncio.gather(*(client.post("/v1/auth/login", json=body) for _ in range(4)))
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [200, 401, 401, 401], [r.text for r in answers]


async def test_a_staff_login_is_audited_with_its_role(runtime, client):
    staff = await staff_login(client, runtime, "kyc_reviewer")
    rows = await (
        runtime.services.db.prepare("SELECT actor_role, action FROM audit_log WHERE actor_id = ?")
        .bind(staff["staff_id"])
        .all()
    )
    assert {"actor_role": "kyc_reviewer", "action": "auth.login"} in rows

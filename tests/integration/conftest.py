"""The app on the local runtime, in-process, through httpx. Migrations are applied once with the
real wrangler to a template state, copied for each test."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import httpx
import pytest

from local_runtime.paths import WranglerConfig
from local_runtime.runtime import apply_migrations, build
from local_runtime.server import LocalGateway

STRONG = "Str0ng-Passw0rd!x"


@pytest.fixture(scope="session")
def template_state(tmp_path_factory) -> Path:
    state = tmp_path_factory.mktemp("template") / "state"
    state.mkdir()
    apply_migrations(state, WranglerConfig.load())
    return state


@pytest.fixture
def state(template_state, tmp_path) -> Path:
    target = tmp_path / "state"
    shutil.copytree(template_state, target)
    return target


@pytest.fixture
def runtime(state):
    rt = build(state)
    yield rt
    rt.close()


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
async def client(runtime):
    transport = httpx.ASGITransport(app=LocalGateway(runtime), client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c
    await runtime.wallets.drain()


def cpf_for(n: int) -> str:
    from casino.cpf import _check_digit

    base = f"{n % 10**9:09d}"
    if len(set(base)) == 1:
        base = "12345678" + base[-1]
    first = _check_digit(base)
    return base + str(first) + str(_check_digit(base + str(first)))


async def register_and_login(client: httpx.AsyncClient, **overrides) -> dict:
    email = overrides.pop("email", f"p-{uuid.uuid4().hex[:12]}@example.com")
    body = {
        "email": email,
        "password": STRONG,
        "full_name": "Ana Souza",
        "birth_date": "1990-01-01",
        "country": "BR",
        "cpf": cpf_for(uuid.uuid4().int),
    } | overrides
    r = await client.post("/v1/auth/register", json=body)
    assert r.status_code == 201, r.text
    login = await client.post("/v1/auth/login", json={"email": email, "password": STRONG})
    assert login.status_code == 200, login.text
    tokens = login.json()
    return {
        "player_id": r.json()["player_id"],
        "email": email,
        "cpf": body["cpf"],
        "tokens": tokens,
        "headers": {"Authorization": f"Bearer {tokens['access_token']}"},
    }


async def verify_player(runtime, player_id: str) -> None:
    await (
        runtime.services.db.prepare(
            "UPDATE players SET kyc_status = 'verified' WHERE player_id = ?"
        )
        .bind(player_id)
        .run()
    )


def totp_now(otpauth_uri: str, at: float | None = None) -> str:
    """The current code of a TOTP factor from its otpauth URI (as an authenticator app does)."""
    import time

    import pyotp

    return pyotp.parse_uri(otpauth_uri).at(time.time() if at is None else at)


async def create_staff(runtime, email: str, role: str, password: str = STRONG) -> dict:
    from api.staff import CLI_ACTOR
    from api.staff import create_staff as create

    return await create(runtime.services, CLI_ACTOR, email, password, role)


async def staff_login(client, runtime, role: str = "admin", email: str | None = None) -> dict:
    """A staff member of `role`, logged in with password and TOTP: their headers, id and factor."""
    email = email or f"{role}-{uuid.uuid4().hex[:8]}@example.com"
    created = await create_staff(runtime, email, role)
    r = await client.post(
        "/v1/auth/login",
        json={"email": email, "password": STRONG, "otp": totp_now(created["otpauth_uri"])},
    )
    assert r.status_code == 200, r.text
    return {
        **created,
        "tokens": r.json(),
        "headers": {"Authorization": f"Bearer {r.json()['access_token']}"},
    }

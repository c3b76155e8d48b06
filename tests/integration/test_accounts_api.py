from __future__ import annotations

import jwt
import pytest

from .conftest import STRONG, cpf_for, register_and_login

pytestmark = pytest.mark.anyio


def body(**changes):
    return {
        "email": "ana@example.com", "password": STRONG, "full_name": "Ana",
        "birth_date": "1990-01-01", "country": "BR", "cpf": "529.982.247-25",
    } | changes  # fmt: skip


async def test_registration_refuses_a_taken_email_and_a_taken_cpf(client):
    assert (await client.post("/v1/auth/register", json=body())).status_code == 201
    again = await client.post("/v1/auth/register", json=body(cpf=cpf_for(7)))
    assert again.status_code == 409 and again.json()["code"] == "email_taken"
    same_cpf = await client.post("/v1/auth/register", json=body(email="b@example.com"))
    assert same_cpf.status_code == 409 and same_cpf.json()["code"] == "cpf_taken"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"cpf": "529.982.247-26"}, "invalid_cpf"),
        ({"cpf": None}, "invalid_cpf"),
        ({"birth_date": "2015-01-01"}, "underage"),
        ({"password": "short"}, "weak_password"),
    ],
)
async def test_registration_errors_have_their_contract_codes(client, changes, code):
    r = await client.post("/v1/auth/register", json=body(**changes))
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == code and r.json()["status"] == 422


async def test_login_answers_the_same_for_unknown_email_and_wrong_password(client):
    await client.post("/v1/auth/register", json=body())
    wrong = await client.post("/v1/auth/login", json={"email": "ana@example.com", "password": "x"})
    unknown = await client.post("/v1/auth/login", json={"email": "no@example.com", "password": "x"})
    assert wrong.status_code == unknown.status_code == 401
    assert {k: v for k, v in wrong.json().items()} == unknown.json()


async def test_access_tokens_carry_the_contract_claims(client, runtime):
    player = await register_and_login(client)
    claims = jwt.decode(
        player["tokens"]["access_token"], runtime.services.settings.jwt_secret, ["HS256"]
    )
    assert {"sub", "role", "exp", "iat", "jti"} <= claims.keys()
    assert claims["role"] == "player" and claims["exp"] - claims["iat"] == 900


async def test_five_failures_lock_the_account_with_retry_after(client):
    await client.post("/v1/auth/register", json=body())
    for _ in range(5):
        r = await client.post("/v1/auth/login", json={"email": "ana@example.com", "password": "x"})
        assert r.status_code == 401
    locked = await client.post(
        "/v1/auth/login", json={"email": "ana@example.com", "password": STRONG}
    )
    assert locked.status_code == 429 and locked.json()["code"] == "rate_limited"
    assert 1 <= int(locked.headers["Retry-After"]) <= 900


async def test_refresh_rotates_and_reuse_revokes_the_whole_login(client):
    player = await register_and_login(client)
    first = player["tokens"]["refresh_token"]
    rotated = await client.post("/v1/auth/refresh", json={"refresh_token": first})
    assert rotated.status_code == 200 and rotated.json()["refresh_token"] != first
    reused = await client.post("/v1/auth/refresh", json={"refresh_token": first})
    assert reused.status_code == 401 and reused.json()["code"] == "refresh_token_reused"
    newest = await client.post(
        "/v1/auth/refresh", json={"refresh_token": rotated.json()["refresh_token"]}
    )
    assert newest.status_code == 401
    me = await client.get(
        "/v1/players/me", headers={"Authorization": f"Bearer {rotated.json()['access_token']}"}
    )
    assert me.status_code == 401 and me.json()["code"] == "invalid_token"


async def test_logout_ends_the_login(client):
    player = await register_and_login(client)
    out = await client.post(
        "/v1/auth/logout", json={"refresh_token": player["tokens"]["refresh_token"]}
    )
    assert out.status_code == 204
    again = await client.post(
        "/v1/auth/refresh", json={"refresh_token": player["tokens"]["refresh_token"]}
    )
    assert again.status_code == 401


async def test_me_shows_the_profile_with_kyc_status_and_vip_tier(client):
    player = await register_and_login(client)
    me = (await client.get("/v1/players/me", headers=player["headers"])).json()
    assert me["player_id"] == player["player_id"] and me["kyc_status"] == "none"
    assert me["vip_tier"] == "bronze" and me["created_at"].endswith("Z")
    assert "password_hash" not in me and "cpf" not in me


async def test_an_expired_token_is_token_expired(client, runtime):
    player = await register_and_login(client)
    claims = jwt.decode(
        player["tokens"]["access_token"], runtime.services.settings.jwt_secret, ["HS256"]
    )
    expired = jwt.encode(
        claims | {"exp": claims["iat"] - 1}, runtime.services.settings.jwt_secret, "HS256"
    )
    r = await client.get("/v1/players/me", headers={"Authorization": f"Bearer {expired}"})
    assert r.status_code == 401 and r.json()["code"] == "token_expired"


async def test_a_bet_br_host_applies_brazils_rules_to_any_country(client):
    body = {"email": "host@example.com", "password": STRONG, "full_name": "Ana",
            "birth_date": "1990-01-01", "country": "PT"}  # fmt: skip
    r = await client.post("/v1/auth/register", json=body, headers={"host": "api.casa.bet.br"})
    assert r.status_code == 422 and r.json()["code"] == "invalid_cpf"
    assert (await client.post("/v1/auth/register", json=body)).status_code == 201

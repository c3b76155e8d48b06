"""Accounts: register, login and its rate limit, refresh rotation and reuse, logout, /me."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, date, datetime, timedelta

import pytest

from .support import (
    STRONG_PASSWORD,
    assert_problem,
    assert_rfc3339_utc,
    invalid_cpf_from,
    is_valid_cpf,
    new_cpf,
    new_email,
    punctuate_cpf,
)


def registration(**overrides) -> dict:
    return {
        "email": new_email(),
        "password": STRONG_PASSWORD,
        "full_name": "Ana Souza",
        "birth_date": "1990-01-01",
        "country": "BR",
        "cpf": new_cpf(),
    } | overrides


def b64url_json(segment: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def years_ago(years: int, today: date) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


# ---------------------------------------------------------------- the CPF helper itself


def test_the_suite_cpf_generator_follows_the_domain_check_digits():
    assert is_valid_cpf("529.982.247-25")
    assert not is_valid_cpf("529.982.247-26")
    assert not is_valid_cpf("111.111.111-11")
    assert all(is_valid_cpf(new_cpf()) for _ in range(50))


# ---------------------------------------------------------------- register


def test_register_returns_201_with_a_player_id(client):
    r = client.post("/v1/auth/register", json=registration())
    assert r.status_code == 201, r.text
    body = r.json()
    assert isinstance(body["player_id"], str) and body["player_id"]


def test_register_accepts_a_punctuated_cpf(client):
    r = client.post("/v1/auth/register", json=registration(cpf=punctuate_cpf(new_cpf())))
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(
    "cpf",
    [
        "wrong-check-digit",
        "11111111111",
        "00000000000",
        "1234567890",
        "123456789012",
        "abcdefghijk",
    ],
    ids=["bad-check-digit", "all-ones", "all-zeros", "ten-digits", "twelve-digits", "letters"],
)
def test_register_refuses_an_invalid_cpf(client, cpf):
    if cpf == "wrong-check-digit":
        cpf = invalid_cpf_from(new_cpf())
    r = client.post("/v1/auth/register", json=registration(cpf=cpf))
    assert_problem(r, 422, {"invalid_cpf"})


def test_register_requires_a_cpf_in_brazil(client):
    body = registration()
    del body["cpf"]
    r = client.post("/v1/auth/register", json=body)
    assert_problem(r, 422, {"invalid_cpf", "validation_error"})


def test_register_refuses_a_player_who_turns_18_tomorrow(client):
    today = datetime.now(UTC).date()
    birth = years_ago(18, today) + timedelta(days=1)
    r = client.post("/v1/auth/register", json=registration(birth_date=birth.isoformat()))
    assert_problem(r, 422, "underage")


def test_register_refuses_a_child(client):
    birth = years_ago(10, datetime.now(UTC).date())
    r = client.post("/v1/auth/register", json=registration(birth_date=birth.isoformat()))
    assert_problem(r, 422, "underage")


def test_register_accepts_a_player_who_turned_18_today(client):
    today = datetime.now(UTC).date()
    if today.month == 2 and today.day == 29:
        pytest.skip("birthday boundary is ambiguous on 29 February")
    r = client.post(
        "/v1/auth/register", json=registration(birth_date=years_ago(18, today).isoformat())
    )
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(
    "password",
    ["Sh0rt!", "abcdefghijklmnop", "1234567890123", "abcd12345", "!!!!!!!!!!!!!!"],
    ids=["too-short", "no-digit", "no-letter", "nine-chars", "symbols-only"],
)
def test_register_refuses_a_weak_password(client, password):
    r = client.post("/v1/auth/register", json=registration(password=password))
    assert_problem(r, 422, "weak_password")


def test_register_accepts_a_ten_character_password_with_a_letter_and_a_digit(client):
    r = client.post("/v1/auth/register", json=registration(password="kiwi7tapir"))
    assert r.status_code == 201, r.text


def test_register_refuses_a_taken_email(client):
    first = registration()
    assert client.post("/v1/auth/register", json=first).status_code == 201
    r = client.post("/v1/auth/register", json=registration(email=first["email"]))
    assert_problem(r, 409, "email_taken")


def test_register_refuses_a_taken_cpf_in_any_formatting(client):
    first = registration()
    assert client.post("/v1/auth/register", json=first).status_code == 201
    r = client.post("/v1/auth/register", json=registration(cpf=first["cpf"]))
    assert_problem(r, 409, "cpf_taken")
    r = client.post("/v1/auth/register", json=registration(cpf=punctuate_cpf(first["cpf"])))
    assert_problem(r, 409, "cpf_taken")


@pytest.mark.parametrize(
    "override",
    [
        {"birth_date": "01/01/1990"},
        {"birth_date": "1990-02-30"},
        {"country": "Brazil"},
        {"email": "not-an-email"},
        {"full_name": ""},
        {"email": None},
    ],
    ids=[
        "birth-date-format",
        "impossible-date",
        "country-not-alpha2",
        "email",
        "empty-name",
        "null",
    ],
)
def test_register_refuses_malformed_fields_with_validation_error(client, override):
    r = client.post("/v1/auth/register", json=registration(**override))
    assert_problem(r, 422, "validation_error")


def test_register_refuses_a_missing_field_with_validation_error(client):
    body = registration()
    del body["password"]
    assert_problem(client.post("/v1/auth/register", json=body), 422, "validation_error")


# ---------------------------------------------------------------- login


def test_login_returns_a_bearer_pair_with_a_15_minute_hs256_jwt(client, register_player):
    p = register_player()
    r = client.post("/v1/auth/login", json={"email": p.email, "password": p.password})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    assert isinstance(body["refresh_token"], str) and body["refresh_token"]
    header, payload, signature = body["access_token"].split(".")
    assert b64url_json(header)["alg"] == "HS256"
    claims = b64url_json(payload)
    assert claims["sub"] == p.player_id
    assert claims["role"] == "player"
    assert isinstance(claims["jti"], str) and claims["jti"]
    assert claims["exp"] - claims["iat"] == 900
    assert abs(claims["iat"] - datetime.now(UTC).timestamp()) < 120
    assert signature


def test_two_logins_get_distinct_tokens(login, register_player):
    p = register_player()
    a, b = login(p.email, p.password), login(p.email, p.password)
    assert a["refresh_token"] != b["refresh_token"]
    assert a["access_token"] != b["access_token"]


def test_login_answers_unknown_email_and_wrong_password_identically(client, register_player):
    p = register_player()
    wrong = client.post("/v1/auth/login", json={"email": p.email, "password": "Wr0ng-password"})
    unknown = client.post(
        "/v1/auth/login", json={"email": new_email(), "password": "Wr0ng-password"}
    )
    a = assert_problem(wrong, 401, "invalid_credentials")
    b = assert_problem(unknown, 401, "invalid_credentials")
    keys = ("type", "title", "status", "detail", "code")
    assert {k: a[k] for k in keys} == {k: b[k] for k in keys}


def test_login_refuses_a_malformed_body_with_validation_error(client):
    assert_problem(client.post("/v1/auth/login", json={"email": new_email()}), 422)


def test_login_is_rate_limited_after_five_failures_even_with_the_right_password(
    client, register_player
):
    p = register_player()
    for _ in range(5):
        r = client.post("/v1/auth/login", json={"email": p.email, "password": "Wr0ng-password"})
        assert_problem(r, 401, "invalid_credentials")
    r = client.post("/v1/auth/login", json={"email": p.email, "password": p.password})
    assert_problem(r, 429, "rate_limited")
    retry_after = r.headers.get("Retry-After")
    assert retry_after is not None and retry_after.isdigit(), r.headers
    assert 0 < int(retry_after) <= 15 * 60


def test_the_rate_limit_of_one_account_does_not_lock_another(client, register_player, login):
    locked, other = register_player(), register_player()
    for _ in range(5):
        client.post("/v1/auth/login", json={"email": locked.email, "password": "Wr0ng-passw0rd"})
    assert (
        client.post(
            "/v1/auth/login", json={"email": locked.email, "password": locked.password}
        ).status_code
        == 429
    )
    assert login(other.email, other.password)["access_token"]


# ---------------------------------------------------------------- refresh and logout


def test_refresh_rotates_the_pair_and_the_new_access_token_works(client, player, auth):
    p = player()
    r = client.post("/v1/auth/refresh", json={"refresh_token": p.refresh_token})
    assert r.status_code == 200, r.text
    pair = r.json()
    assert pair["token_type"] == "bearer" and pair["expires_in"] == 900
    assert pair["refresh_token"] != p.refresh_token
    me = client.get("/v1/players/me", headers=auth(pair["access_token"]))
    assert me.status_code == 200 and me.json()["player_id"] == p.player_id


def test_reusing_a_refresh_token_revokes_the_whole_login(client, player, login):
    p = player()
    other_login = login(p.email, p.password)
    first = client.post("/v1/auth/refresh", json={"refresh_token": p.refresh_token})
    assert first.status_code == 200, first.text
    newest = first.json()["refresh_token"]
    reused = client.post("/v1/auth/refresh", json={"refresh_token": p.refresh_token})
    assert_problem(reused, 401, "refresh_token_reused")
    after = client.post("/v1/auth/refresh", json={"refresh_token": newest})
    assert_problem(after, 401, {"invalid_token", "refresh_token_reused"})
    # another login of the same player is a different family and keeps working
    unaffected = client.post(
        "/v1/auth/refresh", json={"refresh_token": other_login["refresh_token"]}
    )
    assert unaffected.status_code == 200, unaffected.text


@pytest.mark.parametrize("token", ["garbage", "a.b.c"], ids=["garbage", "jwt-shape"])
def test_refresh_with_an_unknown_token_is_invalid_token(client, token):
    assert_problem(
        client.post("/v1/auth/refresh", json={"refresh_token": token}), 401, "invalid_token"
    )


def test_refresh_with_an_empty_token_is_refused(client):
    r = client.post("/v1/auth/refresh", json={"refresh_token": ""})
    if r.status_code == 422:
        assert_problem(r, 422, "validation_error")
    else:
        assert_problem(r, 401, "invalid_token")


def test_an_access_token_is_not_a_refresh_token(client, player):
    p = player()
    r = client.post("/v1/auth/refresh", json={"refresh_token": p.access_token})
    assert_problem(r, 401, "invalid_token")


def test_refresh_without_the_field_is_a_validation_error(client):
    assert_problem(client.post("/v1/auth/refresh", json={}), 422, "validation_error")


def test_logout_returns_204_and_revokes_the_refresh_token(client, player):
    p = player()
    r = client.post("/v1/auth/logout", json={"refresh_token": p.refresh_token}, headers=p.headers)
    assert r.status_code == 204, r.text
    assert r.content == b""
    again = client.post("/v1/auth/refresh", json={"refresh_token": p.refresh_token})
    assert_problem(again, 401)


# ---------------------------------------------------------------- /v1/players/me


def test_me_describes_the_new_player(client, player):
    before = datetime.now(UTC)
    p = player(full_name="Maria da Silva")
    r = client.get("/v1/players/me", headers=p.headers)
    assert r.status_code == 200, r.text
    me = r.json()
    assert me["player_id"] == p.player_id
    assert me["email"] == p.email
    assert me["full_name"] == "Maria da Silva"
    assert me["country"] == "BR"
    assert me["kyc_status"] == "none"
    assert me["vip_tier"] == "bronze"
    created = assert_rfc3339_utc(me["created_at"])
    assert before - timedelta(minutes=5) <= created <= datetime.now(UTC) + timedelta(minutes=5)
    assert not any("password" in key.lower() for key in me), me


def test_me_without_a_token_is_invalid_token(client):
    assert_problem(client.get("/v1/players/me"), 401, "invalid_token")


@pytest.mark.parametrize(
    "authorization",
    ["Bearer garbage", "Bearer", "Basic dXNlcjpwYXNz", "garbage"],
    ids=["garbage", "empty", "basic", "no-scheme"],
)
def test_me_with_a_bad_authorization_header_is_invalid_token(client, authorization):
    r = client.get("/v1/players/me", headers={"Authorization": authorization})
    assert_problem(r, 401, "invalid_token")


def test_a_token_with_a_tampered_role_is_refused(client, player):
    p = player()
    header, payload, signature = p.access_token.split(".")
    claims = b64url_json(payload) | {"role": "admin"}
    forged = ".".join([header, b64url(json.dumps(claims).encode()), signature])
    assert_problem(
        client.get("/v1/players/me", headers={"Authorization": f"Bearer {forged}"}),
        401,
        "invalid_token",
    )
    assert_problem(
        client.get("/v1/ops/kyc", headers={"Authorization": f"Bearer {forged}"}),
        401,
        "invalid_token",
    )


def test_a_token_signed_with_another_key_or_no_algorithm_is_refused(client, player):
    p = player()
    _, payload, _ = p.access_token.split(".")
    signing_input = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + payload
    wrong_key = hmac.new(b"not-the-secret", signing_input.encode(), hashlib.sha256).digest()
    none_token = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode()) + "." + payload + "."
    for token in (signing_input + "." + b64url(wrong_key), none_token):
        r = client.get("/v1/players/me", headers={"Authorization": f"Bearer {token}"})
        assert_problem(r, 401, "invalid_token")

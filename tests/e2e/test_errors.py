"""Problem details everywhere: malformed input, unknown paths and methods, oversize bodies,
authentication and authorisation, no leaks, 404 for other players' resources; the OpenAPI doc."""

from __future__ import annotations

import json
import uuid

import pytest

from .support import STRONG_PASSWORD, assert_problem, idem, new_cpf, new_email

PLAYER_ENDPOINTS = [
    ("GET", "/v1/players/me"),
    ("GET", "/v1/wallet"),
    ("GET", "/v1/wallet/events"),
    ("POST", "/v1/wallet/deposits"),
    ("POST", "/v1/wallet/withdrawals"),
    ("POST", "/v1/kyc/documents"),
]
OPS_ENDPOINTS = [
    ("GET", "/v1/ops/kyc?status=pending"),
    ("POST", "/v1/ops/kyc/{player_id}/decision"),
    ("GET", "/v1/ops/players/{player_id}/wallet/audit"),
]
CONTRACT_PATHS = {
    "/v1/auth/register": "post",
    "/v1/auth/login": "post",
    "/v1/auth/refresh": "post",
    "/v1/auth/logout": "post",
    "/v1/players/me": "get",
    "/v1/wallet": "get",
    "/v1/wallet/deposits": "post",
    "/v1/wallet/withdrawals": "post",
    "/v1/wallet/events": "get",
    "/v1/kyc/documents": "post",
    "/v1/ops/kyc": "get",
    "/v1/ops/kyc/{player_id}/decision": "post",
    "/v1/ops/players/{player_id}/wallet/audit": "get",
}
JSON = {"Content-Type": "application/json"}


# ---------------------------------------------------------------- malformed requests


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b'{"email": "a@example.com",}', b"\xff\xfe\x00garbage", b'{"a": '],
    ids=["not-json", "trailing-comma", "binary", "truncated"],
)
def test_malformed_json_is_400_malformed_request(client, raw):
    r = client.post("/v1/auth/register", content=raw, headers=JSON)
    assert_problem(r, 400, "malformed_request")


def test_malformed_json_on_a_deposit_is_400_and_moves_nothing(client, player, wallet):
    p = player()
    r = client.post("/v1/wallet/deposits", content=b'{"amount": 1', headers=p.with_key() | JSON)
    assert_problem(r, 400, "malformed_request")
    assert wallet(p)["balance"] == 0


@pytest.mark.parametrize("body", ["[]", "null", "42", '"text"'])
def test_a_json_body_that_is_not_an_object_is_a_validation_error(client, body):
    r = client.post("/v1/auth/login", content=body.encode(), headers=JSON)
    assert_problem(r, 422, "validation_error")


# ---------------------------------------------------------------- routing


@pytest.mark.parametrize(
    "path", ["/v1/nope", "/v1/wallet/nope", "/nope", "/v2/wallet", "/v1/auth/register/x"]
)
def test_an_unknown_path_is_404_not_found(client, path):
    assert_problem(client.get(path), 404, "not_found")


def test_an_unknown_path_is_404_even_with_a_token(client, player):
    assert_problem(client.get("/v1/secret-admin", headers=player().headers), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/v1/wallet"),
        ("GET", "/v1/auth/register"),
        ("PUT", "/v1/wallet/deposits"),
        ("PATCH", "/v1/players/me"),
        ("GET", "/v1/auth/login"),
    ],
)
def test_a_wrong_method_is_405_method_not_allowed(client, method, path):
    r = client.request(method, path)
    assert_problem(r, 405, "method_not_allowed")
    assert "Allow" in r.headers, "RFC 9110: a 405 carries Allow"


# ---------------------------------------------------------------- size


def test_a_body_over_one_megabyte_is_413_payload_too_large(client):
    body = {
        "email": new_email(),
        "password": STRONG_PASSWORD,
        "full_name": "A" * (1024 * 1024 + 10),
        "birth_date": "1990-01-01",
        "country": "BR",
        "cpf": new_cpf(),
    }
    assert_problem(client.post("/v1/auth/register", json=body), 413, "payload_too_large")


def test_an_oversize_deposit_is_413_and_moves_nothing(client, player, wallet):
    p = player()
    body = json.dumps({"amount": 100, "method": "pix", "pad": "x" * (1024 * 1024 + 10)})
    r = client.post("/v1/wallet/deposits", content=body.encode(), headers=p.with_key() | JSON)
    assert_problem(r, 413, "payload_too_large")
    assert wallet(p)["balance"] == 0


# ---------------------------------------------------------------- authentication, authorisation


@pytest.mark.parametrize(("method", "path"), PLAYER_ENDPOINTS + OPS_ENDPOINTS)
def test_every_protected_endpoint_without_a_token_is_401_invalid_token(client, method, path):
    path = path.format(player_id=uuid.uuid4())
    r = client.request(method, path, json={} if method == "POST" else None, headers=idem())
    assert_problem(r, 401, "invalid_token")


@pytest.mark.parametrize(("method", "path"), PLAYER_ENDPOINTS + OPS_ENDPOINTS)
def test_every_protected_endpoint_with_a_forged_token_is_401_invalid_token(client, method, path):
    path = path.format(player_id=uuid.uuid4())
    forged = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4Iiwicm9sZSI6ImFkbWluIn0.c2lnbmF0dXJl"
    r = client.request(
        method,
        path,
        json={} if method == "POST" else None,
        headers=idem() | {"Authorization": f"Bearer {forged}"},
    )
    assert_problem(r, 401, "invalid_token")


@pytest.mark.parametrize(("method", "path"), OPS_ENDPOINTS)
def test_a_player_token_on_an_operator_endpoint_is_403_forbidden(client, player, method, path):
    p, victim = player(), player()
    path = path.format(player_id=victim.player_id)
    body = {"decision": "approve", "reason": "self-service"} if method == "POST" else None
    assert_problem(client.request(method, path, json=body, headers=p.headers), 403, "forbidden")


def test_an_operator_token_works_on_operator_endpoints(client, operator):
    assert client.get("/v1/ops/kyc?status=pending", headers=operator.headers).status_code == 200


# ---------------------------------------------------------------- no leaks


def test_conflicts_do_not_reveal_the_other_players_data(client, register_player):
    owner = register_player(full_name="Owner Secretname")
    r = client.post(
        "/v1/auth/register",
        json={
            "email": new_email(),
            "password": STRONG_PASSWORD,
            "full_name": "Somebody Else",
            "birth_date": "1990-01-01",
            "country": "BR",
            "cpf": owner.cpf,
        },
    )
    assert_problem(r, 409, "cpf_taken")
    for secret in (owner.email, owner.player_id, "Secretname"):
        assert secret not in r.text


def test_injection_shaped_input_is_an_ordinary_answer(client):
    r = client.post(
        "/v1/auth/login",
        json={"email": "x' OR '1'='1' --@example.com", "password": "' OR 1=1; DROP TABLE x; --"},
    )
    assert r.status_code in (401, 422), r.text
    assert_problem(r, r.status_code, {"invalid_credentials", "validation_error"})


def test_a_validation_error_does_not_echo_the_password(client):
    weak = "weakpass-no-digits"
    r = client.post(
        "/v1/auth/register",
        json={
            "email": new_email(),
            "password": weak,
            "full_name": "Ana",
            "birth_date": "1990-01-01",
            "country": "BR",
            "cpf": new_cpf(),
        },
    )
    assert_problem(r, 422, "weak_password")
    assert weak not in r.text


# ---------------------------------------------------------------- other players' resources


def test_another_players_game_session_is_not_found(client, verified_player):
    owner, stranger = verified_player(), verified_player()
    games = client.get("/v1/games", headers=owner.headers)
    dice = [g for g in (games.json().get("games", []) if games.status_code == 200 else [])
            if g.get("game_id") == "dice"]  # fmt: skip
    if not dice:
        pytest.skip("the games API (dice) is not served yet")
    opened = client.post(
        "/v1/games/dice/sessions", json={"client_seed": "e2e"}, headers=owner.with_key()
    )
    assert opened.status_code == 201, opened.text
    session_id = opened.json()["session_id"]
    rounds = client.get(f"/v1/sessions/{session_id}/rounds", headers=stranger.headers)
    assert_problem(rounds, 404, "not_found")
    play = client.post(
        f"/v1/sessions/{session_id}/rounds",
        json={"stake": dice[0]["min_stake"], "params": {"target": 5000}},
        headers=stranger.with_key(),
    )
    assert_problem(play, 404, "not_found")
    rotate = client.post(
        f"/v1/sessions/{session_id}/seed-rotation", json={}, headers=stranger.headers
    )
    assert_problem(rotate, 404, "not_found")
    unknown = client.get(f"/v1/sessions/{uuid.uuid4()}/rounds", headers=stranger.headers)
    assert_problem(unknown, 404, "not_found")
    assert unknown.json()["detail"] == rounds.json()["detail"], "existence leaks via the detail"


# ---------------------------------------------------------------- OpenAPI


def test_openapi_describes_every_accounts_wallet_kyc_and_audit_path(client):
    r = client.get("/openapi.json")
    assert r.status_code == 200, r.text
    doc = r.json()
    assert str(doc.get("openapi", "")).startswith("3."), doc.get("openapi")
    missing = [
        f"{method.upper()} {path}"
        for path, method in CONTRACT_PATHS.items()
        if method not in doc.get("paths", {}).get(path, {})
    ]
    assert not missing, f"OpenAPI lacks {missing}"


def test_docs_serve_swagger_ui(client):
    r = client.get("/docs")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "swagger" in r.text.lower()


def test_healthz_is_ok(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}

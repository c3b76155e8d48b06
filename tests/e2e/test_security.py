"""Issue 9's findings, each as the attack that found it, black-box over HTTP against `casino dev`:
staff e-mails taken by players, throttles outrun by parallel guesses, staff without a second
factor, missing security headers and CDN-loaded docs, unsafe document downloads, weak passwords,
chunked bodies past the cap answered 400, the `Host` header reflected, personal JSON cacheable."""

from __future__ import annotations

import re
import socket
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from .support import (
    STRONG_PASSWORD,
    assert_problem,
    fresh_totp_code,
    new_cpf,
    new_email,
    totp_code,
)

TIMEOUT = httpx.Timeout(60.0, connect=10.0)


def registration(**overrides) -> dict:
    return {
        "email": new_email(), "password": STRONG_PASSWORD, "full_name": "Ana Souza",
        "birth_date": "1990-01-01", "country": "BR", "cpf": new_cpf(),
    } | overrides  # fmt: skip


def burst(base_url: str, bodies: list[dict]) -> list[httpx.Response]:
    """All the logins at once, each on its own connection."""

    def send(body: dict) -> httpx.Response:
        with httpx.Client(base_url=base_url, timeout=TIMEOUT) as c:
            return c.post("/v1/auth/login", json=body)

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(send, bodies))


# ---------------------------------------------------------------- 1. staff e-mails


def test_a_player_cannot_register_with_a_staff_email_and_the_staff_login_still_works(
    client, staff_member
):
    staff = staff_member("admin", fresh=True)
    for email in (staff.email, staff.email.upper(), f"  {staff.email}  "):
        r = client.post("/v1/auth/register", json=registration(email=email))
        assert_problem(r, 409, "email_taken")
    assert staff.login().status_code == 200


def test_staff_login_asks_for_the_second_factor_not_a_player_password(client, staff_member):
    staff = staff_member("operator", fresh=True)
    r = client.post("/v1/auth/login", json={"email": staff.email, "password": staff.password})
    assert_problem(r, 401, "mfa_required")


# ---------------------------------------------------------------- 2. throttling


def test_a_hundred_parallel_wrong_passwords_get_at_most_five_evaluated(base_url, register_player):
    p = register_player()
    answers = burst(
        base_url, [{"email": p.email, "password": f"Wr0ng-{i}-guess"} for i in range(100)]
    )
    statuses = [r.status_code for r in answers]
    assert set(statuses) <= {401, 429}, statuses
    assert statuses.count(401) <= 5, f"{statuses.count(401)} of 100 guesses were evaluated"
    for r in answers:
        if r.status_code == 429:
            assert_problem(r, 429, "rate_limited")
            assert r.headers["Retry-After"].isdigit() and int(r.headers["Retry-After"]) >= 1


def test_the_right_password_inside_a_burst_gets_no_token_while_throttled_then_gets_in(
    base_url, client, register_player
):
    p = register_player()
    for _ in range(5):
        r = client.post("/v1/auth/login", json={"email": p.email, "password": "Wr0ng-passw0rd"})
        assert_problem(r, 401, "invalid_credentials")
    bodies = [{"email": p.email, "password": f"Wr0ng-{i}-guess"} for i in range(40)]
    bodies.insert(20, {"email": p.email, "password": p.password})
    answers = burst(base_url, bodies)
    assert all(r.status_code in (401, 429) for r in answers), [r.status_code for r in answers]
    assert answers[20].status_code == 429, answers[20].text
    assert not any("access_token" in r.text for r in answers)
    # The back-off passes, and the owner gets in: no lock-out of the owner by 5 failures (the
    # finding: 15 minutes for anyone who knows the e-mail).
    wait = max(int(r.headers.get("Retry-After", "0")) for r in answers)
    assert 1 <= wait <= 60, wait
    time.sleep(wait + 0.5)
    r = client.post("/v1/auth/login", json={"email": p.email, "password": p.password})
    assert r.status_code == 200, r.text


# ---------------------------------------------------------------- 3. staff second factor


def test_staff_log_in_with_totp_once_per_code_and_with_a_recovery_code_once(
    client, local_server, staff_member
):
    staff = staff_member("compliance", fresh=True)
    email, password = staff.email, staff.password
    wrong = client.post("/v1/auth/login", json={"email": email, "password": password,
                                                "otp": "000000"})  # fmt: skip
    assert_problem(wrong, 401, "invalid_otp")
    code = fresh_totp_code(staff.otpauth_uri)
    ok = client.post("/v1/auth/login", json={"email": email, "password": password, "otp": code})
    assert ok.status_code == 200, ok.text
    assert decode(ok.json()["access_token"])["role"] == "compliance"
    replay = client.post("/v1/auth/login", json={"email": email, "password": password,
                                                 "otp": code})  # fmt: skip
    assert_problem(replay, 401, "invalid_otp")
    wrong_password = client.post("/v1/auth/login", json={"email": email, "password": "N0pe-N0pe-x",
                                                         "otp": totp_code(staff.otpauth_uri)})  # fmt: skip
    assert_problem(wrong_password, 401, "invalid_credentials")


def test_create_user_prints_the_otpauth_uri_on_its_own_line(local_server):
    email = new_email("cli")
    uri = local_server.create_staff(email, "Cl1-Staff-Passw0rd", "kyc_reviewer")
    assert re.fullmatch(r"otpauth://totp/[^?\s]+\?\S*secret=[A-Z2-7]+\S*", uri), uri
    assert "issuer=AcmeToCasino" in uri


def test_staff_roles_are_the_four_of_the_contract(local_server):
    with pytest.raises(AssertionError):
        local_server.create_staff(new_email("cli"), "Cl1-Staff-Passw0rd", "superuser")


# ---------------------------------------------------------------- password change and reset


def test_a_password_change_ends_every_other_login_and_keeps_this_one(client, player):
    p = player()
    other = client.post("/v1/auth/login", json={"email": p.email, "password": p.password}).json()
    new = "N3w-Passw0rd-kept"
    r = client.post("/v1/auth/password", json={"current_password": p.password,
                                                "new_password": new}, headers=p.headers)  # fmt: skip
    assert r.status_code == 204, r.text
    assert client.get("/v1/players/me", headers=p.headers).status_code == 200
    gone = client.get(
        "/v1/players/me", headers={"Authorization": f"Bearer {other['access_token']}"}
    )
    assert_problem(gone, 401, "invalid_token")
    refreshed = client.post("/v1/auth/refresh", json={"refresh_token": other["refresh_token"]})
    assert_problem(refreshed, 401, {"invalid_token", "refresh_token_reused"})
    old = client.post("/v1/auth/login", json={"email": p.email, "password": p.password})
    assert_problem(old, 401, "invalid_credentials")
    assert (
        client.post("/v1/auth/login", json={"email": p.email, "password": new}).status_code == 200
    )


def test_a_password_change_needs_the_current_password_and_a_strong_new_one(client, player):
    p = player()
    wrong = client.post("/v1/auth/password", json={"current_password": "N0t-the-passw0rd",
                                                    "new_password": "N3w-Passw0rd-kept"},
                        headers=p.headers)  # fmt: skip
    assert_problem(wrong, 401, "invalid_credentials")
    weak = client.post("/v1/auth/password", json={"current_password": p.password,
                                                   "new_password": "Password123!"},
                       headers=p.headers)  # fmt: skip
    assert_problem(weak, 422, "weak_password")


def test_an_admin_resets_a_staff_member_who_lost_password_and_authenticator(
    client, operator, staff_member
):
    member = staff_member("kyc_reviewer", fresh=True)
    before = member.token
    staff_id = decode(before)["sub"]
    r = client.post(f"/v1/ops/staff/{staff_id}/reset", json={"reset_mfa": True},
                    headers=operator.headers)  # fmt: skip
    assert r.status_code == 200, r.text
    reset = r.json()
    assert reset["otpauth_uri"].startswith("otpauth://") and len(reset["recovery_codes"]) == 10
    assert_problem(client.get("/v1/ops/kyc", headers={"Authorization": f"Bearer {before}"}), 401)
    old = client.post("/v1/auth/login", json={"email": member.email, "password": member.password,
                                              "otp": totp_code(reset["otpauth_uri"])})  # fmt: skip
    assert_problem(old, 401, "invalid_credentials")
    recovered = client.post("/v1/auth/login", json={
        "email": member.email, "password": reset["temporary_password"],
        "recovery_code": reset["recovery_codes"][0]})  # fmt: skip
    assert recovered.status_code == 200, recovered.text
    again = client.post("/v1/auth/login", json={
        "email": member.email, "password": reset["temporary_password"],
        "recovery_code": reset["recovery_codes"][0]})  # fmt: skip
    assert_problem(again, 401, "invalid_otp")


def test_an_admin_creates_disables_and_lists_staff(client, operator):
    email = new_email("staff")
    made = client.post("/v1/ops/staff", json={"email": email, "password": "St4ff-Passw0rd-x",
                                              "role": "operator"}, headers=operator.headers)  # fmt: skip
    assert made.status_code == 201, made.text
    uri = made.json()["otpauth_uri"]
    login = client.post("/v1/auth/login", json={"email": email, "password": "St4ff-Passw0rd-x",
                                                "otp": totp_code(uri)})  # fmt: skip
    assert login.status_code == 200, login.text
    staff_id = made.json()["staff_id"]
    off = client.patch(f"/v1/ops/staff/{staff_id}", json={"status": "disabled"},
                       headers=operator.headers)  # fmt: skip
    assert off.status_code == 200 and off.json()["status"] == "disabled", off.text
    token = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert_problem(client.get("/v1/ops/games/dice/stats", headers=token), 401, "invalid_token")
    listed = client.get("/v1/ops/staff", headers=operator.headers).json()["staff"]
    entry = next(s for s in listed if s["staff_id"] == staff_id)
    assert entry["status"] == "disabled" and entry["mfa_status"] == "active"
    assert "password_hash" not in str(listed) and "secret" not in str(listed)


# ---------------------------------------------------------------- players may turn TOTP on


def test_a_player_turns_on_two_step_login(client, player):
    p = player()
    started = client.post("/v1/auth/mfa/totp", headers=p.headers)
    assert started.status_code == 201, started.text
    uri = started.json()["otpauth_uri"]
    # Not on until confirmed: a login without a code still works.
    assert client.post("/v1/auth/login", json={"email": p.email,
                                               "password": p.password}).status_code == 200  # fmt: skip
    assert_problem(client.post("/v1/auth/mfa/totp/confirm", json={"otp": "123456"},
                               headers=p.headers), 401, "invalid_otp")  # fmt: skip
    confirmed = client.post("/v1/auth/mfa/totp/confirm", json={"otp": fresh_totp_code(uri)},
                            headers=p.headers)  # fmt: skip
    assert confirmed.status_code == 200, confirmed.text
    codes = confirmed.json()["recovery_codes"]
    assert len(codes) == 10
    bare = client.post("/v1/auth/login", json={"email": p.email, "password": p.password})
    assert_problem(bare, 401, "mfa_required")
    with_code = client.post("/v1/auth/login", json={"email": p.email, "password": p.password,
                                                    "otp": fresh_totp_code(uri)})  # fmt: skip
    assert with_code.status_code == 200, with_code.text
    recovered = client.post("/v1/auth/login", json={"email": p.email, "password": p.password,
                                                    "recovery_code": codes[3].upper()})  # fmt: skip
    assert recovered.status_code == 200, recovered.text


# ---------------------------------------------------------------- 4. headers


def _assert_security_headers(r: httpx.Response) -> None:
    h = r.headers
    assert h.get("x-content-type-options") == "nosniff", (r.url, dict(h))
    assert h.get("referrer-policy") == "no-referrer", (r.url, dict(h))
    assert h.get("x-frame-options") == "DENY", (r.url, dict(h))
    assert "frame-ancestors 'none'" in h.get("content-security-policy", ""), (r.url, dict(h))


@pytest.mark.parametrize(
    "path",
    ["/healthz", "/v1/games", "/v1/nowhere", "/", "/ops.html", "/verify.html", "/app.js",
     "/style.css", "/docs", "/docs.js", "/swagger-ui/swagger-ui-bundle.js",
     "/swagger-ui/swagger-ui.css", "/openapi.json", "/no-such-file.png"],
)  # fmt: skip
def test_every_response_carries_the_security_headers(client, path):
    _assert_security_headers(client.get(path))


def test_error_answers_carry_them_too(client, player):
    _assert_security_headers(client.get("/v1/wallet"))  # 401
    _assert_security_headers(client.post("/v1/auth/login", content=b"{"))  # 400
    _assert_security_headers(client.request("DELETE", "/v1/wallet"))  # 405
    big = {"pad": "x" * (1024 * 1024 + 10)}
    _assert_security_headers(client.post("/v1/auth/register", json=big))  # 413


@pytest.mark.parametrize("path", ["/", "/ops.html", "/verify.html", "/docs"])
def test_html_has_a_csp_with_no_inline_script_and_no_third_party_origin(client, path):
    r = client.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    script = directives.get("script-src", directives.get("default-src", ""))
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, csp
    assert not re.search(r"https?:|\*", csp), csp
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", r.text), "inline script"
    # An asset is what the page loads (script, stylesheet, image, frame...); a plain link to
    # another site (<a href>, e.g. the national self-exclusion platform) loads nothing.
    asset = r"""<(?!a[\s>])[a-z]+\b[^>]*\b(src|href)=["']?(https?:)?//"""
    assert not re.search(asset, r.text), "third-party asset"
    assert re.search(asset, '<link rel="stylesheet" href="https://cdn.example/x.css">')


def test_the_api_docs_load_swagger_ui_from_the_platform_itself(client):
    page = client.get("/docs")
    assert "swagger" in page.text.lower()
    for asset in re.findall(r"""(?:src|href)="([^"]+)\"""", page.text):
        assert asset.startswith("/"), asset
        r = client.get(asset)
        assert r.status_code == 200 and len(r.content) > 100, (asset, r.status_code)
    assert "SwaggerUIBundle" in client.get("/swagger-ui/swagger-ui-bundle.js").text


def test_hsts_is_sent_over_https_only(client):
    assert "strict-transport-security" not in client.get("/healthz").headers


def test_authenticated_and_personal_answers_are_not_stored(client, player):
    p = player()
    for path in ("/v1/players/me", "/v1/wallet", "/v1/wallet/events", "/v1/limits"):
        r = client.get(path, headers=p.headers)
        assert r.status_code == 200, r.text
        assert "no-store" in r.headers.get("cache-control", ""), (path, dict(r.headers))
    login = client.post("/v1/auth/login", json={"email": p.email, "password": p.password})
    assert "no-store" in login.headers.get("cache-control", "")


def test_kyc_documents_download_as_attachments_that_are_not_sniffed(
    client, operator, player, upload_document
):
    p = player()
    up = upload_document(p, filename='rg "front"<script>.png')
    assert up.status_code == 201, up.text
    r = client.get(f"/v1/ops/kyc/documents/{up.json()['document_id']}", headers=operator.headers)
    assert r.status_code == 200
    assert r.headers["x-content-type-options"] == "nosniff"
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment;"), disposition
    assert "<script>" not in disposition and '"front"' not in disposition
    assert "sandbox" in r.headers["content-security-policy"]
    assert r.headers["content-type"] == "image/png"


# ---------------------------------------------------------------- 5. passwords, registration


@pytest.mark.parametrize(
    "password", ["Password123!", "Passw0rd2024!", "Qwerty12345", "Flamengo2024", "Senha123456",
                 "1qaz2wsx3edc", "aaaaaaaaaa1", "abcdefgh12"],
)  # fmt: skip
def test_common_and_patterned_passwords_are_weak(client, password):
    r = client.post("/v1/auth/register", json=registration(password=password))
    assert_problem(r, 422, "weak_password")


def test_the_weak_password_answer_does_not_echo_the_password(client):
    r = client.post("/v1/auth/register", json=registration(password="Flamengo2024"))
    assert "Flamengo2024" not in r.text


# ---------------------------------------------------------------- 6. smaller findings


def test_an_oversized_chunked_body_is_413(base_url):
    def chunks():
        for _ in range(20):
            yield b"x" * (64 * 1024)

    with httpx.Client(base_url=base_url, timeout=TIMEOUT) as c:
        r = c.post(
            "/v1/auth/register", content=chunks(), headers={"content-type": "application/json"}
        )
    assert (
        "content-length" not in r.request.headers
        and r.request.headers.get("transfer-encoding") == "chunked"
    )
    assert_problem(r, 413, "payload_too_large")


def test_redirects_never_reflect_the_host_header(base_url):
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(b"GET /v1/wallet/ HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    assert "evil.example" not in head, head
    location = re.search(r"(?im)^location:\s*(\S+)", head)
    if location:
        assert location.group(1).startswith("/") and not location.group(1).startswith("//"), head


def test_a_login_answer_reveals_no_secret(client, staff_member):
    staff = staff_member("operator")
    r = client.post("/v1/auth/login", json={"email": staff.email, "password": staff.password})
    secret = re.search(r"secret=([A-Z2-7]+)", staff.otpauth_uri).group(1)
    assert secret not in r.text and staff.password not in r.text


def decode(token: str) -> dict:
    import base64
    import json

    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_unique_staff_email_space_covers_new_staff_too(client, operator, register_player):
    """An admin cannot create a staff account over an existing player's e-mail either."""
    p = register_player()
    r = client.post("/v1/ops/staff", json={"email": p.email, "password": "St4ff-Passw0rd-x",
                                           "role": "operator"}, headers=operator.headers)  # fmt: skip
    assert_problem(r, 409, "email_taken")
    assert str(uuid.UUID(p.player_id))

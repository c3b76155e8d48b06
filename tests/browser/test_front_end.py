"""The web front end in Debian's Chromium (Playwright): a player registers, logs in, deposits,
sends a KYC document; an operator approves it in the console; the player plays dice."""

from __future__ import annotations

import shutil
import uuid

import httpx
import pytest

from tests.e2e.support import (
    STRONG_PASSWORD,
    CasinoServer,
    kyc_document,
    new_cpf,
    png_bytes,
    totp_code,
)

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect  # locator assertions need no eval, which the pages' CSP forbids
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


@pytest.fixture(scope="module")
def server():
    srv = CasinoServer().start()
    srv.otpauth_uri = srv.create_staff("console@example.com", STRONG_PASSWORD, "kyc_reviewer")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


def test_a_player_and_an_operator_use_the_site_end_to_end(server, browser, tmp_path):
    email = f"web-{uuid.uuid4().hex[:10]}@example.com"
    page = browser.new_page()
    page.goto(server.base_url + "/")
    page.click("text=Create an account")
    form = page.locator("#register-form")
    form.locator("[name=full_name]").fill("Ana Web")
    form.locator("[name=email]").fill(email)
    form.locator("[name=password]").fill(STRONG_PASSWORD)
    form.locator("[name=birth_date]").fill("1990-01-01")
    form.locator("[name=cpf]").fill(new_cpf())
    form.locator("button").click()
    page.wait_for_selector("text=Account created")

    page.fill("#login-form [name=email]", email)
    page.fill("#login-form [name=password]", STRONG_PASSWORD)
    page.click("#login-form button")
    page.wait_for_selector("#app:not([hidden])")
    expect(page.locator("#balance")).to_have_text("0.00")

    page.fill("#deposit-form [name=amount]", "25.50")
    page.click("#deposit-form button")
    expect(page.locator("#balance")).to_have_text("25.50")

    document = tmp_path / "rg.png"
    document.write_bytes(png_bytes())
    page.set_input_files("#kyc-form [name=file]", str(document))
    page.click("#kyc-form button")
    expect(page.locator("#kyc-status")).to_have_text("pending")
    # An approval needs a selfie too; this page sends the identity document only.
    token = httpx.post(f"{server.base_url}/v1/auth/login",
                       json={"email": email, "password": STRONG_PASSWORD}).json()["access_token"]  # fmt: skip
    selfie = httpx.post(f"{server.base_url}/v1/kyc/documents", json=kyc_document(doc_type="selfie"),
                        headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert selfie.status_code == 201, selfie.text

    ops = browser.new_page()
    ops.goto(server.base_url + "/ops.html")
    ops.fill("#ops-login [name=email]", "console@example.com")
    ops.fill("#ops-login [name=password]", STRONG_PASSWORD)
    ops.fill("#ops-login [name=otp]", totp_code(server.otpauth_uri))
    ops.click("#ops-login button")
    row = ops.locator("#kyc-table tr", has_text=email)
    row.wait_for()
    row.locator("text=approve").click()
    ops.wait_for_selector(f"text={email}: verified")

    page.reload()
    expect(page.locator("#kyc-status")).to_have_text("verified")
    page.fill("#dice-form [name=stake]", "1.00")
    page.click("#dice-form button")
    page.wait_for_selector("text=Nonce 0")
    assert len(page.text_content("#seed-hash")) == 64


def test_pages_and_the_api_docs_run_under_the_csp_with_no_violation(server, browser):
    """The CSP forbids inline script and other origins: the pages and Swagger UI (served from
    /swagger-ui/) must work under it, with no violation reported and nothing fetched elsewhere."""
    page = browser.new_page()
    violations: list[str] = []
    elsewhere: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text
            else None)  # fmt: skip
    page.on("request", lambda r: elsewhere.append(r.url) if not r.url.startswith(
        (server.base_url, "data:", "blob:")) else None)  # fmt: skip
    for path in ("/", "/ops.html", "/verify.html"):
        page.goto(server.base_url + path)
        page.wait_for_load_state("networkidle")
    page.goto(server.base_url + "/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=30_000)
    assert page.locator(".opblock-summary-path", has_text="/v1/auth/login").count() >= 1
    assert not violations, violations
    assert not elsewhere, elsewhere


def test_the_deposit_page_cannot_be_framed(server, browser, tmp_path):
    """Clickjacking: another origin's page that frames ours gets nothing rendered."""
    page = browser.new_page()
    page.set_content(f'<iframe id="f" src="{server.base_url}/"></iframe>')
    page.wait_for_timeout(1500)
    frame = page.frame_locator("#f")
    assert frame.locator("#login-form").count() == 0

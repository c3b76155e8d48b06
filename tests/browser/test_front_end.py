"""The web front end in Debian's Chromium (Playwright): a player registers, logs in, deposits,
sends a KYC document; an operator approves it in the console; the player plays dice."""

from __future__ import annotations

import shutil
import uuid

import pytest

from tests.e2e.support import STRONG_PASSWORD, CasinoServer, new_cpf, png_bytes

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


@pytest.fixture(scope="module")
def server():
    srv = CasinoServer().start()
    srv.create_staff("console@example.com", STRONG_PASSWORD, "operator")
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
    page.wait_for_function("document.querySelector('#balance').textContent === '0.00'")

    page.fill("#deposit-form [name=amount]", "25.50")
    page.click("#deposit-form button")
    page.wait_for_function("document.querySelector('#balance').textContent === '25.50'")

    document = tmp_path / "rg.png"
    document.write_bytes(png_bytes())
    page.set_input_files("#kyc-form [name=file]", str(document))
    page.click("#kyc-form button")
    page.wait_for_function("document.querySelector('#kyc-status').textContent === 'pending'")

    ops = browser.new_page()
    ops.goto(server.base_url + "/ops.html")
    ops.fill("#ops-login [name=email]", "console@example.com")
    ops.fill("#ops-login [name=password]", STRONG_PASSWORD)
    ops.click("#ops-login button")
    row = ops.locator("#kyc-table tr", has_text=email)
    row.wait_for()
    row.locator("text=approve").click()
    ops.wait_for_selector(f"text={email}: verified")

    page.reload()
    page.wait_for_function("document.querySelector('#kyc-status').textContent === 'verified'")
    page.fill("#dice-form [name=stake]", "1.00")
    page.click("#dice-form button")
    page.wait_for_selector("text=Nonce 0")
    assert len(page.text_content("#seed-hash")) == 64

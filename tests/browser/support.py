"""Browser-suite fixtures and helpers: a real `casino dev` per module, Debian's Chromium through Playwright,
pages that fail the test on any console error, axe-core served from node_modules, screenshots
kept under tests/browser/artifacts/, and staff accounts (with their TOTP second factor when the
server gives one)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import shutil
import struct
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from tests.e2e.support import CASINO, REPO, STRONG_PASSWORD, CasinoServer, new_cpf, png_bytes

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).parent / "artifacts"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
# A fetch() answered 4xx is logged by Chromium as "Failed to load resource"; for API calls that
# is an answer the page handles and shows in words (the tests assert those words). Anything else
# that reaches the console as an error fails the test: exceptions, console.error, CSP reports,
# a missing script or stylesheet, a 5xx.
API_ANSWER = re.compile(r"status of 4\d\d")


def start_server(**env: str) -> CasinoServer:
    """`casino dev` as the Brazilian deployment (`--jurisdiction BR`), with extra environment."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return CasinoServer(args=("--jurisdiction", "BR")).start()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="session")
def server() -> Iterator[CasinoServer]:
    srv = start_server()
    yield srv
    srv.stop()
    shutil.rmtree(srv.state, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    # Per module: Playwright's sync API runs an event loop until it stops, which would break
    # asyncio.run() in suites collected after this one in the same pytest process.
    with playwright.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@dataclass
class ConsoleWatch:
    errors: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)

    def allow(self, text: str) -> None:
        """A failure the test itself causes (a dropped connection), named exactly."""
        self.allowed.append(text)

    def attach(self, page) -> None:
        def on_console(message) -> None:
            if message.type != "error":
                return
            url = (message.location or {}).get("url", "")
            if API_ANSWER.search(message.text) and "/v1/" in url:
                return
            if any(text in message.text for text in self.allowed):
                return
            self.errors.append(f"console.error: {message.text} ({url})")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on(
            "response",
            lambda r: self.errors.append(f"{r.status} {r.url}") if r.status >= 500 else None,
        )


@pytest.fixture
def console() -> Iterator[ConsoleWatch]:
    watch = ConsoleWatch()
    yield watch
    assert watch.errors == [], "the page logged errors:\n" + "\n".join(watch.errors)


@pytest.fixture
def new_context(browser, console):
    """Contexts in Portuguese, in São Paulo's time zone, each watched for console errors."""
    contexts = []

    def _new(viewport=DESKTOP, locale="pt-BR", timezone="America/Sao_Paulo"):
        context = browser.new_context(viewport=viewport, locale=locale, timezone_id=timezone)
        context.set_default_timeout(15_000)
        context.on("page", console.attach)
        contexts.append(context)
        return context

    yield _new
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now (WCAG 2.x A and AA rules)."""
    page.route(
        "**/__axe__/axe.min.js",
        lambda route: route.fulfill(path=str(AXE), content_type="text/javascript"),
    )
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url="/__axe__/axe.min.js")
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def assert_accessible(page, where: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"axe-core on {where}: {violations}"


def assert_no_horizontal_scroll(page, where: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("document.documentElement.clientWidth")
    assert width <= viewport, f"{where} scrolls sideways: {width} > {viewport}"


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    size = page.viewport_size
    path = ARTIFACTS / f"{name}-{size['width']}x{size['height']}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# ---------------------------------------------------------------- players and staff over HTTP


def api(server: CasinoServer) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, timeout=30)


def new_email(prefix: str = "web") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


@dataclass
class Player:
    email: str
    password: str
    cpf: str
    player_id: str = ""
    token: str = ""

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def register_player(server: CasinoServer, **overrides) -> Player:
    player = Player(new_email(), STRONG_PASSWORD, new_cpf())
    body = {
        "email": player.email, "password": player.password, "full_name": "Ana Souza",
        "birth_date": "1990-01-01", "country": "BR", "cpf": player.cpf,
    } | overrides  # fmt: skip
    with api(server) as client:
        r = client.post("/v1/auth/register", json=body)
        assert r.status_code == 201, r.text
        player.player_id = r.json()["player_id"]
        r = client.post("/v1/auth/login", json={"email": player.email, "password": player.password})
        assert r.status_code == 200, r.text
        player.token = r.json()["access_token"]
    return player


@dataclass
class Staff:
    email: str
    password: str
    role: str
    totp_secret: str | None
    last_step: int = -1

    def otp(self) -> str:
        """The current code; a code is accepted once, so a second login waits for the next one."""
        assert self.totp_secret, "this server gave no second factor"
        while int(time.time() // 30) <= self.last_step:
            time.sleep(0.5)
        self.last_step = int(time.time() // 30)
        return totp(self.totp_secret)

    def token(self, server: CasinoServer) -> str:
        body = {"email": self.email, "password": self.password}
        if self.totp_secret:
            body["otp"] = self.otp()
        r = httpx.post(f"{server.base_url}/v1/auth/login", json=body, timeout=30)
        assert r.status_code == 200, r.text
        return r.json()["access_token"]


def totp(secret: str, at: float | None = None) -> str:
    """RFC 6238: HMAC-SHA1 over the 30-second counter, 6 digits."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def create_staff(server: CasinoServer, role: str) -> Staff:
    """`casino ops create-user`; the TOTP secret is read from the otpauth URI it prints, when the
    server has staff MFA."""
    email = new_email(f"staff-{role}")
    result = subprocess.run(
        [str(CASINO), "ops", "create-user", "--state", str(server.state), "--email", email,
         "--password", STRONG_PASSWORD, "--role", role],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, f"create-user {role} failed:\n{result.stdout}\n{result.stderr}"
    secret = None
    for line in result.stdout.splitlines():
        if line.strip().startswith("otpauth://"):
            secret = parse_qs(urlparse(line.strip()).query)["secret"][0]
    return Staff(email, STRONG_PASSWORD, role, secret)


def staff_roles_supported() -> set[str]:
    result = subprocess.run([str(CASINO), "ops", "create-user", "--help"], cwd=REPO,
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    return {r for r in ("kyc_reviewer", "compliance", "operator", "admin") if r in result.stdout}


def verify_player(server: CasinoServer, player: Player, reviewer: Staff) -> None:
    """Documents over HTTP and an approval by a staff member (for tests about something else)."""
    with api(server) as client:
        for doc_type in ("id_front", "selfie"):
            r = client.post("/v1/kyc/documents", headers=player.headers(), json={
                "doc_type": doc_type, "filename": f"{doc_type}.png", "content_type": "image/png",
                "content_base64": base64.b64encode(png_bytes()).decode(),
            })  # fmt: skip
            assert r.status_code == 201, r.text
        r = client.post(
            f"/v1/ops/kyc/{player.player_id}/decision",
            json={"decision": "approve", "reason": "documents match"},
            headers={"Authorization": f"Bearer {reviewer.token(server)}"},
        )
        assert r.status_code == 200, r.text


def events(server: CasinoServer, player: Player) -> list[dict]:
    """The player's wallet events as the server has them (with a fresh login of its own)."""
    with api(server) as client:
        r = client.post("/v1/auth/login", json={"email": player.email, "password": player.password})
        assert r.status_code == 200, r.text
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        r = client.get("/v1/wallet/events", params={"limit": 1000}, headers=headers)
        assert r.status_code == 200, r.text
        return r.json()["events"]


def log_in(page, server: CasinoServer, player: Player) -> None:
    page.goto(server.base_url + "/#/login")
    page.wait_for_selector("body[data-ready='1']")
    page.fill("#login-email", player.email)
    page.fill("#login-password", player.password)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#view-lobby:not([hidden]) .game-card")


def staff_log_in(page, server: CasinoServer, staff: Staff) -> None:
    page.goto(server.base_url + "/ops.html")
    page.wait_for_selector("body[data-ready='1']")
    page.fill("#ops-email", staff.email)
    page.fill("#ops-password", staff.password)
    page.click("#ops-login button[type=submit]")
    if staff.totp_secret:
        page.wait_for_selector("#ops-otp-row:not([hidden])")
        page.fill("#ops-otp", staff.otp())
        page.click("#ops-login button[type=submit]")
    page.wait_for_selector("#console:not([hidden]) #tabs a")


def money_text(page, selector: str) -> str:
    return page.text_content(selector).replace("\u00a0", " ")


__all__ = [
    "DESKTOP", "PHONE", "Player", "Staff", "api", "assert_accessible", "assert_no_horizontal_scroll",
    "close_note", "create_staff", "events", "finish_round", "log_in", "money_text", "new_email", "register_player", "screenshot",
    "staff_log_in", "staff_roles_supported", "start_server", "totp", "verify_player",
]  # fmt: skip


def finish_round(page) -> None:
    """After the bet button was pressed: wait until the round is over, closing the
    responsible-gaming notes it may bring up the way a player would (at night in São Paulo the
    first round brings a night-play note; the button stays busy while a note is open)."""
    page.wait_for_timeout(100)  # the button goes busy at once
    for _ in range(5):
        page.wait_for_selector("#bet-submit:not([disabled]), #dialog[open]")
        if not page.locator("#dialog").is_visible():
            return
        close_note(page)


def close_note(page) -> None:
    """Close the open responsible-gaming note as a player would: "close" where it offers a
    choice (a suggested limit), else its only button."""
    closer = (
        "#dialog .dialog-cancel"
        if page.is_visible("#dialog .dialog-cancel")
        else "#dialog .dialog-confirm"
    )
    page.click(closer)
    page.locator("#dialog").wait_for(state="hidden")

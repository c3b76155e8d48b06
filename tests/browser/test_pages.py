"""Every page, as a person with a screen reader, a phone or another language meets it: axe-core
clean, no sideways scroll at 320 px, inputs of a usable height, visible focus, English on a
switch, dates in the player's own time zone, and the round verifier honest about what it
checked. Screenshots of the main screens at 1366x900 and 390x844 are kept as artifacts."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from playwright.sync_api import expect

from .support import (
    DESKTOP,
    PHONE,
    api,
    assert_accessible,
    assert_no_horizontal_scroll,
    create_staff,
    finish_round,
    log_in,
    money_text,
    register_player,
    screenshot,
    staff_log_in,
    verify_player,
)

PLAYER_VIEWS = ["lobby", "game/dice", "game/slots", "game/limbo", "wallet", "limits", "kyc", "account",
                "help", "licence", "terms", "privacy"]  # fmt: skip
PUBLIC_VIEWS = ["login", "register", "help", "licence", "terms", "privacy"]
STAFF_TABS = [
    "kyc",
    "aml",
    "behaviour",
    "games",
    "players",
    "exclusions",
    "reports",
    "alerts",
    "account",
]
SMALL = {"width": 320, "height": 640}


def usable_sizes(page, where: str) -> None:
    small = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=checkbox]):not([type=radio]):not([type=hidden]), select, textarea, button')]
            .filter((e) => e.offsetParent !== null && !e.closest('dialog:not([open])'))
            .map((e) => [e.id || e.name || e.textContent.trim(), e.getBoundingClientRect().height, e.tagName])
            .filter(([, h, tag]) => h < (tag === 'BUTTON' ? 36 : 44))"""
    )
    assert small == [], f"{where}: controls too small to use on a phone: {small}"


def visit(page, url: str, ready: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_selector(ready)
    page.wait_for_timeout(150)


def ready_selector(view: str) -> str:
    return (
        {
            "lobby": ".game-card",
            "wallet": "#history p, #history table",
            "limits": "#rg-limits table",
            "kyc": "#kyc-state",
            "account": "#account-facts dl",
        }.get(view.split("/")[0], f"[data-view='{view.split('/')[0]}']:not([hidden])")
        if not view.startswith("game/")
        else "#session-rounds table"
    )


def test_every_player_page_is_accessible_and_fits_a_phone(server, new_context):
    player = register_player(server)
    verify_player(server, player, create_staff(server, "admin"))
    with api(server) as client:
        r = client.post(
            "/v1/wallet/deposits",
            json={"amount": 5000, "method": "pix"},
            headers=player.headers() | {"Idempotency-Key": "pages-1"},
        )
        assert r.status_code == 201, r.text
    for viewport in (DESKTOP, PHONE):
        page = new_context(viewport=viewport).new_page()
        visit(page, server.base_url + "/#/login", "#view-login:not([hidden])")
        for view in PUBLIC_VIEWS:
            visit(page, f"{server.base_url}/#/{view}", ready_selector(view))
            if viewport is DESKTOP:
                assert_accessible(page, f"/#/{view} (logged out)")
            else:
                usable_sizes(page, view)
                assert_no_horizontal_scroll(page, view)
            if view in ("login", "register"):
                screenshot(page, view)
        log_in(page, server, player)
        for game in ("dice", "slots", "limbo"):
            visit(page, f"{server.base_url}/#/game/{game}", "#bet-submit")
            page.click("#bet-submit")
            finish_round(page)
            page.wait_for_selector("#round-result p")
        page.click("#rotate")
        page.wait_for_selector("#fair-revealed-seed")
        for view in PLAYER_VIEWS:
            visit(page, f"{server.base_url}/#/{view}", ready_selector(view))
            if viewport is DESKTOP:
                assert_accessible(page, f"/#/{view}")
            else:
                usable_sizes(page, view)
                assert_no_horizontal_scroll(page, view)
            if view in (
                "lobby",
                "game/dice",
                "game/slots",
                "game/limbo",
                "wallet",
                "limits",
                "kyc",
            ):
                screenshot(page, view.replace("/", "-"))
        # Dialogs too: the deposit confirmation.
        visit(page, f"{server.base_url}/#/wallet", "#history table")
        page.fill("#deposit-amount", "10,00")
        page.click("#deposit-form button[type=submit]")
        page.locator("#dialog").wait_for(state="visible")
        if viewport is DESKTOP:
            assert_accessible(page, "the deposit confirmation")
        page.click("#dialog .dialog-cancel")
        page.set_viewport_size(SMALL)
        for view in PLAYER_VIEWS:
            visit(page, f"{server.base_url}/#/{view}", ready_selector(view))
            assert_no_horizontal_scroll(page, f"{view} at 320 px")


def test_the_staff_console_and_the_verifier_are_accessible_and_fit_a_phone(server, new_context):
    for viewport in (DESKTOP, PHONE):
        admin = create_staff(server, "admin")  # one login each: a TOTP code is accepted once
        page = new_context(viewport=viewport).new_page()
        visit(page, server.base_url + "/ops.html", "#ops-auth:not([hidden])")
        if viewport is DESKTOP:
            assert_accessible(page, "the console login")
        staff_log_in(page, server, admin)
        for tab in STAFF_TABS:
            page.goto(f"{server.base_url}/ops.html#/{tab}")
            page.wait_for_selector(f"#console [data-view='{tab}']:not([hidden])")
            page.wait_for_load_state("networkidle")
            if viewport is DESKTOP:
                assert_accessible(page, f"console {tab}")
            else:
                usable_sizes(page, f"console {tab}")
                assert_no_horizontal_scroll(page, f"console {tab}")
            if tab in ("kyc", "games", "exclusions"):
                screenshot(page, f"console-{tab}")
        visit(page, server.base_url + "/verify.html", "#verify-form")
        if viewport is DESKTOP:
            assert_accessible(page, "/verify.html")
        else:
            assert_no_horizontal_scroll(page, "/verify.html")
        screenshot(page, "verify")
        page.set_viewport_size(SMALL)
        for url in ("/verify.html", "/ops.html#/games", "/ops.html#/kyc", "/ops.html#/aml",
                    "/ops.html#/behaviour", "/ops.html#/reports"):  # fmt: skip
            page.goto(server.base_url + url)
            page.wait_for_selector("body[data-ready='1']")
            page.wait_for_load_state("networkidle")
            assert_no_horizontal_scroll(page, f"{url} at 320 px")


def test_keyboard_focus_is_visible(server, page):
    page.goto(server.base_url + "/#/login")
    page.wait_for_selector("body[data-ready='1']")
    page.focus("#login-email")
    page.keyboard.press("Tab")
    outline = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement); return [document.activeElement.id, s.outlineStyle, s.outlineWidth]; })()"
    )
    assert outline[0] == "login-password"
    assert outline[1] != "none" and outline[2] != "0px", outline


def test_english_on_a_switch_and_dates_in_the_players_time_zone(server, new_context):
    player = register_player(server)
    page = new_context(timezone="America/Manaus").new_page()  # UTC-4, no daylight saving
    page.goto(server.base_url + "/#/login")
    page.wait_for_selector("body[data-ready='1']")
    page.fill("#login-email", player.email)
    page.fill("#login-password", "wrong-password-1")
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#login-form .form-error:not([hidden])")
    assert page.text_content("#login-form .form-error") == "E-mail ou senha incorretos."
    log_in(page, server, player)
    page.goto(server.base_url + "/#/wallet")
    page.fill("#deposit-amount", "1.234,56")
    page.click("#deposit-form button[type=submit]")
    page.click("#dialog .dialog-confirm")
    page.wait_for_selector("#history table")
    with api(server) as client:
        created = client.get("/v1/wallet/events", headers=player.headers()).json()["events"][0][
            "created_at"
        ]
    local = datetime.fromisoformat(created.replace("Z", "+00:00")).astimezone(
        timezone(timedelta(hours=-4))
    )
    cell = page.text_content("#history tbody tr td")
    assert cell == local.strftime("%d/%m/%Y, %H:%M"), (cell, created)
    assert money_text(page, "#wallet-balance") == "R$ 1.234,56"

    page.click("#locale-switch")
    page.wait_for_selector("html[lang=en]")
    page.wait_for_selector("#main-nav >> text=Wallet")
    assert page.text_content("#view-wallet h1") == "Wallet"
    expect(page.locator("#wallet-balance")).to_contain_text("1,234.56")
    assert money_text(page, "#wallet-balance") == "R$1,234.56"
    # The history is drawn again once its events are fetched again: after the balance, maybe.
    first_cell = page.locator("#history tbody tr td").first
    expect(first_cell).to_contain_text(local.strftime("%-m/%-d/%y"))
    expect(first_cell).to_contain_text(local.strftime("%-I:%M"))
    page.fill("#deposit-amount", "150,50")
    page.click("#deposit-form button[type=submit]")
    assert "Use a dot for the cents" in page.text_content("#deposit-form .form-error")
    page.reload()  # the choice is kept
    page.wait_for_selector("#main-nav >> text=Wallet")
    page.click("#locale-switch")
    page.wait_for_selector("#main-nav >> text=Carteira")


def test_the_verifier_checks_every_game_and_says_what_is_wrong(server, new_context):
    player = register_player(server)
    verify_player(server, player, create_staff(server, "admin"))
    with api(server) as client:
        h = player.headers()
        assert (
            client.post(
                "/v1/wallet/deposits",
                json={"amount": 5000, "method": "pix"},
                headers=h | {"Idempotency-Key": "v-1"},
            ).status_code
            == 201
        )
        session = client.post(
            "/v1/games/slots/sessions", json={"client_seed": "verificador"}, headers=h
        ).json()
        for n in range(3):
            r = client.post(
                f"/v1/sessions/{session['session_id']}/rounds",
                json={"stake": 100, "params": {}},
                headers=h | {"Idempotency-Key": f"v-r{n}"},
            )
            assert r.status_code == 201, r.text
        reveal = client.post(
            f"/v1/sessions/{session['session_id']}/seed-rotation", json={}, headers=h
        ).json()
        rounds = client.get(f"/v1/sessions/{session['session_id']}/rounds", headers=h).json()
    page = new_context().new_page()
    page.goto(server.base_url + "/verify.html")
    page.wait_for_selector("body[data-ready='1']")

    def check(seed: str, text: str, game: str = "") -> str:
        page.fill("#verify-seed", seed)
        page.select_option("#verify-game", game)
        page.fill("#verify-rounds", text)
        page.click("#verify-form button[type=submit]")
        page.wait_for_selector("#report p")
        return page.text_content("#report")

    seed = reveal["revealed_server_seed"]
    assert "OK: 3 rodada(s)" in check(seed, json.dumps(rounds)) and "slots 3" in page.text_content(
        "#report"
    )
    assert "Nenhuma rodada da lista foi feita com esta semente" in check(
        "0" * 64, json.dumps(rounds)
    )
    assert "O JSON das rodadas está quebrado" in check(seed, '{"rounds": [')
    assert "rodadas de outro jogo (slots)" in check(seed, json.dumps(rounds), game="dice")
    assert "64 caracteres hexadecimais" in check("abc", json.dumps(rounds))
    tampered = json.loads(json.dumps(rounds))
    tampered["rounds"][0]["payout"] += 1
    report = check(seed, json.dumps(tampered))
    assert "DIVERGÊNCIA em 1 rodada" in report and "payout" in report
    assert "OK" not in report

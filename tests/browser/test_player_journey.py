"""A Brazilian player's whole journey in Portuguese, with a staff member approving the KYC in a
second browser context: sign-up with the mandatory limits, a 150,50 deposit confirmed in words,
documents, every game with its paytable, the fairness panel verified in the browser, the
history with paging, a withdrawal, logout."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.support import STRONG_PASSWORD, jpeg_bytes, new_cpf, png_bytes, punctuate_cpf

from .support import (
    PHONE,
    api,
    create_staff,
    finish_round,
    money_text,
    new_email,
    screenshot,
    staff_log_in,
)


def test_a_player_signs_up_deposits_is_verified_plays_every_game_and_verifies_the_rounds(
    server, new_context, tmp_path
):
    admin = create_staff(server, "admin")
    page = new_context().new_page()
    email, cpf = new_email(), new_cpf()
    page.goto(server.base_url + "/#/register")
    page.wait_for_selector("body[data-ready='1']")
    assert page.locator("html").get_attribute("lang") == "pt-BR"
    assert page.is_visible("text=Seus limites (obrigatórios)")
    # The mandatory limits are chosen here, with the defaults pre-filled the Brazilian way.
    assert page.input_value("#reg-loss-daily") == "5.000,00"
    assert page.input_value("#reg-time-daily") == "480"
    assert page.is_visible("#view-register .risk")
    page.fill("#reg-name", "Ana Web")
    page.fill("#reg-email", email)
    page.fill("#reg-password", STRONG_PASSWORD)
    page.fill("#reg-birth", "1990-01-01")
    page.type("#reg-cpf", cpf)
    assert page.input_value("#reg-cpf") == punctuate_cpf(cpf)
    page.fill("#reg-loss-daily", "300,00")
    page.click("#register-form button[type=submit]")
    # The three acknowledgements are required.
    page.wait_for_selector("#register-form .form-error:not([hidden])")
    assert "confirme os três itens" in page.text_content("#register-form .form-error")
    for box in ("#reg-risk", "#reg-age", "#reg-terms"):
        page.check(box)
    page.click("#register-form button[type=submit]")
    page.wait_for_selector("#view-lobby:not([hidden]) .game-card")

    # Lobby: every game with its RTP, before any bet.
    cards = page.locator(".game-card")
    assert cards.count() == 3
    lobby = page.text_content("#game-list")
    for name in ("Dice", "Fruit Slot", "Limbo"):
        assert name in lobby
    assert "97,00%" in lobby and "96,00%" in lobby
    assert page.is_visible("#lobby-kyc")  # KYC still to do

    # The limits chosen at sign-up are what the server holds.
    page.click("#main-nav >> text=Jogo responsável")
    page.wait_for_selector("#rg-limits table")
    limits = money_text(page, "#rg-limits")
    assert "R$ 300,00" in limits and "R$ 20.000,00" in limits and "480 minutos" in limits

    # Deposit 150,50: confirmed with the amount in figures and in words; exactly 15050 centavos.
    page.click("#main-nav >> text=Carteira")
    page.wait_for_selector("#view-wallet:not([hidden])")
    page.fill("#deposit-amount", "150,50")
    page.click("#deposit-form button[type=submit]")
    dialog = page.locator("#dialog")
    dialog.wait_for(state="visible")
    assert "R$ 150,50" in money_text(page, "#dialog .confirm-amount")
    assert (
        page.text_content("#dialog .confirm-words")
        == "(cento e cinquenta reais e cinquenta centavos)"
    )
    screenshot(page, "wallet-confirm")
    page.click("#dialog .dialog-confirm")
    dialog.wait_for(state="hidden")
    expect(page.locator("#wallet-balance")).to_contain_text("150,50")
    assert money_text(page, "#wallet-balance") == "R$ 150,50"
    player_events = events_of(server, email)
    assert [(e["type"], e["amount"]) for e in player_events] == [("DEPOSIT", 15050)]
    assert "Depósito" in page.text_content("#history")

    # KYC: the document types, then a staff member approves in another context.
    page.click("#main-nav >> text=Verificação")
    page.wait_for_selector("#kyc-state")
    assert "não enviada" in page.text_content("#kyc-state")
    options = page.locator("#kyc-type option").all_text_contents()
    assert len(options) == 4 and "Selfie segurando o documento" in options
    for doc_type, name, data in (
        ("id_front", "rg.png", png_bytes()),
        ("selfie", "selfie.jpg", jpeg_bytes()),
    ):
        path = tmp_path / name
        path.write_bytes(data)
        page.select_option("#kyc-type", doc_type)
        page.set_input_files("#kyc-file", str(path))
        page.click("#kyc-form button[type=submit]")
        page.wait_for_selector(f"#kyc-sent >> text={name}")
    assert "em análise" in page.text_content("#kyc-state")
    not_a_document = tmp_path / "notes.txt"
    not_a_document.write_text("hello")
    page.set_input_files("#kyc-file", str(not_a_document))
    page.click("#kyc-form button[type=submit]")
    page.wait_for_selector("#kyc-form .form-error:not([hidden])")
    assert "não é um PDF, JPEG ou PNG" in page.text_content("#kyc-form .form-error")

    ops = new_context().new_page()
    staff_log_in(ops, server, admin)
    ops.click("#tabs >> text=KYC")
    row = ops.locator("#kyc-queue tr", has_text=email)
    row.wait_for()
    row.locator("button", has_text="Ver Documento de identidade (frente)").click()
    ops.wait_for_selector("#kyc-preview img.doc-preview")
    assert ops.evaluate("document.querySelector('#kyc-preview img').naturalWidth") == 1
    row.locator("button", has_text="Aprovar").click()
    ops.wait_for_selector(f"#notice >> text={email}: verificada")

    page.reload()
    page.wait_for_selector("#kyc-state")
    assert "verificada" in page.text_content("#kyc-state")

    # Dice: the paytable and RTP before the bet; the form only allows targets the server takes.
    page.goto(server.base_url + "/#/game/dice")
    page.wait_for_selector("#paytable table")
    assert "RTP teórico: 97,00%" in page.text_content("#paytable")
    assert page.get_attribute("#param-target", "max") == "9699"
    assert page.get_attribute("#param-target", "min") == "100"
    page.fill("#param-target", "9700")
    page.click("#bet-submit")
    page.wait_for_selector("#bet-form .form-error:not([hidden])")
    assert "fora do permitido" in page.text_content("#bet-form .form-error")
    assert rounds_of(page, server, email) == []
    assert [e for e in events_of(server, email) if e["type"] == "BET"] == []
    page.fill("#client-seed", "minha semente da sorte")
    page.fill("#param-target", "5000")
    page.fill("#bet-stake", "1,00")
    assert "Chance de ganhar: 50,00%" in page.text_content("#bet-preview")
    page.click("#bet-submit")
    page.wait_for_selector("#round-result >> text=Rodada 0")
    finish_round(page)
    assert page.text_content("#fair-client-seed") == "minha semente da sorte"
    assert re.fullmatch(r"[0-9a-f]{64}", page.text_content("#fair-seed-hash"))
    assert page.text_content("#fair-nonce") == "1"
    page.click("#bet-submit")
    page.wait_for_selector("#round-result >> text=Rodada 1")
    finish_round(page)
    screenshot(page, "game-dice")

    # Reveal and verify in the browser: every round recomputed under the revealed seed.
    page.click("#rotate")
    page.wait_for_selector("#fair-revealed-seed")
    assert re.fullmatch(r"[0-9a-f]{64}", page.text_content("#fair-revealed-seed"))
    assert page.text_content("#fair-nonce") == "0"
    page.click("#verify-session")
    page.wait_for_selector("#verify-result .ok")
    assert "OK: 2 rodada(s)" in page.text_content("#verify-result")
    assert "dice 2" in page.text_content("#verify-result")

    # Fruit Slot and Limbo: their own screens and paytables.
    page.goto(server.base_url + "/#/game/slots")
    page.wait_for_selector("#paytable table")
    slots_table = page.text_content("#paytable")
    assert "7 7 7" in slots_table and "421,84×" in slots_table and "6315" in slots_table
    assert page.locator("#bet-params input").count() == 0
    page.click("#bet-submit")
    page.wait_for_selector("#round-result >> text=Rodada 0")
    finish_round(page)
    page.goto(server.base_url + "/#/game/limbo")
    page.wait_for_selector("#param-limbo")
    assert page.input_value("#param-limbo") == "2,00"
    page.fill("#param-limbo", "1,00")
    page.click("#bet-submit")
    page.wait_for_selector("#bet-form .form-error:not([hidden])")
    page.fill("#param-limbo", "2,50")
    page.click("#bet-submit")
    page.wait_for_selector("#round-result >> text=Rodada 0")
    finish_round(page)
    assert "alvo 2,50×" in page.text_content("#round-result")
    page.click("#rotate")
    page.wait_for_selector("#fair-revealed-seed")
    page.click("#verify-session")
    page.wait_for_selector("#verify-result .ok")
    assert "limbo 1" in page.text_content("#verify-result")
    played = rounds_of(page, server, email)
    assert sorted(r["game_id"] for r in played) == ["dice", "dice", "limbo", "slots"]
    assert [r["params"] for r in played if r["game_id"] == "limbo"] == [
        {"target_multiplier_x100": 250}
    ]

    # History with paging: 1 deposit + 4 bets + wins; 10 per page, newest first.
    page.click("#main-nav >> text=Carteira")
    page.wait_for_selector("#history table")
    total = len(events_of(server, email))
    assert f"de {total}" in page.text_content("#history-range")
    assert page.is_disabled("#history-newer")

    # A withdrawal, confirmed the same way.
    page.fill("#withdraw-amount", "10,00")
    page.click("#withdraw-form button[type=submit]")
    page.locator("#dialog").wait_for(state="visible")
    assert page.text_content("#dialog .confirm-words") == "(dez reais)"
    page.click("#dialog .dialog-confirm")
    page.wait_for_selector("#notice >> text=Saque de R$")
    assert events_of(server, email)[-1]["type"] == "WITHDRAWAL"
    assert events_of(server, email)[-1]["amount"] == 1000

    # Logout: the login form, and the pages behind it ask for a login again.
    page.click("#logout")
    page.wait_for_selector("#view-login:not([hidden])")
    page.goto(server.base_url + "/#/wallet")
    page.wait_for_selector("#view-login:not([hidden])")
    assert page.is_hidden("#main-nav")


def test_the_main_screens_on_a_phone_keep_messages_in_view(server, new_context):
    page = new_context(viewport=PHONE).new_page()
    email = new_email()
    page.goto(server.base_url + "/#/register")
    page.wait_for_selector("body[data-ready='1']")
    page.fill("#reg-name", "Bia Celular")
    page.fill("#reg-email", email)
    page.fill("#reg-password", STRONG_PASSWORD)
    page.fill("#reg-birth", "1992-05-05")
    page.fill("#reg-cpf", new_cpf())
    for box in ("#reg-risk", "#reg-age", "#reg-terms"):
        page.check(box)
    page.click("#register-form button[type=submit]")
    page.wait_for_selector("#view-lobby:not([hidden]) .game-card")
    # The welcome (with the risk reminder) is pinned inside the viewport.
    box = page.locator("#notice").bounding_box()
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]
    page.goto(server.base_url + "/#/wallet")
    page.fill("#deposit-amount", "20,00")
    page.click("#deposit-form button[type=submit]")
    dialog = page.locator("#dialog")
    dialog.wait_for(state="visible")
    box = dialog.bounding_box()
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]
    assert box["width"] <= PHONE["width"]
    page.click("#dialog .dialog-confirm")
    page.wait_for_selector("#notice >> text=Depósito de R$")


def events_of(server, email: str) -> list[dict]:
    return _as_player(
        server,
        email,
        lambda c, h: c.get("/v1/wallet/events?limit=1000", headers=h).json()["events"],
    )


def rounds_of(page, server, email: str) -> list[dict]:
    """The rounds of the sessions the page opened (their ids are in its sessionStorage), as the
    server lists them."""
    sessions = page.evaluate("JSON.parse(sessionStorage.getItem('casino.sessions') || '{}')")

    def read(client, headers):
        rounds = []
        for session in sessions.values():
            r = client.get(f"/v1/sessions/{session['session_id']}/rounds", headers=headers)
            assert r.status_code == 200, r.text
            rounds += r.json()["rounds"]
        return rounds

    return _as_player(server, email, read)


def _as_player(server, email: str, read):
    with api(server) as client:
        r = client.post("/v1/auth/login", json={"email": email, "password": STRONG_PASSWORD})
        assert r.status_code == 200, r.text
        return read(client, {"Authorization": f"Bearer {r.json()['access_token']}"})

"""Money moves once per intent: a double click deposits or bets once, a lost answer retried with
"try again" reuses its Idempotency-Key, and amounts typed the Brazilian way are exact."""

from __future__ import annotations

from playwright.sync_api import expect

from .support import create_staff, events, log_in, money_text, register_player, verify_player


def open_deposit(page, amount: str) -> None:
    page.goto(page.url.split("#")[0] + "#/wallet")
    page.wait_for_selector("#view-wallet:not([hidden]) #wallet-balance")
    page.fill("#deposit-amount", amount)
    page.click("#deposit-form button[type=submit]")
    page.locator("#dialog").wait_for(state="visible")


def test_a_double_click_on_confirm_deposits_once(server, page):
    player = register_player(server)
    log_in(page, server, player)
    open_deposit(page, "25,00")
    page.dblclick("#dialog .dialog-confirm")
    page.locator("#dialog").wait_for(state="hidden")
    page.wait_for_selector("#notice >> text=Depósito de R$")
    deposits = [e for e in events(server, player) if e["type"] == "DEPOSIT"]
    assert [d["amount"] for d in deposits] == [2500]
    assert money_text(page, "#wallet-balance") == "R$ 25,00"


def test_the_confirm_button_is_busy_while_the_deposit_is_in_flight(server, page):
    player = register_player(server)
    log_in(page, server, player)
    held = []
    page.route("**/v1/wallet/deposits", lambda route: held.append(route))
    open_deposit(page, "10,00")
    page.click("#dialog .dialog-confirm")
    expect(page.locator("#dialog .dialog-confirm")).to_be_disabled()
    assert page.get_attribute("#dialog .dialog-confirm", "aria-busy") == "true"
    page.click("#dialog .dialog-confirm", force=True)  # pressing again does nothing
    page.wait_for_timeout(300)
    assert len(held) == 1
    held[0].continue_()
    page.locator("#dialog").wait_for(state="hidden")
    assert [e["amount"] for e in events(server, player)] == [1000]


def test_a_lost_answer_retried_reuses_the_key_and_moves_money_once(server, page, console):
    console.allow("net::ERR_CONNECTION_RESET")
    player = register_player(server)
    log_in(page, server, player)
    keys = []

    def lose_the_answer(route):
        keys.append(route.request.headers["idempotency-key"])
        if len(keys) == 1:
            route.fetch()  # the server commits the deposit...
            route.abort("connectionreset")  # ...and the answer never arrives
        else:
            route.continue_()

    page.route("**/v1/wallet/deposits", lose_the_answer)
    open_deposit(page, "40,00")
    page.click("#dialog .dialog-confirm")
    page.wait_for_selector("#dialog .dialog-error:not([hidden])")
    assert "Sem conexão com o servidor" in page.text_content("#dialog .dialog-error")
    assert page.text_content("#dialog .dialog-confirm") == "Tentar de novo"
    page.click("#dialog .dialog-confirm")
    page.locator("#dialog").wait_for(state="hidden")
    assert len(keys) == 2 and keys[0] == keys[1]
    assert [e["amount"] for e in events(server, player)] == [4000]
    assert money_text(page, "#wallet-balance") == "R$ 40,00"
    # After a success the next deposit is another intent: a new key.
    page.unroute("**/v1/wallet/deposits")
    page.route("**/v1/wallet/deposits", lose_the_answer)
    open_deposit(page, "40,00")
    page.click("#dialog .dialog-confirm")
    page.locator("#dialog").wait_for(state="hidden")
    assert len(keys) == 3 and keys[2] != keys[0]
    assert [e["amount"] for e in events(server, player)] == [4000, 4000]


def test_150_50_is_fifteen_thousand_and_fifty_centavos_and_150_dot_50_is_refused(server, page):
    player = register_player(server)
    log_in(page, server, player)
    open_deposit(page, "1.150,50")
    assert "R$ 1.150,50" in money_text(page, "#dialog .confirm-amount")
    assert "mil cento e cinquenta reais e cinquenta centavos" in page.text_content(
        "#dialog .confirm-words"
    )
    page.click("#dialog .dialog-cancel")
    page.locator("#dialog").wait_for(state="hidden")
    assert events(server, player) == []  # cancelled: nothing moved
    page.fill("#deposit-amount", "150.50")
    page.click("#deposit-form button[type=submit]")
    page.wait_for_selector("#deposit-form .form-error:not([hidden])")
    assert "Use vírgula para os centavos" in page.text_content("#deposit-form .form-error")
    assert page.is_hidden("#dialog")
    open_deposit(page, "150,50")
    page.click("#dialog .dialog-confirm")
    page.locator("#dialog").wait_for(state="hidden")
    assert [e["amount"] for e in events(server, player)] == [15050]


def test_a_double_click_on_the_bet_button_plays_one_round(server, page):
    player = register_player(server)
    verify_player(server, player, create_staff(server, "admin"))
    log_in(page, server, player)
    open_deposit(page, "10,00")
    page.click("#dialog .dialog-confirm")
    page.locator("#dialog").wait_for(state="hidden")
    page.goto(server.base_url + "/#/game/dice")
    page.wait_for_selector("#param-target")
    page.fill("#bet-stake", "2,00")
    page.dblclick("#bet-submit")
    page.wait_for_selector("#round-result >> text=Rodada 0")
    page.wait_for_timeout(500)
    bets = [e for e in events(server, player) if e["type"] == "BET"]
    assert [b["amount"] for b in bets] == [200]
    assert page.text_content("#fair-nonce") == "1"

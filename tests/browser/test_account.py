"""The account page: contact details and the PIX payout key in the player's own CPF (the
fields Brazil asks before a first withdrawal), and the withdrawals list with each one's status
and deadline."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.support import punctuate_cpf

from .support import api, create_staff, log_in, register_player, verify_player


def test_a_player_completes_the_profile_and_sees_the_withdrawal_with_its_status(server, page):
    player = register_player(server)
    verify_player(server, player, create_staff(server, "admin"))
    log_in(page, server, player)
    page.goto(server.base_url + "/#/account")
    page.wait_for_selector("#account-facts dl")
    page.fill("#pf-phone", "+55 11 91234-5678")
    page.fill("#pf-street", "Rua das Flores")
    page.fill("#pf-number", "100")
    page.fill("#pf-city", "São Paulo")
    page.fill("#pf-state", "SP")
    page.fill("#pf-postal", "01001-000")
    page.select_option("#pf-pix-type", "cpf")
    page.fill("#pf-pix", punctuate_cpf(player.cpf))
    page.click("#profile-form button[type=submit]")
    page.wait_for_selector("#notice >> text=Dados salvos.")
    expect(page.locator("#account-missing")).to_be_hidden()
    with api(server) as client:
        me = client.get("/v1/players/me", headers=player.headers()).json()
    assert me["phone"] == "+55 11 91234-5678" and me["address"]["city"] == "São Paulo"
    assert me["payout_account"]["type"] == "pix"
    page.reload()
    page.wait_for_selector("#account-facts dl")
    assert page.input_value("#pf-city") == "São Paulo"

    page.goto(server.base_url + "/#/wallet")
    page.fill("#deposit-amount", "30,00")
    page.click("#deposit-form button[type=submit]")
    page.click("#dialog .dialog-confirm")
    page.locator("#dialog").wait_for(state="hidden")
    page.fill("#withdraw-amount", "12,50")
    page.click("#withdraw-form button[type=submit]")
    page.click("#dialog .dialog-confirm")
    page.locator("#dialog").wait_for(state="hidden")
    row = page.locator("#pending-withdrawals tbody tr").first
    expect(row).to_contain_text("12,50")
    with api(server) as client:
        [withdrawal] = client.get("/v1/wallet/withdrawals", headers=player.headers()).json()[
            "withdrawals"
        ]
    assert withdrawal["amount"] == 1250
    expect(row).to_contain_text("pago" if withdrawal["status"] == "paid" else "pendente")

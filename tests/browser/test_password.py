"""A password change from the account page ends every other login of the player, keeps this
one, and the new password is the one that works."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from .support import STRONG_PASSWORD, log_in, register_player

NEW_PASSWORD = "N0va-Senha-Forte!x"
EXPIRE_NOW = (
    "() => { const t = JSON.parse(sessionStorage.getItem('casino.player'));"
    " t.expiresAt = Date.now(); sessionStorage.setItem('casino.player', JSON.stringify(t)); }"
)


def test_a_password_change_ends_the_other_logins_and_keeps_this_one(server, new_context):
    player = register_player(server)
    here, elsewhere = new_context().new_page(), new_context().new_page()
    log_in(here, server, player)
    log_in(elsewhere, server, player)
    here.goto(server.base_url + "/#/account")
    here.wait_for_selector("#account-facts dl")
    here.fill("#pw-current", STRONG_PASSWORD)
    here.fill("#pw-new", NEW_PASSWORD)
    here.fill("#pw-repeat", NEW_PASSWORD + "x")
    here.click("#password-form button[type=submit]")
    expect(here.locator("#password-form .form-error")).to_have_text(
        "As duas novas senhas não são iguais."
    )
    here.fill("#pw-repeat", NEW_PASSWORD)
    here.click("#password-form button[type=submit]")
    here.wait_for_selector("#notice >> text=Senha trocada")
    # The other browser's login is over at its next refresh; this one goes on.
    for page in (here, elsewhere):
        page.evaluate(EXPIRE_NOW)
        page.reload()
    elsewhere.wait_for_selector("#view-login:not([hidden])")
    here.wait_for_selector("#view-account:not([hidden]) #account-facts dl")
    old = httpx.post(
        f"{server.base_url}/v1/auth/login",
        json={"email": player.email, "password": STRONG_PASSWORD},
    )
    assert old.status_code == 401
    player.password = NEW_PASSWORD
    log_in(elsewhere, server, player)

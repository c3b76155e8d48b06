"""Logins that last: access tokens expire (here after 1 minute, CASINO_ACCESS_TOKEN_MINUTES=1)
and the page refreshes them silently, before and after `token_expired`, one refresh at a time
for parallel requests; a reload keeps the login; a refused refresh shows the login form."""

from __future__ import annotations

import shutil
import time

import pytest

from .support import events, log_in, register_player, start_server

TOKEN_MINUTES = 1


@pytest.fixture(scope="module")
def short_tokens():
    srv = start_server(CASINO_ACCESS_TOKEN_MINUTES=str(TOKEN_MINUTES))
    yield srv
    srv.stop()
    shutil.rmtree(srv.state, ignore_errors=True)


def test_after_the_token_expires_every_action_still_works_and_self_exclusion_too(
    short_tokens, new_context
):
    server = short_tokens
    ahead, behind = register_player(server), register_player(server)
    page = new_context().new_page()
    log_in(page, server, ahead)
    # The second page's clock "believes" its token is still fresh, so it only learns of the
    # expiry from the server's `token_expired`, and must refresh after it.
    late = new_context().new_page()
    log_in(late, server, behind)
    refreshes = []
    for p in (page, late):
        p.on(
            "request",
            lambda r: refreshes.append(r.url) if r.url.endswith("/v1/auth/refresh") else None,
        )
    time.sleep(TOKEN_MINUTES * 60 + 2)
    late.evaluate(
        "() => { const t = JSON.parse(sessionStorage.getItem('casino.player'));"
        " t.expiresAt = Date.now() + 3600000; sessionStorage.setItem('casino.player', JSON.stringify(t)); }"
    )
    late.reload()  # the client reads the skewed expiry back

    # The responsible-gaming hub loads with three parallel requests: one refresh serves them all
    # (two would present the same single-use refresh token and revoke the whole login).
    for p in (page, late):
        p.click("#main-nav >> text=Jogo responsável")
        p.wait_for_selector("#rg-limits table")
        assert p.is_hidden("#view-login")
    assert len(refreshes) == 2, refreshes  # one per page

    # Self-exclusion, the action the issue found locked out, goes through.
    page.select_option("#exclusion-length", "30")
    page.click("#exclusion-form button[type=submit]")
    page.locator("#dialog").wait_for(state="visible")
    page.click("#dialog .dialog-confirm")
    page.wait_for_selector("#rg-exclusion-status.callout")
    assert "Autoexclusão ativa até" in page.text_content("#rg-exclusion-status")

    # The late page deposits after its own token_expired.
    late.click("#main-nav >> text=Carteira")
    late.fill("#deposit-amount", "12,34")
    late.click("#deposit-form button[type=submit]")
    late.click("#dialog .dialog-confirm")
    late.wait_for_selector("#notice >> text=Depósito de R$")
    assert [e["amount"] for e in events(server, behind)] == [1234]


def test_a_reload_keeps_the_login_and_a_refused_refresh_shows_the_login_form(
    short_tokens, new_context
):
    server = short_tokens
    player = register_player(server)
    page = new_context().new_page()
    log_in(page, server, player)
    page.reload()
    page.wait_for_selector("#view-lobby:not([hidden]) .game-card")
    assert page.is_visible("#logout")
    # The refresh token is revoked elsewhere (for example a logout on another device).
    page.evaluate(
        "() => { const t = JSON.parse(sessionStorage.getItem('casino.player'));"
        " t.refresh = 'revoked'; t.expiresAt = Date.now(); sessionStorage.setItem('casino.player', JSON.stringify(t)); }"
    )
    page.reload()
    page.wait_for_selector("#view-login:not([hidden])")
    assert "Sua sessão terminou" in page.text_content("#notice")
    log_in(page, server, player)  # and logging in again works
    assert page.is_visible("#main-nav")

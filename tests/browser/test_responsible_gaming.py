"""The responsible-gaming hub: every limit in money and minutes, pending raises with the date
they apply, refusals in words, a break and a self-exclusion only after a confirmation, the
national platform, and interventions as a dialog in view on a phone."""

from __future__ import annotations

from playwright.sync_api import expect

from .support import (
    PHONE,
    close_note,
    create_staff,
    events,
    log_in,
    money_text,
    register_player,
    verify_player,
)


def test_limits_show_in_reais_with_pending_raises_and_a_deposit_over_the_limit_is_refused_in_words(
    server, page
):
    player = register_player(server)
    log_in(page, server, player)
    page.goto(server.base_url + "/#/limits")
    page.wait_for_selector("#rg-limits table")
    text = money_text(page, "#rg-limits")
    assert "R$ 5.000,00" in text  # the BR default loss limit, not 500000
    assert "{" not in text and "500000" not in text
    assert page.is_visible("text=Nenhuma mudança pendente.")
    # Lowering applies at once; a deposit above it is refused whole, in Portuguese.
    page.fill("#dl-daily", "50,00")
    page.click("#deposit-limit-form button[type=submit]")
    page.wait_for_selector("#notice >> text=Limites salvos.")
    expect(page.locator("#rg-limits")).to_contain_text("50,00")
    # Raising the loss limit waits 24 hours and shows as pending, with its date.
    page.fill("#ll-daily", "6.000,00")
    page.click("#loss-limit-form button[type=submit]")
    page.wait_for_selector("#rg-pending-list li")
    pending = money_text(page, "#rg-pending-list")
    assert "Perda diária: passa a R$ 6.000,00 em" in pending
    assert "R$ 5.000,00" in money_text(page, "#rg-limits")  # still in force
    page.goto(server.base_url + "/#/wallet")
    page.fill("#deposit-amount", "60,00")
    page.click("#deposit-form button[type=submit]")
    page.click("#dialog .dialog-confirm")
    page.wait_for_selector("#dialog .dialog-error:not([hidden])")
    assert "passaria do seu limite de depósito" in page.text_content("#dialog .dialog-error")
    page.click("#dialog .dialog-cancel")
    assert events(server, player) == []


def test_time_limits_lower_at_once_raise_after_a_cooling_off_and_cannot_be_removed(server, page):
    player = register_player(server)
    log_in(page, server, player)
    page.goto(server.base_url + "/#/limits")
    page.wait_for_selector("#rg-limits table")
    assert "Tempo de jogo semanal" in page.text_content("#rg-limits")
    page.fill("#tl-daily", "120")
    page.click("#time-limit-form button[type=submit]")
    page.wait_for_selector("#notice >> text=Limites salvos.")
    expect(page.locator("#rg-limits")).to_contain_text("120 minutos")
    page.fill("#tl-daily", "600")
    page.click("#time-limit-form button[type=submit]")
    page.wait_for_selector("#rg-pending-list li")
    assert "Tempo de jogo diário: passa a 600 minutos em" in page.text_content("#rg-pending-list")
    # A mandatory limit cannot be removed in Brazil (one window at least): the refusal in words.
    for period in ("daily", "weekly", "monthly"):
        page.fill(f"#tl-{period}", "")
    page.click("#time-limit-form button[type=submit]")
    page.wait_for_selector("#time-limit-form .form-error:not([hidden])")
    assert "obrigatório no Brasil" in page.text_content("#time-limit-form .form-error")


def test_a_break_and_a_self_exclusion_need_a_confirmation_and_name_the_national_platform(
    server, page
):
    player = register_player(server)
    log_in(page, server, player)
    page.goto(server.base_url + "/#/limits")
    page.wait_for_selector("#rg-status p")
    national = page.locator("#view-limits a[href='https://www.gov.br/autoexclusaoapostas']")
    assert national.count() >= 1 and national.first.is_visible()
    page.select_option("#exclusion-length", "permanent")
    page.click("#exclusion-form button[type=submit]")
    page.locator("#dialog").wait_for(state="visible")
    assert "não pode ser desfeito" in page.text_content("#dialog")
    assert page.locator("#dialog a[href='https://www.gov.br/autoexclusaoapostas']").count() == 1
    page.click("#dialog .dialog-cancel")  # changed their mind: nothing happens
    page.locator("#dialog").wait_for(state="hidden")
    page.reload()
    page.wait_for_selector("#rg-status p")
    assert "Nenhuma pausa ou autoexclusão ativa." in page.text_content("#rg-status")
    page.select_option("#break-hours", "24")
    page.click("#break-form button[type=submit]")
    page.locator("#dialog").wait_for(state="visible")
    page.click("#dialog .dialog-confirm")
    page.wait_for_selector("#rg-exclusion-status.callout")
    assert "Pausa ativa até" in page.text_content("#rg-exclusion-status")
    page.goto(server.base_url + "/#/wallet")
    page.fill("#deposit-amount", "10,00")
    page.click("#deposit-form button[type=submit]")
    page.click("#dialog .dialog-confirm")
    page.wait_for_selector("#dialog .dialog-error:not([hidden])")
    assert "pausa ou autoexclusão" in page.text_content("#dialog .dialog-error")


def test_an_intervention_opens_as_a_dialog_in_view_on_a_phone(server, new_context):
    player = register_player(server)
    verify_player(server, player, create_staff(server, "admin"))
    page = new_context(viewport=PHONE).new_page()
    log_in(page, server, player)
    page.goto(server.base_url + "/#/wallet")
    page.fill("#deposit-amount", "100,00")
    page.click("#deposit-form button[type=submit]")
    page.click("#dialog .dialog-confirm")
    page.locator("#dialog").wait_for(state="hidden")
    page.goto(server.base_url + "/#/game/dice")
    page.wait_for_selector("#param-target")
    page.fill("#param-target", "9000")
    # Rising stakes, the last at least three times the first five rounds back: the
    # rising-stakes rule. (At night in São Paulo a night-play note may come first; each note is
    # a dialog, closed the way a player would.)
    seen = []
    for stake in ("1,00", "1,50", "2,00", "2,50", "3,00", "3,50"):
        page.fill("#bet-stake", stake)
        page.click("#bet-submit")
        # The round is done when the button is free again or a dialog has opened.
        page.wait_for_selector("#bet-submit:not([disabled]), #dialog[open]")
        page.wait_for_timeout(200)
        if page.locator("#dialog").is_visible():
            box = page.locator("#dialog").bounding_box()
            assert box and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
            assert box["width"] <= PHONE["width"]
            seen.append(page.text_content("#dialog"))
            close_note(page)
    assert any("Suas apostas estão subindo rápido" in text for text in seen), seen

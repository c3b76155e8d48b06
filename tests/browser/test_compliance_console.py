"""The console's compliance screens as compliance and operators use them: behavioural alerts from
a player's own play, with the intervention in words; AML alerts raised by a burst of deposits,
filtered, read with the events behind them and moved through their lifecycle only with a reason
and a confirmation (a move someone else made first is said in words); the daily report saved as
JSON and CSV, byte for byte as the API gives it. axe-core clean, no console error, no sideways
scroll on a phone.

The AML and report tests need the endpoints of issue 10 (`-m needs_aml_api`, `-m
needs_reports_api`); they fail, saying so, on a server that does not serve them yet."""

from __future__ import annotations

import re
import time
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from .support import (
    PHONE,
    api,
    assert_accessible,
    assert_no_horizontal_scroll,
    create_staff,
    register_player,
    screenshot,
    staff_log_in,
    verify_player,
)

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
DATE_PT = re.compile(r"\d{2}/\d{2}/\d{4}")
SMALL_PHONE = {"width": 320, "height": 700}
AML_ALERTS = "/v1/ops/aml/alerts"
DAILY_REPORT = "/v1/ops/reports/daily"


def require_endpoint(server, path: str) -> None:
    paths = httpx.get(f"{server.base_url}/openapi.json", timeout=30).json()["paths"]
    assert path in paths, f"this test needs {path} (issue 10), which this server does not serve"


def console_token(page) -> str:
    """The staff member's access token as the console holds it (a second TOTP login would have
    to wait for the next 30-second step)."""
    return page.evaluate("JSON.parse(sessionStorage.getItem('casino.staff')).access")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def yesterday_in_sao_paulo() -> str:
    return (datetime.now(SAO_PAULO).date() - timedelta(days=1)).isoformat()


def check_phone_widths(page, where: str, ready: str) -> None:
    for size in (SMALL_PHONE, PHONE):
        page.set_viewport_size(size)
        page.reload()
        page.wait_for_selector(ready)
        assert_no_horizontal_scroll(page, f"{where} at {size['width']} px")
        screenshot(page, where)


# ---------------------------------------------------------------- behavioural alerts


def _rising_stakes(server, reviewer) -> str:
    """A verified player whose rounds of rising stakes raise a `rising_stakes` alert; the round
    after five rising stakes is the one that sees them."""
    player = register_player(server)
    verify_player(server, player, reviewer)
    with api(server) as client:
        r = client.post("/v1/wallet/deposits", json={"amount": 10000, "method": "pix"},
                        headers=player.headers() | {"Idempotency-Key": str(uuid.uuid4())})  # fmt: skip
        assert r.status_code == 201, r.text
        session = client.post("/v1/games/dice/sessions", json={}, headers=player.headers())
        assert session.status_code == 201, session.text
        url = f"/v1/sessions/{session.json()['session_id']}/rounds"
        for stake in (100, 150, 200, 250, 300, 100):
            r = client.post(url, json={"stake": stake, "params": {"target": 5000}},
                            headers=player.headers() | {"Idempotency-Key": str(uuid.uuid4())})  # fmt: skip
            assert r.status_code == 201, r.text
    return player.player_id


def test_behavioural_alerts_reach_operators_with_the_rule_and_intervention_in_words(
    server, new_context
):
    player_id = _rising_stakes(server, create_staff(server, "admin"))
    operator = create_staff(server, "operator")
    page = new_context().new_page()
    staff_log_in(page, server, operator)
    page.click("#tabs >> text=Alertas de comportamento")
    page.wait_for_selector("#behaviour-filter")
    page.fill("#behaviour-player", player_id)
    page.select_option("#behaviour-rule", "rising_stakes")
    row = page.locator("#behaviour-list tbody tr", has_text=player_id)
    deadline = time.monotonic() + 10  # the projection into D1 follows the commit
    while True:
        page.click("#behaviour-filter button[type=submit]")
        page.wait_for_selector("#behaviour-filter button[type=submit]:not([aria-busy])")
        if row.count() or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert row.count() == 1, page.text_content("#behaviour-list")
    cells = row.locator("td").all_text_contents()
    assert DATE_PT.search(cells[0]), cells
    assert cells[2] == "Apostas subindo"
    assert re.fullmatch(r"[12] de 4", cells[3]), cells
    assert cells[4] in {"Mensagem ao jogador", "Limite sugerido"}
    assert "rising_stakes" not in page.text_content("#behaviour-list")
    assert page.text_content("#behaviour-count") == "1 alerta"
    assert_accessible(page, "behavioural alerts")
    # A rule the player did not trigger: nothing, said in words.
    page.select_option("#behaviour-rule", "long_session")
    page.click("#behaviour-filter button[type=submit]")
    page.locator("#behaviour-list >> text=Nenhum alerta de comportamento").wait_for()
    page.select_option("#behaviour-rule", "rising_stakes")
    page.click("#behaviour-filter button[type=submit]")
    row.wait_for()
    # The player's id leads to the player lookup.
    row.locator("a").click()
    page.wait_for_selector("#player-audit")
    assert player_id in page.text_content("#player-audit")
    page.go_back()
    page.wait_for_selector("#behaviour-filter")
    page.click("#locale-switch")
    page.click("#behaviour-filter button[type=submit]")
    page.locator("#behaviour-list td", has_text="Rising stakes").wait_for()
    page.click("#locale-switch")
    page.click("#behaviour-filter button[type=submit]")
    row.wait_for()
    check_phone_widths(page, "console-behaviour", "#behaviour-count")


# ---------------------------------------------------------------- reports


def test_the_report_day_defaults_to_yesterday_in_sao_paulo_and_a_day_not_over_is_refused(
    server, new_context
):
    compliance = create_staff(server, "compliance")
    # A staff member elsewhere (UTC) still gets the Brazilian day.
    page = new_context(timezone="UTC").new_page()
    staff_log_in(page, server, compliance)
    page.click("#tabs >> text=Relatórios")
    page.wait_for_selector("#report-form")
    yesterday = yesterday_in_sao_paulo()
    assert page.input_value("#report-date") == yesterday
    assert page.get_attribute("#report-date", "max") == yesterday
    # The day in words, whatever format the date field itself shows.
    day = datetime.fromisoformat(yesterday)
    assert f"{day.day} de " in page.text_content("#report-date-words")
    assert str(day.year) in page.text_content("#report-date-words")
    requests = []
    page.on("request", lambda r: requests.append(r.url) if DAILY_REPORT in r.url else None)
    today = datetime.now(SAO_PAULO).date().isoformat()
    page.fill("#report-date", today)
    page.click("#report-csv")
    page.wait_for_selector("#report-form .form-error:not([hidden])")
    assert "Escolha um dia já encerrado" in page.text_content("#report-form .form-error")
    assert page.get_attribute("#report-date", "aria-invalid") == "true"
    assert requests == []
    assert_accessible(page, "reports")
    check_phone_widths(page, "console-reports", "#report-form")


@pytest.mark.needs_reports_api
def test_a_daily_report_downloads_as_json_and_csv_byte_for_byte_as_the_api_gives_it(
    server, new_context, tmp_path
):
    require_endpoint(server, DAILY_REPORT)
    compliance = create_staff(server, "compliance")
    page = new_context().new_page()
    staff_log_in(page, server, compliance)
    page.click("#tabs >> text=Relatórios")
    page.wait_for_selector("#report-form")
    day = yesterday_in_sao_paulo()
    headers = bearer(console_token(page))
    saved = {}
    for fmt, accept in (("json", "application/json"), ("csv", "text/csv")):
        with page.expect_download() as info:
            page.click(f"#report-{fmt}")
        download = info.value
        target = tmp_path / f"{fmt}-{download.suggested_filename}"
        download.save_as(target)
        assert download.suggested_filename == f"relatorio-BR-{day}.{fmt}"
        saved[fmt] = target.read_bytes()
        r = httpx.get(f"{server.base_url}{DAILY_REPORT}", params={"date": day, "jurisdiction": "BR"},
                      headers=headers | {"Accept": accept}, timeout=30)  # fmt: skip
        assert r.status_code == 200, r.text
        assert saved[fmt] == r.content, f"the {fmt} saved differs from the API's"
        page.wait_for_selector(f"#report-status >> text={download.suggested_filename}")
        assert page.text_content("#report-preview")
    assert saved["json"].lstrip().startswith((b"{", b"["))
    # The same day again: the same bytes.
    with page.expect_download() as again:
        page.click("#report-csv")
    second = tmp_path / "again.csv"
    again.value.save_as(second)
    assert second.read_bytes() == saved["csv"]
    assert_accessible(page, "report downloaded")


# ---------------------------------------------------------------- AML alerts


def _aml(server, token: str, **params) -> list[dict]:
    r = httpx.get(
        f"{server.base_url}{AML_ALERTS}", params=params, headers=bearer(token), timeout=30
    )
    assert r.status_code == 200, r.text
    return r.json()["alerts"]


def _status(server, token: str, alert_id: str) -> str:
    r = httpx.get(f"{server.base_url}{AML_ALERTS}/{alert_id}", headers=bearer(token), timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["status"]


def _count_text(n: int) -> str:
    return (
        "Nenhum alerta com estes filtros." if n == 0 else "1 alerta" if n == 1 else f"{n} alertas"
    )


def _filter(page) -> None:
    page.click("#aml-filter button[type=submit]")
    page.wait_for_selector("#aml-filter button[type=submit]:not([aria-busy])")
    page.wait_for_selector("#aml-count")


@pytest.mark.needs_aml_api
def test_a_burst_of_deposits_raises_a_velocity_alert_compliance_filters_reviews_and_closes(
    server, new_context
):
    require_endpoint(server, AML_ALERTS)
    compliance = create_staff(server, "compliance")
    page = new_context().new_page()
    staff_log_in(page, server, compliance)
    page.click("#tabs >> text=Alertas AML")
    page.wait_for_selector("#aml-filter")
    token = console_token(page)

    player = register_player(server)
    with api(server) as client:
        for n in range(7):
            r = client.post("/v1/wallet/deposits", json={"amount": 10000, "method": "pix"},
                            headers=player.headers() | {"Idempotency-Key": f"burst-{n}-{uuid.uuid4()}"})  # fmt: skip
            assert r.status_code == 201, r.text
    burst_ended = time.monotonic()

    # Within 5 seconds the console lists it, filtered by player and rule.
    page.fill("#aml-player", player.player_id)
    page.select_option("#aml-rule", "deposit_velocity")
    rows = page.locator("#aml-list tbody tr", has_text=player.player_id)
    while True:
        asked_at = time.monotonic() - burst_ended
        _filter(page)
        if rows.count() or asked_at > 5:
            break
        time.sleep(0.2)
    assert rows.count() and asked_at <= 5, (
        f"no velocity alert within 5 s: {page.text_content('#aml-list')}"
    )
    alerts = _aml(server, token, player_id=player.player_id, rule="deposit_velocity")
    # One alert per rule and window: only a burst across a window's edge raises a second one.
    assert 1 <= len(alerts) <= 2 and rows.count() == len(alerts)
    alert = alerts[0]
    anchor = f"a[data-alert='{alert['alert_id']}']"
    link = page.locator(f"#aml-list {anchor}")
    row = page.locator("#aml-list tbody tr", has=page.locator(anchor))
    cells = row.locator("td").all_text_contents()
    assert DATE_PT.search(cells[0]) and cells[2] == "Depósitos em sequência rápida", cells
    assert cells[5] == "aberto" and alert["status"] == "open"

    # Filters by risk and status: the console shows what the API answers for them.
    other_risk = next(r for r in ("low", "medium", "high", "critical") if r != alert["risk"])
    for risk, status, listed in (
        (other_risk, "", False), (alert["risk"], "open", True), (alert["risk"], "closed", False),
        ("", "", True),
    ):  # fmt: skip
        page.select_option("#aml-risk", risk)
        page.select_option("#aml-status", status)
        _filter(page)
        filters = {k: v for k, v in (("risk", risk), ("status", status)) if v}
        expected = _aml(
            server, token, player_id=player.player_id, rule="deposit_velocity", **filters
        )
        assert page.text_content("#aml-count") == _count_text(len(expected)), filters
        assert link.count() == int(listed), filters
        assert (alert["alert_id"] in {a["alert_id"] for a in expected}) is listed, filters
    assert_accessible(page, "AML alerts list")

    # The detail: the deposits that raised it, in reais.
    link.click()
    page.wait_for_selector("#aml-alert")
    assert page.url.endswith(f"#/aml/{alert['alert_id']}")
    detail = page.text_content("#aml-alert").replace("\u00a0", " ")
    assert "Alerta: Depósitos em sequência rápida" in detail
    events = page.locator("#aml-events tbody tr")
    assert events.count() >= 6
    assert all("R$ 100,00" in t.replace("\u00a0", " ") for t in events.all_text_contents())
    assert "Depósito" in events.first.text_content()
    assert page.text_content("#aml-alert-status") == "aberto"
    assert page.text_content("#aml-cos") and page.text_content("#aml-action")
    # Why, in Portuguese and in reais, from the alert's figures (not the engine's English).
    reason = page.text_content("#aml-reason-text").replace("\u00a0", " ")
    assert re.fullmatch(r"\d+ depósitos somando R\$ [\d.]+,00 em 1 (minuto|hora|dia)", reason), (
        reason
    )
    assert_accessible(page, "AML alert detail")

    # A move needs a reason, then a confirmation; cancelling changes nothing.
    page.click("#aml-move button[value=under_review]")
    page.wait_for_selector("#aml-move .form-error:not([hidden])")
    assert "Escreva o motivo" in page.text_content("#aml-move .form-error")
    assert page.locator("#dialog").is_hidden()
    reason = "Conferir a origem dos recursos dos sete depósitos."
    page.fill("#aml-reason", reason)
    page.click("#aml-move button[value=under_review]")
    page.locator("#dialog").wait_for(state="visible")
    assert "de aberto para em análise" in page.text_content("#dialog")
    assert reason in page.text_content("#dialog")
    assert_accessible(page, "AML move confirmation")
    page.click("#dialog .dialog-cancel")
    page.locator("#dialog").wait_for(state="hidden")
    assert _status(server, token, alert["alert_id"]) == "open"
    page.click("#aml-move button[value=under_review]")
    page.click("#dialog .dialog-confirm")
    page.wait_for_selector("#notice >> text=Alerta agora está: em análise.")
    page.wait_for_selector("#aml-alert-status >> text=em análise")
    assert reason in page.text_content("#aml-history")
    assert _status(server, token, alert["alert_id"]) == "under_review"

    # Someone else closes it first: the console's move is refused in words, then shows it closed.
    r = httpx.post(f"{server.base_url}{AML_ALERTS}/{alert['alert_id']}/status",
                   json={"status": "closed", "reason": "Origem comprovada por extrato."},
                   headers=bearer(token), timeout=30)  # fmt: skip
    assert r.is_success, r.text
    page.fill("#aml-reason", "Comunicar: origem não comprovada.")
    page.click("#aml-move button[value=reported]")
    page.locator("#dialog").wait_for(state="visible")
    assert "definitiva" in page.text_content("#dialog")
    page.click("#dialog .dialog-confirm")
    page.wait_for_selector("#dialog .dialog-error:not([hidden])")
    refusal = page.text_content("#dialog .dialog-error")
    assert "não pode mais ir para comunicado ao COAF" in refusal and "illegal" not in refusal
    page.click("#dialog .dialog-cancel")
    page.wait_for_selector("#aml-alert-status >> text=encerrado")
    assert "não muda mais" in page.text_content("#aml-final")
    assert page.locator("#aml-move").count() == 0
    assert _status(server, token, alert["alert_id"]) == "closed"

    # No tipping off: nothing of it in the player's own answers.
    with api(server) as client:
        for path in ("/v1/players/me", "/v1/wallet", "/v1/wallet/events"):
            body = client.get(path, headers=player.headers()).text.lower()
            assert "aml" not in body and "velocity" not in body and alert["alert_id"] not in body

    page.click("#locale-switch")
    page.wait_for_selector("#aml-alert-title >> text=Alert: Rapid succession of deposits")
    page.click("#locale-switch")
    check_phone_widths(page, "console-aml-alert", "#aml-alert")

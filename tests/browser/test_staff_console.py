"""The staff console: login (with the TOTP second factor where the server asks for it), sections
by role, KYC with document preview and rejection reasons, RTP changes only after a confirmation
with their history and the actual-vs-target chart, the exclusion list's diff before it is
applied, the player lookup with the wallet audit, and the sections whose endpoints are still
being built say so instead of failing."""

from __future__ import annotations

import base64

import httpx

from tests.e2e.support import new_cpf, png_bytes, punctuate_cpf

from .support import (
    api,
    create_staff,
    events,
    log_in,
    register_player,
    staff_log_in,
    staff_roles_supported,
    totp,
    verify_player,
)


def openapi_paths(server) -> dict:
    return httpx.get(f"{server.base_url}/openapi.json", timeout=30).json()["paths"]


def test_staff_log_in_with_the_second_factor_and_see_the_sections_of_their_role(
    server, new_context
):
    roles = staff_roles_supported()
    expected = {
        "admin": [
            "KYC",
            "Alertas AML",
            "Alertas de comportamento",
            "Jogos e RTP",
            "Jogadores",
            "Lista nacional",
            "Relatórios",
            "Alertas da operação",
            "Senha",
        ],
        "operator": [
            "Jogos e RTP",
            "Alertas de comportamento",
            "Jogadores",
            "Lista nacional",
            "Alertas da operação",
            "Senha",
        ],
        "kyc_reviewer": ["KYC", "Senha"],
        "compliance": [
            "KYC",
            "Alertas AML",
            "Alertas de comportamento",
            "Jogadores",
            "Relatórios",
            "Senha",
        ],
    }
    assert {"admin", "operator"} <= roles
    for role in sorted(roles):
        staff = create_staff(server, role)
        page = new_context().new_page()
        if staff.totp_secret:
            # Without the code the server answers mfa_required and the form asks for it.
            page.goto(server.base_url + "/ops.html")
            page.wait_for_selector("body[data-ready='1']")
            page.fill("#ops-email", staff.email)
            page.fill("#ops-password", staff.password)
            page.click("#ops-login button[type=submit]")
            page.wait_for_selector("#ops-otp-row:not([hidden])")
            page.fill("#ops-otp", "000000" if totp(staff.totp_secret) != "000000" else "111111")
            page.click("#ops-login button[type=submit]")
            page.wait_for_selector("#ops-login .form-error:not([hidden])")
            assert "Código incorreto" in page.text_content("#ops-login .form-error")
        staff_log_in(page, server, staff)
        assert page.locator("#tabs a").all_text_contents() == expected[role]
        assert staff.email in page.text_content("#staff-chip")


def test_kyc_review_previews_the_document_and_a_rejection_needs_a_reason_the_player_reads(
    server, new_context, tmp_path
):
    admin = create_staff(server, "admin")
    player = register_player(server)
    with api(server) as client:
        r = client.post("/v1/kyc/documents", headers=player.headers(), json={
            "doc_type": "id_front", "filename": "frente.png", "content_type": "image/png",
            "content_base64": base64.b64encode(png_bytes()).decode()})  # fmt: skip
        assert r.status_code == 201, r.text
    ops = new_context().new_page()
    staff_log_in(ops, server, admin)
    row = ops.locator("#kyc-queue tr", has_text=player.email)
    row.wait_for()
    row.locator("button", has_text="Recusar").click()
    ops.wait_for_selector("#notice >> text=Escreva o motivo da recusa")
    row.locator("input[name=reason]").fill("Foto ilegível: envie outra, sem reflexo.")
    row.locator("button", has_text="Recusar").click()
    ops.wait_for_selector(f"#notice >> text={player.email}: recusada")
    ops.select_option("#kyc-status-filter", "rejected")
    ops.click("#kyc-filter button[type=submit]")
    ops.locator("#kyc-queue tr", has_text=player.email).wait_for()

    page = new_context().new_page()
    log_in(page, server, player)
    page.goto(server.base_url + "/#/kyc")
    page.wait_for_selector("#kyc-state")
    assert "recusada" in page.text_content("#kyc-state")
    assert "Envie novos documentos" in page.text_content("#kyc-status")
    # The reason itself reaches the player once GET /v1/players/me carries it (kyc_reason).
    with api(server) as client:
        me = client.get("/v1/players/me", headers=player.headers()).json()
    if me.get("kyc_reason") or me.get("kyc_rejection_reason"):
        assert "Foto ilegível" in page.text_content("#kyc-reason")


def test_an_rtp_change_needs_a_confirmation_and_shows_in_the_history_and_the_chart(
    server, new_context
):
    operator = create_staff(
        server, "operator" if "operator" in staff_roles_supported() else "admin"
    )
    player = register_player(server)
    verify_player(server, player, create_staff(server, "admin"))
    with api(server) as client:
        key = {"Idempotency-Key": "rtp-test-deposit"}
        assert (
            client.post(
                "/v1/wallet/deposits",
                json={"amount": 10000, "method": "pix"},
                headers=player.headers() | key,
            ).status_code
            == 201
        )
        session = client.post("/v1/games/limbo/sessions", json={}, headers=player.headers()).json()
        for n in range(30):
            r = client.post(f"/v1/sessions/{session['session_id']}/rounds", json={"stake": 100, "params": {"target_multiplier_x100": 200}},
                            headers=player.headers() | {"Idempotency-Key": f"rtp-round-{n}"})  # fmt: skip
            assert r.status_code == 201, r.text
    page = new_context().new_page()
    staff_log_in(page, server, operator)
    page.click("#tabs >> text=Jogos e RTP")
    card = page.locator("section[data-game=limbo]")
    card.wait_for()
    assert "RTP em vigor 97,00%" in card.locator("h2").text_content()
    chart = card.locator("svg.chart[role=img]")
    assert chart.count() == 1
    assert "banda de 99%" in card.locator("figcaption").text_content()
    assert card.locator("svg.chart rect.band").count() == 1
    card.locator("input[name=rtp]").fill("95,50")
    card.locator("button[type=submit]").click()
    page.locator("#dialog").wait_for(state="visible")
    assert "de 97,00% para 95,50%" in page.text_content("#dialog")
    page.click("#dialog .dialog-cancel")
    page.locator("#dialog").wait_for(state="hidden")
    assert httpx.get(f"{server.base_url}/v1/games/limbo").json()["rtp_bps"] == 9700
    card.locator("button[type=submit]").click()
    page.click("#dialog .dialog-confirm")
    page.wait_for_selector("#notice >> text=Limbo: RTP agora é 95,50%")
    assert httpx.get(f"{server.base_url}/v1/games/limbo").json()["rtp_bps"] == 9550
    card = page.locator("section[data-game=limbo]")
    card.locator("text=97,00% → 95,50%").wait_for()
    # Out of range: the server's refusal in words, nothing changed.
    card.locator("input[name=rtp]").fill("50,00")
    card.locator("button[type=submit]").click()
    page.click("#dialog .dialog-confirm")
    page.wait_for_selector("#dialog .dialog-error:not([hidden])")
    assert "RTP fora da faixa permitida" in page.text_content("#dialog .dialog-error")
    page.click("#dialog .dialog-cancel")
    # Leave the game as the other tests expect it.
    with api(server) as client:
        r = client.put(
            "/v1/ops/games/limbo/rtp",
            json={"rtp_bps": 9700},
            headers={"Authorization": f"Bearer {operator.token(server)}"},
        )
        assert r.status_code == 200, r.text


def test_the_exclusion_list_shows_what_changes_before_it_is_applied(server, new_context, tmp_path):
    operator = create_staff(
        server, "operator" if "operator" in staff_roles_supported() else "admin"
    )
    listed = register_player(server)
    page = new_context().new_page()
    staff_log_in(page, server, operator)
    page.click("#tabs >> text=Lista nacional")
    bad = tmp_path / "ruim.csv"
    bad.write_text("cpf\n123\n456\n" + punctuate_cpf(new_cpf()) + "\n")
    page.set_input_files("#exclusions-file", str(bad))
    page.click("#exclusions-form button[type=submit]")
    page.wait_for_selector("#exclusions-form .form-error:not([hidden])")
    assert "mais de 1% das linhas são inválidas" in page.text_content(
        "#exclusions-form .form-error"
    )
    good = tmp_path / "lista.csv"
    others = [punctuate_cpf(new_cpf()) for _ in range(3)]
    good.write_text("cpf\n" + "\n".join([punctuate_cpf(listed.cpf), *others]) + "\n")
    page.set_input_files("#exclusions-file", str(good))
    page.click("#exclusions-form button[type=submit]")
    page.wait_for_selector("#exclusions-diff:not([hidden]) #diff-entries")
    assert page.text_content("#diff-entries strong") == "4"
    assert page.text_content("#diff-invalid strong") == "0"
    dry_run = any(
        p.get("name") == "dry_run"
        for p in openapi_paths(server)["/v1/ops/exclusions/import"]["post"].get("parameters", [])
    )
    if not dry_run:
        assert "não oferece simulação" in page.text_content("#exclusions-diff")
    # Nothing applied yet: the listed player still plays, deposits still work.
    with api(server) as client:
        r = client.post(
            "/v1/wallet/deposits",
            json={"amount": 500, "method": "pix"},
            headers=listed.headers() | {"Idempotency-Key": "before-list"},
        )
        assert r.status_code == 201, r.text
    page.click("#exclusions-diff button.danger")
    page.locator("#dialog").wait_for(state="visible")
    assert "4 CPFs" in page.text_content("#dialog")
    page.click("#dialog .dialog-confirm")
    page.wait_for_selector("#notice >> text=Lista aplicada: 4 CPFs")
    assert "1 conta(s) encerrada(s)" in page.text_content("#notice")
    assert [e["type"] for e in events(server, listed)] == ["DEPOSIT"]


def test_player_lookup_shows_the_wallet_audit_and_unbuilt_sections_say_so(server, new_context):
    admin = create_staff(server, "admin")
    player = register_player(server)
    with api(server) as client:
        r = client.post(
            "/v1/wallet/deposits",
            json={"amount": 4321, "method": "ted"},
            headers=player.headers() | {"Idempotency-Key": "lookup-1"},
        )
        assert r.status_code == 201, r.text
    page = new_context().new_page()
    staff_log_in(page, server, admin)
    page.goto(server.base_url + f"/ops.html#/players/{player.player_id}")
    page.wait_for_selector("#player-audit")
    audit = page.text_content("#player-audit").replace("\u00a0", " ")
    assert "R$ 43,21" in audit and "Consistentesim" in audit.replace(" ", "").replace("\n", "")
    # The KYC decision below is in the audit log, under this player.
    verify_player(server, player, create_staff(server, "admin"))
    page.reload()
    page.wait_for_selector("#player-staff-audit")
    if "/v1/ops/audit" in openapi_paths(server):
        page.locator("#player-staff-audit >> text=kyc.decision").wait_for()
    paths = openapi_paths(server)
    for tab, path, ready in (
        ("Alertas AML", "/v1/ops/aml/alerts", "#aml-count"),
        ("Relatórios", "/v1/ops/reports/daily", "#report-date-words"),
        ("Alertas de comportamento", "/v1/ops/rg/alerts", "#behaviour-count"),
    ):
        page.click(f"#tabs >> text={tab}")
        view = page.locator("#console .view:not([hidden])")
        if path not in paths:
            view.locator(f"text=ainda não oferece esta função (GET {path})").wait_for()
        else:
            view.locator(ready).wait_for()
    page.click("#tabs >> text=Alertas da operação")
    page.wait_for_selector("#alerts-list p, #alerts-list table")

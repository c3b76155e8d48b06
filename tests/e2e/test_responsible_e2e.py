"""Responsible gaming over HTTP only: limits set, raised and lowered, crossed; self-exclusion on
every path; reality checks."""

from __future__ import annotations

import uuid

import pytest

from .support import assert_problem


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def test_limits_show_brazils_mandatory_defaults_and_unset_deposit_limits(client, player):
    p = player()
    limits = client.get("/v1/limits", headers=p.headers).json()
    assert limits["deposit"] == {"daily": None, "weekly": None, "monthly": None}
    assert isinstance(limits["session_minutes"], int) and limits["pending"] == []


def test_deposit_limit_lowering_is_immediate_and_raising_is_pending(client, player, deposit):
    p = player()
    r = client.put("/v1/limits/deposit", json={"daily": 5000, "weekly": 20000, "monthly": None},
                   headers=p.headers)  # fmt: skip
    assert r.status_code == 200
    assert r.json()["deposit"] == {"daily": 5000, "weekly": 20000, "monthly": None}
    assert deposit(p, 3000).status_code == 201
    assert_problem(deposit(p, 2001), 403, "deposit_limit_exceeded")
    assert deposit(p, 2000).status_code == 201
    lower = client.put("/v1/limits/deposit", json={"daily": 4000, "weekly": 20000},
                       headers=p.headers).json()  # fmt: skip
    assert lower["deposit"]["daily"] == 4000 and lower["pending"] == []
    raised = client.put("/v1/limits/deposit", json={"daily": 9000, "weekly": 20000},
                        headers=p.headers).json()  # fmt: skip
    assert raised["deposit"]["daily"] == 4000
    assert any(x["value"] == 9000 for x in raised["pending"])
    assert client.get("/v1/limits", headers=p.headers).json()["pending"] == raised["pending"]
    assert_problem(client.put("/v1/limits/deposit", json={"daily": -1}, headers=p.headers), 422,
                   "invalid_limit")  # fmt: skip


def test_session_and_loss_limits_are_set_like_the_others(client, player):
    p = player()
    r = client.put("/v1/limits/session", json={"max_minutes": 30}, headers=p.headers)
    assert r.status_code == 200 and r.json()["session_minutes"] == 30
    loss = client.put("/v1/limits/loss", json={"daily": 1000, "weekly": 5000, "monthly": 9000},
                      headers=p.headers)  # fmt: skip
    assert loss.status_code == 200 and loss.json()["loss"]["daily"] == 1000


def test_a_loss_limit_stops_rounds_that_could_pass_it(client, verified_player, deposit):
    p = verified_player()
    deposit(p, 50_000)
    client.put("/v1/limits/loss", json={"daily": 1000}, headers=p.headers)
    s = client.post("/v1/games/dice/sessions", json={}, headers=p.headers).json()
    r = client.post(
        f"/v1/sessions/{s['session_id']}/rounds",
        json={"stake": 1001, "params": {"target": 5000}},
        headers=p.headers | key(),
    )
    assert_problem(r, 403, "loss_limit_reached")


def test_self_exclusion_blocks_every_path_but_withdrawals(
    client, verified_player, deposit, withdraw
):
    p = verified_player()
    assert deposit(p, 10_000).status_code == 201
    s = client.post("/v1/games/dice/sessions", json={}, headers=p.headers).json()
    r = client.post("/v1/self-exclusion", json={"days": 7}, headers=p.headers)
    assert r.status_code == 201 and r.json()["excluded_until"].endswith("Z")
    assert_problem(deposit(p, 100), 403, "self_excluded")
    assert_problem(client.post("/v1/games/dice/sessions", json={}, headers=p.headers), 403,
                   "self_excluded")  # fmt: skip
    assert_problem(client.post(f"/v1/sessions/{s['session_id']}/rounds",
                               json={"stake": 100, "params": {"target": 5000}},
                               headers=p.headers | key()), 403, "self_excluded")  # fmt: skip
    assert withdraw(p, 5_000).status_code == 201
    again = client.post("/v1/self-exclusion", json={"days": 1}, headers=p.headers)
    assert again.json()["excluded_until"] == r.json()["excluded_until"]


@pytest.mark.parametrize("body", [{}, {"days": 0}, {"days": "7"}, {"days": 1.5}])
def test_bad_self_exclusion_requests_are_refused(client, player, body):
    p = player()
    assert client.post("/v1/self-exclusion", json=body, headers=p.headers).status_code == 422


def test_reality_check_reports_time_rounds_and_net_position(client, verified_player, deposit):
    p = verified_player()
    deposit(p, 10_000)
    s = client.post("/v1/games/dice/sessions", json={}, headers=p.headers).json()
    won = 0
    for _ in range(4):
        r = client.post(
            f"/v1/sessions/{s['session_id']}/rounds",
            json={"stake": 250, "params": {"target": 5000}},
            headers=p.headers | key(),
        )
        won += r.json()["payout"]
    check = client.get("/v1/reality-check", headers=p.headers).json()
    assert check["rounds"] == 4 and check["total_staked"] == 1000 and check["total_won"] == won
    assert check["net_position"] == won - 1000 and check["elapsed_minutes"] >= 0


def test_the_national_exclusion_list_closes_accounts_and_refuses_sign_ups(
    client, player, deposit, withdraw, operator, upload_documents, decide
):
    listed = player()
    assert deposit(listed, 5_000).status_code == 201
    upload_documents(listed)
    decide(listed.player_id, "approve", "ok")
    csv = f"nome,cpf\nListed,{listed.cpf}\nSomeone,529.982.247-25\n"
    r = client.post("/v1/ops/exclusions/import", content=csv,
                    headers=operator.headers | {"content-type": "text/csv"})  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["entries"] == 2 and r.json()["invalid_rows"] == 0
    assert r.json()["closed_accounts"] >= 1
    assert_problem(deposit(listed, 100), 403, "self_excluded")
    assert_problem(client.post("/v1/games/dice/sessions", json={}, headers=listed.headers), 403,
                   "self_excluded")  # fmt: skip
    assert withdraw(listed, 5_000).status_code == 201  # the balance goes back to the player
    refused = client.post("/v1/auth/register", json={
        "email": f"x-{uuid.uuid4().hex[:8]}@example.com", "password": "Str0ng-Passw0rd!x",
        "full_name": "Ana", "birth_date": "1990-01-01", "country": "BR", "cpf": "52998224725"})  # fmt: skip
    assert_problem(refused, 403, "registration_refused")
    assert "list" not in refused.json()["detail"].lower()
    as_player = client.post("/v1/ops/exclusions/import", content=csv,
                            headers=listed.headers | {"content-type": "text/csv"})  # fmt: skip
    assert_problem(as_player, 403, "forbidden")


def test_a_bad_national_list_import_changes_nothing_and_a_dry_run_shows_the_diff(client, operator):
    headers = operator.headers | {"content-type": "text/csv"}
    listed = "295.379.955-93"
    applied = client.post("/v1/ops/exclusions/import", content=f"CPF;NOME\n{listed};Ana\n",
                          headers=headers)  # fmt: skip
    assert applied.status_code == 200 and applied.json()["entries"] == 1, applied.text
    for bad in ("", "cpf\n", "CPF;NOME\n", "nome;idade\nAna;30\n", f"{listed}\nbad\n"):
        r = client.post("/v1/ops/exclusions/import", content=bad, headers=headers)
        assert_problem(r, 422, "invalid_list")
    preview = client.post("/v1/ops/exclusions/import?dry_run=true",
                          content="529.982.247-25\n", headers=headers)  # fmt: skip
    assert preview.status_code == 200
    body = preview.json()
    assert (body["entries"], body["added"], body["removed"], body["invalid_rows"]) == (1, 1, 1, 0)
    still = client.post("/v1/auth/register", json={
        "email": f"x-{uuid.uuid4().hex[:8]}@example.com", "password": "Str0ng-Passw0rd!x",
        "full_name": "Ana", "birth_date": "1990-01-01", "country": "BR", "cpf": listed})  # fmt: skip
    assert_problem(still, 403, "registration_refused")

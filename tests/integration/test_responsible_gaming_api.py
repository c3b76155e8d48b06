from __future__ import annotations

import uuid

import pytest

from wallet_do.client import WalletClient

from .conftest import STRONG, register_and_login, staff_login, verify_player

pytestmark = pytest.mark.anyio


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def deposit(client, player, amount):
    return await client.post("/v1/wallet/deposits", json={"amount": amount, "method": "pix"},
                             headers=player["headers"] | key())  # fmt: skip


async def test_brazil_applies_mandatory_loss_and_time_limits_at_registration(client):
    player = await register_and_login(client)
    limits = (await client.get("/v1/limits", headers=player["headers"])).json()
    assert limits["deposit"] == {"daily": None, "weekly": None, "monthly": None}
    assert limits["loss"]["daily"] is not None and limits["session_minutes"] is not None
    assert limits["pending"] == []


async def test_registration_takes_the_players_own_limits(client):
    player = await register_and_login(
        client, limits={"loss": {"daily": 5000, "weekly": None, "monthly": None},
                        "session_minutes": 60, "deposit": {"daily": 10000}},
    )  # fmt: skip
    limits = (await client.get("/v1/limits", headers=player["headers"])).json()
    assert limits["loss"]["daily"] == 5000 and limits["session_minutes"] == 60
    assert limits["deposit"]["daily"] == 10000


async def test_a_bad_limit_at_registration_is_refused_and_creates_no_account(client):
    body = {"email": "lim@example.com", "password": STRONG, "full_name": "Ana",
            "birth_date": "1990-01-01", "country": "BR", "cpf": "529.982.247-25",
            "limits": {"loss": {"daily": -1}}}  # fmt: skip
    r = await client.post("/v1/auth/register", json=body)
    assert r.status_code == 422 and r.json()["code"] == "invalid_limit"
    body["limits"] = None
    assert (await client.post("/v1/auth/register", json=body)).status_code == 201


async def test_deposit_limits_lower_at_once_and_raise_after_cooling_off(client, runtime):
    player = await register_and_login(client)
    h = player["headers"]
    r = await client.put("/v1/limits/deposit", json={"daily": 1000, "weekly": None,
                                                     "monthly": None}, headers=h)  # fmt: skip
    assert r.status_code == 200 and r.json()["deposit"]["daily"] == 1000
    assert (await deposit(client, player, 600)).status_code == 201
    refused = await deposit(client, player, 401)
    assert refused.status_code == 403 and refused.json()["code"] == "deposit_limit_exceeded"
    assert (await deposit(client, player, 400)).status_code == 201
    raised = (await client.put("/v1/limits/deposit", json={"daily": 5000}, headers=h)).json()
    assert raised["deposit"]["daily"] == 1000
    [pending] = raised["pending"]
    assert pending["limit"] == "deposit_daily" and pending["value"] == 5000
    assert (await deposit(client, player, 1)).status_code == 403
    bad = await client.put("/v1/limits/deposit", json={"daily": 0}, headers=h)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_limit"


async def test_self_exclusion_blocks_deposits_and_sessions_but_not_withdrawals(client, runtime):
    player = await register_and_login(client)
    await verify_player(runtime, player["player_id"])
    h = player["headers"]
    assert (await deposit(client, player, 1000)).status_code == 201
    r = await client.post("/v1/self-exclusion", json={"days": 30}, headers=h)
    assert r.status_code == 201 and r.json()["excluded_until"]
    blocked = await deposit(client, player, 100)
    assert blocked.status_code == 403 and blocked.json()["code"] == "self_excluded"
    session = await client.post("/v1/games/dice/sessions", json={}, headers=h)
    assert session.status_code == 403 and session.json()["code"] == "self_excluded"
    out = await client.post("/v1/wallet/withdrawals", json={"amount": 500, "method": "pix"},
                            headers=h | key())  # fmt: skip
    assert out.status_code == 201
    shorter = await client.post("/v1/self-exclusion", json={"days": 1}, headers=h)
    assert shorter.json()["excluded_until"] == r.json()["excluded_until"]


async def test_self_exclusion_stops_rounds_in_a_session_already_open(client, runtime):
    player = await register_and_login(client)
    await verify_player(runtime, player["player_id"])
    h = player["headers"]
    await deposit(client, player, 10000)
    session = (await client.post("/v1/games/dice/sessions", json={}, headers=h)).json()
    url = f"/v1/sessions/{session['session_id']}/rounds"
    play = {"stake": 100, "params": {"target": 5000}}
    assert (await client.post(url, json=play, headers=h | key())).status_code == 201
    await client.post("/v1/self-exclusion", json={"permanent": True}, headers=h)
    r = await client.post(url, json=play, headers=h | key())
    assert r.status_code == 403 and r.json()["code"] == "self_excluded"
    rounds = (await client.get(f"/v1/sessions/{session['session_id']}/rounds", headers=h)).json()
    assert len(rounds["rounds"]) == 1 and [v["nonce"] for v in rounds["void_rounds"]] == [1]
    assert (await client.get("/v1/wallet", headers=h)).json()["balance"] == 10000 - 100 + (
        rounds["rounds"][0]["payout"]
    )


async def test_loss_limit_stops_a_round_that_could_pass_it(client, runtime):
    player = await register_and_login(client, limits={"loss": {"daily": 150}})
    await verify_player(runtime, player["player_id"])
    h = player["headers"]
    await deposit(client, player, 10000)
    session = (await client.post("/v1/games/dice/sessions", json={}, headers=h)).json()
    url = f"/v1/sessions/{session['session_id']}/rounds"
    r = await client.post(url, json={"stake": 151, "params": {"target": 5000}}, headers=h | key())
    assert r.status_code == 403 and r.json()["code"] == "loss_limit_reached"


async def test_the_reality_check_reports_the_play_session(client, runtime):
    player = await register_and_login(client)
    await verify_player(runtime, player["player_id"])
    h = player["headers"]
    await deposit(client, player, 10000)
    session = (await client.post("/v1/games/dice/sessions", json={}, headers=h)).json()
    url = f"/v1/sessions/{session['session_id']}/rounds"
    payouts = []
    for _ in range(3):
        r = await client.post(
            url, json={"stake": 100, "params": {"target": 5000}}, headers=h | key()
        )
        assert "reality_check" in r.json()
        payouts.append(r.json()["payout"])
    check = (await client.get("/v1/reality-check", headers=h)).json()
    assert check["rounds"] == 3 and check["total_staked"] == 300
    assert check["total_won"] == sum(payouts) and check["net_position"] == sum(payouts) - 300
    assert check["elapsed_minutes"] >= 0 and check["session_started_at"].endswith("Z")


async def test_a_listed_cpf_cannot_register_and_an_existing_account_is_closed(client, runtime):
    player = await register_and_login(client)
    await deposit(client, player, 2000)
    ops = (await staff_login(client, runtime, "operator"))["tokens"]
    csv = f"cpf\n{player['cpf']}\n529.982.247-25\n"
    r = await client.post("/v1/ops/exclusions/import", content=csv,
                          headers={"Authorization": f"Bearer {ops['access_token']}",
                                   "content-type": "text/csv"})  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["entries"] == 2 and r.json()["invalid_rows"] == 0
    assert r.json()["closed_accounts"] == 1
    blocked = await deposit(client, player, 100)
    assert blocked.status_code == 403 and blocked.json()["code"] == "self_excluded"
    body = {"email": "new@example.com", "password": STRONG, "full_name": "Ana",
            "birth_date": "1990-01-01", "country": "BR", "cpf": "529.982.247-25"}  # fmt: skip
    refused = await client.post("/v1/auth/register", json=body)
    assert refused.status_code == 403 and refused.json()["code"] == "registration_refused"
    notices = (
        await runtime.services.db.prepare("SELECT kind FROM player_notices WHERE player_id = ?")
        .bind(player["player_id"])
        .all()
    )
    assert notices == [{"kind": "national_exclusion"}]
    stored = await runtime.services.db.prepare("SELECT hash FROM national_list").all()
    assert len(stored) == 2 and all(player["cpf"] not in r["hash"] for r in stored)


async def test_bonuses_are_refused_in_brazil_and_carry_wagering_elsewhere(client, runtime):
    staff = (await staff_login(client, runtime, "admin"))["headers"]  # only admins grant bonuses
    br = await register_and_login(client)
    refused = await client.post(f"/v1/ops/players/{br['player_id']}/bonuses",
                                json={"amount": 1000, "wagering_multiplier": 5},
                                headers=staff | key())  # fmt: skip
    assert refused.status_code == 403 and refused.json()["code"] == "bonus_not_allowed"

    pt = await register_and_login(client, country="PT", cpf=None)
    await verify_player(runtime, pt["player_id"])
    await deposit(client, pt, 5000)
    granted = await client.post(f"/v1/ops/players/{pt['player_id']}/bonuses",
                                json={"amount": 1000, "wagering_multiplier": 3},
                                headers=staff | key())  # fmt: skip
    assert granted.status_code == 201, granted.text
    assert granted.json()["event"]["type"] == "BONUS_CREDIT"
    assert granted.json()["bonus"] == {"locked": 1000, "wagering_remaining": 3000}
    audit = (
        await runtime.services.db.prepare(
            "SELECT actor_role, action, details FROM audit_log WHERE subject = ?"
        )
        .bind(pt["player_id"])
        .all()
    )
    assert audit == [{"actor_role": "admin", "action": "wallet.bonus",
                      "details": '{"amount": 1000, "wagering_multiplier": 3}'}]  # fmt: skip
    session = (await client.post("/v1/games/dice/sessions", json={}, headers=pt["headers"])).json()
    r = await client.post(f"/v1/sessions/{session['session_id']}/rounds",
                          json={"stake": 500, "params": {"target": 5000}},
                          headers=pt["headers"] | key())  # fmt: skip
    assert r.status_code == 201, r.text
    status = (await client.get("/v1/wallet/bonus", headers=pt["headers"])).json()
    assert status == {"locked": 1000, "wagering_remaining": 2500}
    balance = r.json()["balance"]
    too_much = await client.post("/v1/wallet/withdrawals", json={"amount": balance - 999,
                                 "method": "pix"}, headers=pt["headers"] | key())  # fmt: skip
    assert too_much.status_code == 409
    out = await client.post("/v1/wallet/withdrawals", json={"amount": 100, "method": "pix"},
                            headers=pt["headers"] | key())  # fmt: skip
    assert out.status_code == 201, out.text
    events = (await client.get("/v1/wallet/events", headers=pt["headers"])).json()["events"]
    assert [e["type"] for e in events][-2:] == ["BONUS_DEBIT", "WITHDRAWAL"]
    assert events[-1]["balance_after"] == balance - 1000 - 100
    assert (await WalletClient(runtime.wallets, pt["player_id"]).audit())["consistent"]

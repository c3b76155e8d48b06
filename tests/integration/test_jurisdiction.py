"""Jurisdiction comes from the deployment and the network, not from what a player types
(docs/api.md), and Brazil's 85% RTP floor holds wherever a Brazilian session opens."""

from __future__ import annotations

import uuid

import pytest

from casino.jurisdictions import BRAZIL

from .conftest import STRONG, cpf_for, register_and_login, staff_login, verify_player

pytestmark = pytest.mark.anyio
BR_NETWORK = {"CF-IPCountry": "BR"}
BET_BR = {"host": "play.acmetocasino.bet.br"}


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def operator(client, runtime) -> dict[str, str]:
    """An admin, logged in with password and TOTP."""
    return (await staff_login(client, runtime, "admin"))["headers"]


async def set_rtp(client, ops, rtp, **extra):
    return await client.put("/v1/ops/games/dice/rtp", json={"rtp_bps": rtp, **extra}, headers=ops)


async def open_dice(client, headers):
    return await client.post("/v1/games/dice/sessions", json={}, headers=headers)


async def test_a_generic_rtp_below_the_floor_never_reaches_a_brazilian_session(client, runtime):
    """The finding: on a deployment without a fixed jurisdiction an operator set dice to 8000 and
    BR players played at it (the "last good" fallback too)."""
    ops = await operator(client, runtime)
    assert (await set_rtp(client, ops, 8000)).status_code == 200
    player = await register_and_login(client)
    await verify_player(runtime, player["player_id"])
    for extra in ({}, BR_NETWORK, BET_BR):
        session = await open_dice(client, player["headers"] | extra)
        assert session.status_code == 201, session.text
        assert session.json()["rtp_bps"] >= BRAZIL.rtp_min_bps
    lobby = (await client.get("/v1/games", headers=BR_NETWORK)).json()["games"]
    dice = next(g for g in lobby if g["game_id"] == "dice")
    assert dice["rtp_bps"] >= 8500 and dice["jurisdiction"] == "BR"
    generic = (await client.get("/v1/games")).json()["games"]
    assert next(g for g in generic if g["game_id"] == "dice")["rtp_bps"] == 8000
    alerts = (await client.get("/v1/ops/alerts", headers=ops)).json()["alerts"]
    assert any(a["kind"] == "rtp_outside_jurisdiction" for a in alerts)


async def test_rtp_is_set_per_jurisdiction_within_its_range(client, runtime):
    ops = await operator(client, runtime)
    low = await set_rtp(client, ops, 8400, jurisdiction="BR")
    assert low.status_code == 422 and low.json()["code"] == "rtp_out_of_range"
    ok = await set_rtp(client, ops, 9000, jurisdiction="BR")
    assert ok.status_code == 200 and ok.json()["jurisdiction"] == "BR"
    assert ok.json()["rtp_bps"] == 9000
    player = await register_and_login(client)
    await verify_player(runtime, player["player_id"])
    assert (await open_dice(client, player["headers"])).json()["rtp_bps"] == 9000
    generic = (await client.get("/v1/games")).json()["games"]
    assert next(g for g in generic if g["game_id"] == "dice")["rtp_bps"] != 9000
    history = (await client.get("/v1/ops/games/dice/rtp/history", headers=ops)).json()["changes"]
    assert history[-1]["jurisdiction"] == "BR" and history[-1]["new_rtp_bps"] == 9000


async def test_an_invalid_brazilian_kv_value_falls_back_to_a_value_in_range(client, runtime):
    await runtime.services.kv.put(
        "game:dice:BR", '{"rtp_bps": 8000, "min_stake": 10, "max_stake": 100}'
    )
    await runtime.services.kv.put(
        "game:dice", '{"rtp_bps": 8100, "min_stake": 10, "max_stake": 100}'
    )
    player = await register_and_login(client)
    await verify_player(runtime, player["player_id"])
    session = await open_dice(client, player["headers"])
    assert session.status_code == 201 and session.json()["rtp_bps"] >= 8500


@pytest.mark.parametrize("network", [BR_NETWORK, BET_BR], ids=["cf-country", "bet-br-host"])
async def test_typing_another_country_does_not_escape_brazils_rules(client, runtime, network):
    email = f"us-{uuid.uuid4().hex[:8]}@example.com"
    body = {"email": email, "password": STRONG, "full_name": "Ana Souza",
            "birth_date": "1990-01-01", "country": "US"}  # fmt: skip
    no_cpf = await client.post("/v1/auth/register", json=body, headers=network)
    assert no_cpf.status_code == 422 and no_cpf.json()["code"] == "invalid_cpf"
    r = await client.post(
        "/v1/auth/register", json=body | {"cpf": cpf_for(uuid.uuid4().int)}, headers=network
    )
    assert r.status_code == 201, r.text
    login = await client.post("/v1/auth/login", json={"email": email, "password": STRONG})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    # Registered under Brazil: the rules follow the player even from another network.
    play = await open_dice(client, headers)
    assert play.status_code == 403 and play.json()["code"] == "kyc_required"
    card = await client.post(
        "/v1/wallet/deposits", json={"amount": 1000, "method": "card"}, headers=headers | key()
    )
    assert card.status_code == 422 and card.json()["code"] == "payment_method_not_allowed"
    limits = (await client.get("/v1/limits", headers=headers)).json()
    assert limits["loss"]["daily"] is not None and limits["time"]["daily"] is not None


async def test_a_foreign_player_on_a_brazilian_network_is_under_brazils_rules(client, runtime):
    email = f"us-{uuid.uuid4().hex[:8]}@example.com"
    r = await client.post(
        "/v1/auth/register",
        json={"email": email, "password": STRONG, "full_name": "Joe Doe",
              "birth_date": "1990-01-01", "country": "US"},
    )  # fmt: skip
    assert r.status_code == 201
    login = await client.post("/v1/auth/login", json={"email": email, "password": STRONG})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert (await open_dice(client, headers)).status_code == 201  # generic: no KYC before play
    on_br = await open_dice(client, headers | BR_NETWORK)
    assert on_br.status_code == 403 and on_br.json()["code"] == "kyc_required"


async def test_a_generic_session_below_the_floor_cannot_be_played_from_brazil(client, runtime):
    ops = await operator(client, runtime)
    assert (await set_rtp(client, ops, 8000)).status_code == 200
    email = f"us-{uuid.uuid4().hex[:8]}@example.com"
    await client.post(
        "/v1/auth/register",
        json={"email": email, "password": STRONG, "full_name": "Joe Doe",
              "birth_date": "1990-01-01", "country": "US"},
    )  # fmt: skip
    login = await client.post("/v1/auth/login", json={"email": email, "password": STRONG})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    player_id = (await client.get("/v1/players/me", headers=headers)).json()["player_id"]
    await verify_player(runtime, player_id)
    deposit = await client.post(
        "/v1/wallet/deposits", json={"amount": 10_000, "method": "pix"}, headers=headers | key()
    )
    assert deposit.status_code == 201
    session = (await open_dice(client, headers)).json()
    assert session["rtp_bps"] == 8000
    r = await client.post(
        f"/v1/sessions/{session['session_id']}/rounds",
        json={"stake": 100, "params": {"target": 5000}}, headers=headers | key() | BR_NETWORK,
    )  # fmt: skip
    assert r.status_code == 409 and r.json()["code"] == "session_closed", r.text

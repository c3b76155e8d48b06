"""Behavioural (responsible gaming) alerts reach staff: `GET /v1/ops/rg/alerts` lists what each
wallet projected into D1's `rg_alerts`, filtered by player and rule, for compliance, operators and
admins only."""

from __future__ import annotations

import uuid

import pytest

from api.routes import rg_alerts

from .conftest import register_and_login, staff_login, verify_player

pytestmark = pytest.mark.anyio
# Five rising stakes, the last at least three times the first; the round after them sees them.
STAKES = (100, 150, 200, 250, 300, 100)


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def _rising_stakes(client, runtime) -> dict:
    """A verified player whose five rounds of rising stakes raise a `rising_stakes` alert."""
    player = await register_and_login(client)
    await verify_player(runtime, player["player_id"])
    h = player["headers"]
    r = await client.post("/v1/wallet/deposits", json={"amount": 10000, "method": "pix"},
                          headers=h | key())  # fmt: skip
    assert r.status_code == 201, r.text
    session = (await client.post("/v1/games/dice/sessions", json={}, headers=h)).json()
    url = f"/v1/sessions/{session['session_id']}/rounds"
    for stake in STAKES:
        r = await client.post(url, json={"stake": stake, "params": {"target": 5000}},
                              headers=h | key())  # fmt: skip
        assert r.status_code == 201, r.text
    await runtime.wallets.drain()  # the projection into D1 runs after the commit
    return player


def test_the_route_names_exactly_one_permission():
    routes = [r for r in rg_alerts.router.routes if hasattr(r, "dependant")]
    permissions = [
        dep.call.permission
        for route in routes
        for dep in route.dependant.dependencies
        if hasattr(dep.call, "permission")
    ]
    assert [str(p) for p in permissions] == ["rg.alerts"]


async def test_staff_see_a_players_rising_stakes_alert_with_its_intervention(client, runtime):
    player = await _rising_stakes(client, runtime)
    other = await _rising_stakes(client, runtime)
    staff = await staff_login(client, runtime, "compliance")
    mine = {"player_id": player["player_id"]}
    r = await client.get("/v1/ops/rg/alerts", params=mine, headers=staff["headers"])
    assert r.status_code == 200, r.text
    # Night play may fire too, depending on the hour the suite runs.
    assert {a["rule"] for a in r.json()["alerts"]} - {"night_play"} == {"rising_stakes"}
    r = await client.get("/v1/ops/rg/alerts", params=mine | {"rule": "rising_stakes"},
                         headers=staff["headers"])  # fmt: skip
    alerts = r.json()["alerts"]
    assert len(alerts) == 1
    alert = alerts[0]
    assert set(alert) == {"alert_id", "player_id", "rule", "level", "intervention", "created_at"}
    assert alert["player_id"] == player["player_id"]
    assert alert["level"] in (1, 2) and alert["intervention"] in ("message", "suggested_limit")
    assert alert["created_at"].endswith("Z")

    everyone = (await client.get("/v1/ops/rg/alerts", headers=staff["headers"])).json()["alerts"]
    assert {a["player_id"] for a in everyone} == {player["player_id"], other["player_id"]}
    assert [a["created_at"] for a in everyone] == sorted(
        (a["created_at"] for a in everyone), reverse=True
    )
    one = await client.get("/v1/ops/rg/alerts", params={"limit": 1}, headers=staff["headers"])
    assert len(one.json()["alerts"]) == 1
    none = await client.get("/v1/ops/rg/alerts", params={"rule": "long_session"},
                            headers=staff["headers"])  # fmt: skip
    assert none.json() == {"alerts": []}
    bad = await client.get("/v1/ops/rg/alerts", params={"limit": 0}, headers=staff["headers"])
    assert bad.status_code == 422


@pytest.mark.parametrize(
    ("role", "status"),
    [("compliance", 200), ("operator", 200), ("admin", 200), ("kyc_reviewer", 403)],
)
async def test_only_compliance_operators_and_admins_read_behavioural_alerts(
    client, runtime, role, status
):
    staff = await staff_login(client, runtime, role)
    r = await client.get("/v1/ops/rg/alerts", headers=staff["headers"])
    assert r.status_code == status, r.text
    if status == 403:
        assert r.json()["code"] == "forbidden"


async def test_a_player_never_sees_behavioural_alerts_through_the_staff_endpoint(client, runtime):
    player = await _rising_stakes(client, runtime)
    r = await client.get("/v1/ops/rg/alerts", headers=player["headers"])
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    anonymous = await client.get("/v1/ops/rg/alerts")
    assert anonymous.status_code == 401

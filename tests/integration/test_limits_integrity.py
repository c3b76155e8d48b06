"""Limits cannot be bypassed (docs/api.md, "Limits"): partial updates keep what they do
not name, Brazil's loss and time limits can be changed but never removed or raised past the
profile's maximum, and a wallet that never received them applies the defaults itself."""

from __future__ import annotations

import pytest

from casino.jurisdictions import BRAZIL
from wallet_do.client import WalletClient

from .conftest import register_and_login

pytestmark = pytest.mark.anyio


async def limits_of(client, player) -> dict:
    r = await client.get("/v1/limits", headers=player["headers"])
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize("family", ["loss", "time"])
async def test_brazil_refuses_a_registration_with_every_mandatory_window_null(client, family):
    r = await client.post(
        "/v1/auth/register",
        json={
            "email": f"nulls-{family}@example.com", "password": "Str0ng-Passw0rd!x",
            "full_name": "Ana Souza", "birth_date": "1990-01-01", "country": "BR",
            "cpf": "52998224725",
            "limits": {family: {"daily": None, "weekly": None, "monthly": None}},
        },
    )  # fmt: skip
    assert r.status_code == 422 and r.json()["code"] == "limit_required", r.text


async def test_a_brazilian_player_starts_with_the_mandatory_limits(client):
    player = await register_and_login(client)
    limits = await limits_of(client, player)
    defaults = BRAZIL.default_limits
    assert limits["loss"] == {p: defaults[f"loss_{p}"] for p in ("daily", "weekly", "monthly")}
    assert limits["time"] == {p: defaults[f"time_{p}"] for p in ("daily", "weekly", "monthly")}
    assert limits["session_minutes"] == defaults["time_daily"]


@pytest.mark.parametrize("family", ["loss", "time"])
async def test_a_put_of_nulls_cannot_remove_a_mandatory_limit(client, family):
    player = await register_and_login(client)
    r = await client.put(
        f"/v1/limits/{family}", json={"daily": None, "weekly": None, "monthly": None},
        headers=player["headers"],
    )  # fmt: skip
    assert r.status_code == 422 and r.json()["code"] == "limit_required", r.text
    limits = await limits_of(client, player)
    assert limits["pending"] == [] and None not in limits[family].values()


async def test_one_window_may_go_while_another_stays(client):
    player = await register_and_login(client)
    r = await client.put("/v1/limits/loss", json={"daily": None}, headers=player["headers"])
    assert r.status_code == 200, r.text
    [pending] = r.json()["pending"]
    assert pending["limit"] == "loss_daily" and pending["value"] is None
    # ... but not the last ones standing, counting what is already on its way out
    r = await client.put(
        "/v1/limits/loss", json={"weekly": None, "monthly": None}, headers=player["headers"]
    )
    assert r.status_code == 422 and r.json()["code"] == "limit_required"


async def test_a_partial_put_keeps_the_windows_it_leaves_out(client):
    player = await register_and_login(client)
    set_all = await client.put(
        "/v1/limits/deposit", json={"daily": 5_000, "weekly": 20_000, "monthly": 50_000},
        headers=player["headers"],
    )  # fmt: skip
    assert set_all.status_code == 200
    only_daily = await client.put(
        "/v1/limits/deposit", json={"daily": 4_000}, headers=player["headers"]
    )
    assert only_daily.status_code == 200
    body = only_daily.json()
    assert body["deposit"] == {"daily": 4_000, "weekly": 20_000, "monthly": 50_000}
    assert body["pending"] == []


async def test_a_mandatory_limit_cannot_be_raised_past_the_profile_maximum(client):
    player = await register_and_login(client)
    too_high = BRAZIL.limit_maxima["loss_daily"] + 1
    r = await client.put("/v1/limits/loss", json={"daily": too_high}, headers=player["headers"])
    assert r.status_code == 422 and r.json()["code"] == "invalid_limit"
    r = await client.put("/v1/limits/time", json={"weekly": 10_000}, headers=player["headers"])
    assert r.status_code == 422 and r.json()["code"] == "invalid_limit"


async def test_time_limits_are_set_per_window_and_the_session_limit_is_the_daily_one(client):
    player = await register_and_login(client)
    r = await client.put("/v1/limits/time", json={"daily": 90}, headers=player["headers"])
    assert r.status_code == 200 and r.json()["time"]["daily"] == 90
    assert r.json()["session_minutes"] == 90
    r = await client.put("/v1/limits/session", json={"max_minutes": 45}, headers=player["headers"])
    assert r.status_code == 200 and r.json()["time"]["daily"] == 45


async def test_a_wallet_that_never_got_its_limits_applies_the_defaults(client, runtime):
    """Registration's call to the wallet can fail; the wallet itself then applies the mandatory
    defaults the first time the jurisdiction's rules reach it."""
    player = await register_and_login(client)
    runtime.wallets._live.clear()
    wallet = WalletClient(runtime.wallets, player["player_id"])
    # wipe what registration set, as if its call had never arrived
    [live] = [runtime.wallets._acquire(player["player_id"])]
    live.storage.exec("DELETE FROM limits")
    runtime.wallets._release(live)
    assert (await wallet.get_limits({}))["body"]["loss"]["daily"] is None  # no rules given
    limits = await limits_of(client, player)
    assert limits["loss"]["daily"] == BRAZIL.default_limits["loss_daily"]
    assert limits["time"]["daily"] == BRAZIL.default_limits["time_daily"]


async def test_registration_keeps_chosen_limits_over_the_defaults(client):
    player = await register_and_login(
        client, limits={"loss": {"daily": 10_000}, "time": {"weekly": 600}}
    )
    limits = await limits_of(client, player)
    assert limits["loss"]["daily"] == 10_000
    assert limits["loss"]["weekly"] == BRAZIL.default_limits["loss_weekly"]
    assert limits["time"]["weekly"] == 600

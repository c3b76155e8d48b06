"""A break the behaviour watch enforces (the third behavioural alert in a week) reaches D1 as any
exclusion does: the player's row, `v_excluded_players` and the exclusions the report counts.
Before, it lived only in the WalletDO, and operators' views missed it."""

from __future__ import annotations

import uuid

import pytest

from casino.wallet import alert_day

from .conftest import register_and_login, verify_player

pytestmark = pytest.mark.anyio
# The watch reads the stakes before the round's own: the sixth round sees five rising ones.
RISING = (100, 150, 200, 250, 300, 100)


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def test_an_enforced_break_is_in_d1_and_in_the_excluded_players_view(client, runtime):
    player = await register_and_login(client)
    await verify_player(runtime, player["player_id"])
    h = player["headers"]
    r = await client.post(
        "/v1/wallet/deposits", json={"amount": 10_000, "method": "pix"}, headers=h | key()
    )
    assert r.status_code == 201, r.text
    # Two behavioural alerts already this week: the next one is the third, an enforced break.
    # Their rules count as alerted today (each rule alerts at most once a day), so a run at
    # night in Brazil (00:00-05:00 local) cannot raise `night_play` first: the rising stakes
    # below are what raises the third alert, whatever the hour.
    live = runtime.wallets._acquire(player["player_id"])
    try:
        for rule in ("night_play", "long_session"):
            live.storage.exec(
                "INSERT INTO rg_alerts (rule, level, intervention, created_at) VALUES (?, 1, "
                "'message', strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 day'))",
                rule,
            )
            live.obj.rg.put(f"alerted:{rule}", alert_day(runtime.services.clock.now()))
    finally:
        runtime.wallets._release(live)
    session = (await client.post("/v1/games/dice/sessions", json={}, headers=h)).json()
    url = f"/v1/sessions/{session['session_id']}/rounds"
    interventions = []
    for stake in RISING:
        r = await client.post(
            url, json={"stake": stake, "params": {"target": 5000}}, headers=h | key()
        )
        assert r.status_code == 201, r.text
        interventions += r.json().get("interventions", [])
    assert [i["intervention"] for i in interventions] == ["enforced_break"]
    await runtime.wallets.drain()
    db = runtime.services.db
    row = (
        await db.prepare(
            "SELECT exclusion_kind, excluded_until FROM v_excluded_players WHERE player_id = ?"
        )
        .bind(player["player_id"])
        .first()
    )
    assert row == {"exclusion_kind": "break", "excluded_until": interventions[0]["break_until"]}
    taken = (
        await db.prepare("SELECT kind FROM player_exclusions WHERE player_id = ?")
        .bind(player["player_id"])
        .all()
    )
    assert taken == [{"kind": "break"}]

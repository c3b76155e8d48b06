"""Reading a game's configuration writes no audit row of its own: however many lobbies read at
once, each change of a game's RTP is in its history exactly once, and a reader that sees an
older value (KV is eventually consistent) records nothing and changes nothing."""

from __future__ import annotations

import asyncio
import json

import pytest

from api.game_config import seed_defaults

from .conftest import staff_login

pytestmark = pytest.mark.anyio
READERS = 20


async def changes(runtime, game_id: str = "dice") -> list[dict]:
    return await runtime.services.db.prepare(
        "SELECT changed_by, jurisdiction, old_rtp_bps, new_rtp_bps, source "
        "FROM game_config_changes WHERE game_id = ? ORDER BY changed_at, rowid"
    ).bind(game_id).all()  # fmt: skip


async def lobby(client, n: int = READERS) -> list[int]:
    answers = await asyncio.gather(*(client.get("/v1/games/dice") for _ in range(n)))
    assert {r.status_code for r in answers} == {200}
    return [r.json()["rtp_bps"] for r in answers]


async def test_concurrent_lobby_reads_of_a_value_put_in_kv_record_it_once(client, runtime):
    await runtime.services.kv.put(  # as `wrangler kv key put` does: outside the API
        "game:dice", json.dumps({"rtp_bps": 9600, "min_stake": 10, "max_stake": 100000})
    )
    assert set(await lobby(client)) == {9600}
    assert [c["new_rtp_bps"] for c in await changes(runtime)] == [9600]
    assert set(await lobby(client)) == {9600}  # read again: nothing more
    assert len(await changes(runtime)) == 1


async def seeded(client, runtime) -> str:
    """KV as `make dev` seeds it (each game's default), read once: the last good value."""
    await seed_defaults(runtime.services)
    await lobby(client, 1)
    return str(await runtime.services.kv.get("game:dice"))


async def test_seeded_defaults_are_recorded_by_the_seed_and_reads_write_nothing(client, runtime):
    await seed_defaults(runtime.services)
    recorded = await changes(runtime)
    assert [(c["source"], c["old_rtp_bps"]) for c in recorded] == [("kv", None)]
    await lobby(client)
    assert await changes(runtime) == recorded


class ReadBeforePut:
    """KV whose writes of one key wait until lobbies have read it: readers that run while an
    RTP change is recorded in D1 but not yet in KV."""

    def __init__(self, kv, key: str, read) -> None:
        self.kv, self.key, self.read = kv, key, read

    async def put(self, key: str, value: str) -> None:
        if key == self.key:
            await self.read()
        await self.kv.put(key, value)

    def __getattr__(self, name: str):
        return getattr(self.kv, name)


async def test_an_rtp_change_read_by_concurrent_lobbies_is_in_the_history_once(client, runtime):
    services = runtime.services
    await seeded(client, runtime)
    ops = (await staff_login(client, runtime, "admin"))["headers"]
    seen = len(await changes(runtime))
    kv, services.kv = services.kv, ReadBeforePut(services.kv, "game:dice", lambda: lobby(client))
    try:
        change = client.put("/v1/ops/games/dice/rtp", json={"rtp_bps": 9500}, headers=ops)
        answers = await asyncio.gather(change, *(client.get("/v1/games/dice") for _ in range(5)))
    finally:
        services.kv = kv
    assert answers[0].status_code == 200, answers[0].text
    assert set(await lobby(client)) == {9500}
    after = [(c["source"], c["new_rtp_bps"]) for c in (await changes(runtime))[seen:]]
    assert after == [("api", 9500)]


class StaleKV:
    """KV as a far location sees it for up to a minute after a write: the value before."""

    def __init__(self, kv, stale: dict[str, str | None]) -> None:
        self.kv, self.stale = kv, stale

    async def get(self, key: str) -> str | None:
        return self.stale[key] if key in self.stale else await self.kv.get(key)

    def __getattr__(self, name: str):
        return getattr(self.kv, name)


async def test_a_reader_seeing_the_value_before_a_change_records_nothing(client, runtime):
    services = runtime.services
    before = await seeded(client, runtime)
    ops = (await staff_login(client, runtime, "admin"))["headers"]
    seen = len(await changes(runtime))
    assert (await client.put("/v1/ops/games/dice/rtp", json={"rtp_bps": 9500},
                             headers=ops)).status_code == 200  # fmt: skip
    kv, services.kv = services.kv, StaleKV(services.kv, {"game:dice": before})
    try:
        await lobby(client, 3)
    finally:
        services.kv = kv
    after = [(c["source"], c["new_rtp_bps"]) for c in (await changes(runtime))[seen:]]
    assert after == [("api", 9500)]
    # The last good value is still the change, not what the stale reader saw.
    row = await services.db.prepare(
        "SELECT rtp_bps FROM game_configs WHERE game_id = 'dice' AND jurisdiction = 'generic'"
    ).first()
    assert row == {"rtp_bps": 9500}

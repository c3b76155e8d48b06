"""The Cloudflare adapters against miniflare's real D1, KV and R2."""

from __future__ import annotations

import json

from conformance_env import env  # type: ignore[import-not-found]

from infra.cloudflare import D1Database, KVNamespace, R2Bucket
from infra.ports import ConstraintViolation

db = D1Database(env.DB)


async def test_d1_prepare_bind_first_all_run():
    await (
        db.prepare("INSERT INTO audit_log VALUES (?, 'a', 'admin', 'conformance', ?, '{}', ?)")
        .bind("c1", "subject-1", "2026-11-25T00:00:00.000Z")
        .run()
    )
    row = (
        await db.prepare("SELECT audit_id, subject FROM audit_log WHERE audit_id = ?")
        .bind("c1")
        .first()
    )
    assert row == {"audit_id": "c1", "subject": "subject-1"}
    assert await db.prepare("SELECT * FROM audit_log WHERE audit_id = 'none'").first() is None
    rows = await db.prepare("SELECT audit_id FROM audit_log").all()
    assert {"audit_id": "c1"} in rows and all(isinstance(r, dict) for r in rows)
    changed = (
        await db.prepare("UPDATE audit_log SET details = ? WHERE audit_id = ?")
        .bind('{"x": 1}', "c1")
        .run()
    )
    assert changed == 1


async def test_d1_none_binds_as_null_and_big_integers_survive():
    await (
        db.prepare("INSERT INTO game_configs VALUES (?, ?, ?, ?, ?, ?)")
        .bind("conformance", 9700, 10, 10**12, "2026-11-25T00:00:00.000Z", "t")
        .run()
    )
    row = await db.prepare(
        "SELECT max_stake FROM game_configs WHERE game_id = 'conformance'"
    ).first()
    assert row == {"max_stake": 10**12}
    await (
        db.prepare("INSERT INTO game_config_changes VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind("ch1", "conformance", None, 9700, "t", "2026-11-25T00:00:00.000Z", "api")
        .run()
    )
    row = await db.prepare(
        "SELECT old_rtp_bps FROM game_config_changes WHERE change_id = 'ch1'"
    ).first()
    assert row == {"old_rtp_bps": None}


async def test_d1_unique_violations_raise_constraint_violation():
    insert = "INSERT INTO staff VALUES (?, 'dup@example.com', 'h', 'operator', 'now')"
    await db.prepare(insert).bind("s1").run()
    try:
        await db.prepare(insert).bind("s2").run()
    except ConstraintViolation as error:
        assert "UNIQUE" in str(error)
    else:
        raise AssertionError("a duplicate email was accepted")


async def test_a_d1_batch_is_all_or_nothing():
    insert = "INSERT INTO audit_log VALUES (?, 'a', 'admin', 'batch', 's', '{}', 'now')"
    try:
        await db.batch([db.prepare(insert).bind("b1"), db.prepare(insert).bind("b1")])
    except ConstraintViolation:
        pass
    else:
        raise AssertionError("the batch should have failed")
    assert await db.prepare("SELECT * FROM audit_log WHERE audit_id = 'b1'").first() is None
    results = await db.batch([db.prepare(insert).bind("b2"), db.prepare("SELECT 1 AS one")])
    assert results[1] == [{"one": 1}]


async def test_the_wallet_projection_sql_is_idempotent_on_real_d1():
    statement = (
        "INSERT OR IGNORE INTO wallet_events (player_id, seq, type, amount, balance_after, "
        "created_at, ref) VALUES (?, ?, ?, ?, ?, ?, ?)"
    )
    batch = [
        db.prepare(statement).bind(
            "p1", seq, "DEPOSIT", 100, 100 * seq, "2026-11-25T00:00:00.000Z", f"payment:{seq}"
        )  # fmt: skip
        for seq in (1, 2, 3)
    ]
    await db.batch(batch)
    await db.batch(batch)  # a retried projection
    rows = await db.prepare(
        "SELECT seq FROM wallet_events WHERE player_id = 'p1' ORDER BY seq"
    ).all()
    assert rows == [{"seq": 1}, {"seq": 2}, {"seq": 3}]


async def test_kv_get_put_delete_and_list_by_prefix():
    kv = KVNamespace(env.KV)
    assert await kv.get("conformance:missing") is None
    await kv.put("conformance:a", json.dumps({"rtp_bps": 9700}))
    await kv.put("conformance:b", "2")
    await kv.put("other:c", "3")
    assert json.loads(await kv.get("conformance:a")) == {"rtp_bps": 9700}
    assert await kv.list_keys("conformance:") == ["conformance:a", "conformance:b"]
    await kv.delete("conformance:a")
    assert await kv.get("conformance:a") is None


async def test_r2_stores_documents_byte_for_byte():
    bucket = R2Bucket(env.DOCUMENTS)
    content = bytes(range(256)) * 10
    await bucket.put("kyc/p/d", content, "image/png")
    assert await bucket.get("kyc/p/d") == content
    assert await bucket.get("kyc/p/missing") is None

"""`infra.cloudflare.D1Database` against miniflare's real D1 (workerd's implementation), reached
through the `workers` SDK's env wrapper as the Worker reaches it, on the schema the project's
migrations create."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from _conformance_host import env, host, info  # type: ignore[import-not-found]

from infra.cloudflare import D1Database, DurableObjectStorage
from infra.ports import ConstraintViolation
from wallet_do.wallet import Wallet, WalletDeps
from workers import _EnvWrapper  # type: ignore[import-not-found]

db = D1Database(_EnvWrapper(env).DB)
NOW = "2026-11-25T00:00:00.000Z"


async def _table() -> None:
    await db.prepare(
        "CREATE TABLE IF NOT EXISTS conformance_t (id TEXT PRIMARY KEY, n INTEGER, "
        "r REAL, s TEXT, b BLOB, CHECK (n IS NULL OR n >= 0))"
    ).run()


async def raises(exception: type[BaseException], awaitable) -> BaseException:
    try:
        await awaitable
    except exception as error:
        return error
    raise AssertionError(f"{exception.__name__} was not raised")


async def test_the_migrations_were_applied_in_order_by_wrangler():
    rows = await db.prepare("SELECT name FROM d1_migrations ORDER BY id").all()
    assert [r["name"] for r in rows] == list(info.migrations)
    tables = await db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()
    assert {"players", "wallet_events", "rounds"} <= {t["name"] for t in tables}


async def test_prepare_bind_first_all_run():
    await _table()
    insert = "INSERT INTO conformance_t (id, n, s) VALUES (?, ?, ?)"
    assert await db.prepare(insert).bind("a", 1, "uno").run() == 1
    assert await db.prepare(insert).bind("b", 2, "dos").run() == 1
    row = await db.prepare("SELECT id, n, s FROM conformance_t WHERE id = ?").bind("a").first()
    assert row == {"id": "a", "n": 1, "s": "uno"} and type(row["n"]) is int
    assert await db.prepare("SELECT * FROM conformance_t WHERE id = ?").bind("zz").first() is None
    rows = (
        await db.prepare("SELECT id FROM conformance_t WHERE id IN (?, ?) ORDER BY id")
        .bind("a", "b")
        .all()
    )
    assert rows == [{"id": "a"}, {"id": "b"}]
    assert await db.prepare("SELECT id FROM conformance_t WHERE id = 'none'").all() == []
    assert await db.prepare("UPDATE conformance_t SET n = n + 10 WHERE id IN ('a', 'b')").run() == 2
    assert await db.prepare("DELETE FROM conformance_t WHERE id = 'nothing'").run() == 0
    # A statement without bind() runs as is; a bound statement can be reused.
    select = db.prepare("SELECT n FROM conformance_t WHERE id = ?")
    assert [await select.bind(k).first() for k in ("a", "b")] == [{"n": 11}, {"n": 12}]


async def test_values_cross_the_boundary_exactly():
    await _table()
    big = 2**53 - 1
    text = "Olá, mundo ✓ 🎰 \u00e7\u00e3o"
    await (
        db.prepare("INSERT INTO conformance_t (id, n, r, s) VALUES (?, ?, ?, ?)")
        .bind("v1", big, 0.1, text)
        .run()
    )
    row = await db.prepare(
        "SELECT n, r, s, typeof(n) AS t FROM conformance_t WHERE id = 'v1'"
    ).first()
    assert row == {"n": big, "r": 0.1, "s": text, "t": "integer"}
    # None binds as SQL NULL (D1 refuses JS undefined), at any position.
    await (
        db.prepare("INSERT INTO conformance_t (id, n, r, s) VALUES (?, ?, ?, ?)")
        .bind("v2", None, None, None)
        .run()
    )
    row = await db.prepare(
        "SELECT n, r, s, n IS NULL AS is_null FROM conformance_t WHERE id = 'v2'"
    ).first()
    assert row == {"n": None, "r": None, "s": None, "is_null": 1}
    # Booleans bind as 1/0; SQLite has no boolean type.
    assert await db.prepare("SELECT ? AS t, ? AS f").bind(True, False).first() == {"t": 1, "f": 0}
    # Beyond 2**53 a JS number cannot hold the value: refused before it reaches D1.
    try:
        db.prepare("SELECT ?").bind(2**53)
    except ValueError:
        pass
    else:
        raise AssertionError("2**53 was bound")


async def test_constraint_violations_raise_constraint_violation():
    await _table()
    await db.prepare("INSERT INTO conformance_t (id) VALUES ('dup')").run()
    error = await raises(
        ConstraintViolation,
        db.prepare("INSERT INTO conformance_t (id) VALUES (?)").bind("dup").run(),
    )
    assert "UNIQUE" in str(error)
    error = await raises(
        ConstraintViolation,
        db.prepare("INSERT INTO conformance_t (id, n) VALUES ('neg', ?)").bind(-1).run(),
    )
    assert "CHECK" in str(error)
    # The project's schema: a second account for the same email.
    insert = (
        "INSERT INTO staff (staff_id, email, password_hash, role, created_at) "
        "VALUES (?, 'dup@example.com', 'h', 'operator', ?)"
    )
    await db.prepare(insert).bind("s1", NOW).run()
    await raises(ConstraintViolation, db.prepare(insert).bind("s2", NOW).run())
    # A player row over a staff e-mail: refused by the migration's trigger, mapped the same way.
    player = (
        "INSERT INTO players (player_id, email, password_hash, full_name, birth_date, country, "
        "jurisdiction, created_at) VALUES ('p1', 'dup@example.com', 'h', 'n', '1990-01-01', "
        "'BR', 'BR', ?)"
    )
    error = await raises(ConstraintViolation, db.prepare(player).bind(NOW).run())
    assert "staff e-mail" in str(error)
    # Other errors are not constraint violations.
    error = await raises(Exception, db.prepare("SELECT * FROM no_such_table").all())
    assert not isinstance(error, ConstraintViolation) and "no such table" in str(error)


async def test_a_batch_is_all_or_nothing():
    await _table()
    insert = "INSERT INTO conformance_t (id, n) VALUES (?, ?)"
    await raises(
        ConstraintViolation,
        db.batch([db.prepare(insert).bind("x1", 1), db.prepare(insert).bind("x2", 2),
                  db.prepare(insert).bind("x1", 3)]),
    )  # fmt: skip
    rows = await db.prepare("SELECT id FROM conformance_t WHERE id IN ('x1', 'x2')").all()
    assert rows == [], "the first two inserts of the failed batch were kept"
    results = await db.batch([
        db.prepare(insert).bind("y1", 1),
        db.prepare("UPDATE conformance_t SET n = n + 1 WHERE id = 'y1'"),
        db.prepare("SELECT id, n FROM conformance_t WHERE id = ?").bind("y1"),
    ])  # fmt: skip
    assert results == [[], [], [{"id": "y1", "n": 2}]]
    assert await db.batch([]) == []


async def test_the_wallet_projection_is_idempotent_on_the_real_schema():
    """The WalletDO's own alarm (its INSERT OR IGNORE SQL, unchanged) projects its outbox into
    D1; projecting the same rows again (an alarm retried after D1 wrote but before the outbox
    was acknowledged) changes nothing."""

    class Clock:
        def now(self) -> datetime:
            return datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

    player = "conformance-projection"
    storage = DurableObjectStorage(host.newStorage())
    wallet = Wallet(storage, WalletDeps(clock=Clock(), db=db))
    for n, amount in enumerate((500, 250, 125), start=1):
        answer = await wallet.deposit({
            "player_id": player, "amount": amount, "method": "pix", "idempotency_key": f"k{n}",
            "request_hash": f"h{n}", "ref": f"pix:{n}",
            "source": {"method": "pix", "document": "52998224725", "own": True},
        })  # fmt: skip
        assert answer["status"] == 201, answer
    outbox = storage.exec("SELECT topic, payload FROM outbox ORDER BY id")
    assert [r["topic"] for r in outbox] == ["wallet_event", "payment"] * 3

    await wallet.alarm()
    query = db.prepare(
        "SELECT seq, type, amount, balance_after, ref FROM wallet_events WHERE player_id = ? "
        "ORDER BY seq"
    ).bind(player)
    projected = await query.all()
    assert [(r["seq"], r["balance_after"]) for r in projected] == [(1, 500), (2, 750), (3, 875)]
    assert storage.exec("SELECT count(*) AS n FROM outbox") == [{"n": 0}]
    assert storage.exec("SELECT v FROM meta WHERE k = 'projected_seq'") == [{"v": "3"}]

    for row in outbox:  # the retry: the same rows again
        storage.exec(
            "INSERT INTO outbox (topic, payload) VALUES (?, ?)", row["topic"], row["payload"]
        )
    await wallet.alarm()
    assert await query.all() == projected
    assert storage.exec("SELECT v FROM meta WHERE k = 'projected_seq'") == [{"v": "3"}]
    assert json.loads(outbox[0]["payload"])["seq"] == 1
    payments = await db.prepare(
        "SELECT ref, kind, own_account, status FROM payments WHERE player_id = ? ORDER BY ref"
    ).bind(player).all()  # fmt: skip
    assert payments == [
        {"ref": f"pix:{n}", "kind": "deposit", "own_account": 1, "status": "received"}
        for n in (1, 2, 3)
    ]

"""`infra.cloudflare.DurableObjectStorage` over `ctx.storage` as the harness hosts it: SQLite
(sql.js) behind workerd's synchronous `sql.exec` / `transactionSync` API and rules (see
do_host.mjs). What is checked here is the adapter and the FFI: conversions, exceptions crossing
`transactionSync` both ways, rollback."""

from __future__ import annotations

from _conformance_host import host  # type: ignore[import-not-found]
from pyodide.ffi import JsException  # type: ignore[import-not-found]

from infra.cloudflare import DurableObjectStorage
from infra.ports import ConstraintViolation

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS ledger (seq INTEGER PRIMARY KEY, amount INTEGER NOT NULL, "
    "balance INTEGER NOT NULL CHECK (balance >= 0), note TEXT, raw BLOB)"
)


def fresh() -> DurableObjectStorage:
    storage = DurableObjectStorage(host.newStorage())
    storage.exec(SCHEMA)
    return storage


class Refused(Exception):
    pass


def raises(exception: type[BaseException], fn, *args) -> BaseException:
    try:
        fn(*args)
    except exception as error:
        return error
    raise AssertionError(f"{exception.__name__} was not raised")


async def test_exec_returns_rows_as_dicts_with_exact_values():
    s = fresh()
    assert (
        s.exec("INSERT INTO ledger VALUES (?, ?, ?, ?, ?)", 1, 100, 100, "Olá ✓", b"\x00\xff") == []
    )
    s.exec("INSERT INTO ledger VALUES (?, ?, ?, ?, ?)", 2, 2**53 - 1, 2**53 - 1, None, None)
    rows = s.exec("SELECT * FROM ledger ORDER BY seq")
    assert rows == [
        {"seq": 1, "amount": 100, "balance": 100, "note": "Olá ✓", "raw": b"\x00\xff"},
        {"seq": 2, "amount": 2**53 - 1, "balance": 2**53 - 1, "note": None, "raw": None},
    ]
    assert all(type(r["amount"]) is int for r in rows)
    assert s.exec("SELECT ? AS t, ? AS f", True, False) == [{"t": 1, "f": 0}]
    assert s.exec("SELECT * FROM ledger WHERE seq = ?", 99) == []
    raises(ValueError, s.exec, "SELECT ?", 2**53)


async def test_several_statements_in_one_exec():
    s = DurableObjectStorage(host.newStorage())
    rows = s.exec("CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1); INSERT INTO a VALUES (2);"
                  " SELECT sum(x) AS total FROM a WHERE x > ?", 0)  # fmt: skip
    assert rows == [{"total": 3}]


async def test_a_transaction_commits_what_it_wrote_and_returns_its_value():
    s = fresh()

    def write() -> int:
        s.exec("INSERT INTO ledger (seq, amount, balance) VALUES (1, 50, 50)")
        s.exec("INSERT INTO ledger (seq, amount, balance) VALUES (2, 25, 75)")
        return s.exec("SELECT max(balance) AS b FROM ledger")[0]["b"]

    assert s.transaction(write) == 75
    assert [r["seq"] for r in s.exec("SELECT seq FROM ledger")] == [1, 2]


async def test_a_python_exception_rolls_back_and_comes_out_unchanged():
    s = fresh()
    refusal = Refused("limit reached")

    def write() -> None:
        s.exec("INSERT INTO ledger (seq, amount, balance) VALUES (1, 50, 50)")
        raise refusal

    error = raises(Refused, s.transaction, write)
    assert error is refusal
    assert s.exec("SELECT * FROM ledger") == []


async def test_a_constraint_violation_inside_a_transaction_rolls_everything_back():
    s = fresh()

    def write() -> None:
        s.exec("INSERT INTO ledger (seq, amount, balance) VALUES (1, 50, 50)")
        s.exec("INSERT INTO ledger (seq, amount, balance) VALUES (2, 80, -30)")  # CHECK

    error = raises(ConstraintViolation, s.transaction, write)
    assert "CHECK constraint failed" in str(error)
    assert s.exec("SELECT * FROM ledger") == []
    s.exec("INSERT INTO ledger (seq, amount, balance) VALUES (1, 1, 1)")
    assert "UNIQUE" in str(raises(ConstraintViolation, s.exec,
                                  "INSERT INTO ledger (seq, amount, balance) VALUES (1, 1, 1)"))  # fmt: skip


async def test_nested_transactions_roll_back_only_the_inner_one():
    s = fresh()

    def inner() -> None:
        s.exec("INSERT INTO ledger (seq, amount, balance) VALUES (2, 1, 1)")
        raise Refused("inner")

    def outer() -> None:
        s.exec("INSERT INTO ledger (seq, amount, balance) VALUES (1, 1, 1)")
        raises(Refused, s.transaction, inner)
        s.exec("INSERT INTO ledger (seq, amount, balance) VALUES (3, 1, 1)")

    s.transaction(outer)
    assert [r["seq"] for r in s.exec("SELECT seq FROM ledger ORDER BY seq")] == [1, 3]


async def test_sql_transactions_are_refused_as_on_the_edge():
    s = fresh()
    for statement in ("BEGIN", "BEGIN TRANSACTION", "COMMIT", "SAVEPOINT x", "ROLLBACK"):
        error = raises(JsException, s.exec, statement)
        assert "transactionSync" in str(error), statement


async def test_alarms_are_set_and_read_back():
    s = DurableObjectStorage(host.newStorage())
    assert await s.get_alarm() is None
    await s.set_alarm(1_790_000_000_123)
    assert await s.get_alarm() == 1_790_000_000_123

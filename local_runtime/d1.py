"""D1 on the local machine: the SQLite file wrangler uses, with D1's API shape and limits.

D1 refuses explicit transactions (BEGIN/COMMIT/SAVEPOINT), ATTACH and most PRAGMAs; SQLite's
authorizer refuses them here too, so code that works locally does not break on the edge.
`batch` is one transaction, as on D1. Every call yields to the event loop, because on the edge
every D1 call is an await at which other requests run.

Each call is one synchronous unit on the connection: its statement (or a batch's transaction)
runs, and its result (rows and the number of changed rows) is taken, before anything else may
run. No per-connection state survives an await: an earlier version kept "the changes of the last
statement" on the connection and read it after the yield, so a concurrent request's statement
could answer for it (a refresh token redeemed twice, another login revoked).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from infra.ports import ConstraintViolation, Row, Unavailable

from .faults import AFTER, NO_FAULTS, FaultPlan
from .invocation import count_d1

# D1's limits per statement (developers.cloudflare.com/d1/platform/limits).
MAX_BOUND_PARAMETERS = 100
MAX_STATEMENT_BYTES = 100_000
MAX_VALUE_BYTES = 2_000_000
MAX_COMPOUND_SELECT_TERMS = 5

D1_PRAGMAS = frozenset(
    {
        "table_list", "table_info", "table_xinfo", "index_list", "index_info", "index_xinfo",
        "foreign_keys", "foreign_key_check", "foreign_key_list", "case_sensitive_like",
        "ignore_check_constraints", "legacy_alter_table", "quick_check", "recursive_triggers",
        "reverse_unordered_selects", "defer_foreign_keys", "optimize",
    }
)  # fmt: skip
_REFUSED = {
    sqlite3.SQLITE_TRANSACTION: "explicit transactions are not allowed on D1; use batch()",
    sqlite3.SQLITE_SAVEPOINT: "savepoints are not allowed on D1; use batch()",
    sqlite3.SQLITE_ATTACH: "ATTACH is not allowed on D1",
    sqlite3.SQLITE_DETACH: "DETACH is not allowed on D1",
}


class D1Error(Exception):
    """What D1 would answer with `D1_ERROR`: a statement it refuses or cannot run."""


class LocalStatement:
    def __init__(self, db: LocalD1, sql: str, params: tuple[Any, ...] = ()) -> None:
        self._db, self.sql, self.params = db, sql, params

    def bind(self, *params: Any) -> LocalStatement:
        return LocalStatement(self._db, self.sql, params)

    async def first(self) -> Row | None:
        rows = await self.all()
        return rows[0] if rows else None

    async def all(self) -> list[Row]:
        count_d1()
        rows, _ = self._db.execute(self)
        await asyncio.sleep(0)
        return rows

    async def run(self) -> int:
        count_d1()
        _, changes = self._db.execute(self)
        await asyncio.sleep(0)
        return changes


class LocalD1:
    def __init__(self, path: Path, faults: FaultPlan = NO_FAULTS) -> None:
        self.path, self.faults = path, faults
        self.conn = sqlite3.connect(path, isolation_level=None, timeout=10)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        # WAL + synchronous=NORMAL: a committed batch is in the WAL before `batch` returns, so
        # it survives a crash (kill -9) of the process, which is what the local runtime promises
        # (as the Durable Objects' storage and the alarm table do); FULL's fsync per commit
        # guarded only against power loss, at a disk flush per projection batch.
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        # D1's SQLite is built with at most five terms per compound SELECT (a sixth UNION ALL
        # term fails there with "too many terms in compound SELECT"): so it fails here too.
        self.conn.setlimit(sqlite3.SQLITE_LIMIT_COMPOUND_SELECT, MAX_COMPOUND_SELECT_TERMS)
        self._internal = False
        self.conn.set_authorizer(self._authorize)

    def _authorize(self, action: int, arg1: str | None, *_: object) -> int:
        if self._internal:
            return sqlite3.SQLITE_OK
        if action in _REFUSED:
            return sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() not in D1_PRAGMAS:
            return sqlite3.SQLITE_DENY
        touches_table = action in (
            sqlite3.SQLITE_READ,
            sqlite3.SQLITE_UPDATE,
            sqlite3.SQLITE_INSERT,
        )
        if touches_table and (arg1 or "").startswith("_cf_"):
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    def prepare(self, sql: str) -> LocalStatement:
        return LocalStatement(self, sql)

    @staticmethod
    def check_limits(stmt: LocalStatement) -> None:
        if len(stmt.params) > MAX_BOUND_PARAMETERS:
            raise D1Error(f"too many SQL variables: D1 allows {MAX_BOUND_PARAMETERS} per query")
        if len(stmt.sql.encode()) > MAX_STATEMENT_BYTES:
            raise D1Error(f"statement too long: D1 allows {MAX_STATEMENT_BYTES} bytes")
        for value in stmt.params:
            if isinstance(value, str | bytes) and len(value) > MAX_VALUE_BYTES:
                raise D1Error(f"string or blob too big: D1 allows {MAX_VALUE_BYTES} bytes")

    def execute(self, stmt: LocalStatement) -> tuple[list[Row], int]:
        """Run one statement; its rows and changed-row count, taken before anything else runs."""
        self.check_limits(stmt)
        try:
            cursor = self.conn.execute(stmt.sql, stmt.params)
            rows = [dict(row) for row in cursor.fetchall()]
            return rows, max(cursor.rowcount, 0)
        except sqlite3.IntegrityError as exc:
            raise ConstraintViolation(str(exc)) from exc
        except sqlite3.DatabaseError as exc:
            raise D1Error(str(exc)) from exc

    async def batch(self, statements: Sequence[LocalStatement]) -> list[list[Row]]:
        count_d1(len(statements))
        fault = self.faults.draw("d1")
        if fault is not None and fault != AFTER:
            await asyncio.sleep(0)
            raise Unavailable("injected fault: the D1 batch did not run")
        results: list[list[Row]] = []
        self._begin()
        try:
            for stmt in statements:
                results.append(self.execute(stmt)[0])
        except BaseException:
            self._end("ROLLBACK")
            raise
        self._end("COMMIT")
        await asyncio.sleep(0)
        if fault == AFTER:
            raise Unavailable("injected fault: the D1 batch committed and its reply was lost")
        return results

    def _begin(self) -> None:
        self._internal = True
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        finally:
            self._internal = False

    def _end(self, verb: str) -> None:
        self._internal = True
        try:
            self.conn.execute(verb)
        finally:
            self._internal = False

    def close(self) -> None:
        self.conn.close()

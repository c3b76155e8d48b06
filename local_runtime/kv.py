"""Workers KV on the local machine, in miniflare's own format.

Keys live in `_mf_entries` of the namespace's SQLite file and values in blob files beside it,
exactly where `wrangler kv key put --local` writes them, so an operator's wrangler command and
the local server see the same keys.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from pathlib import Path

from .invocation import count_kv

_SCHEMA = """CREATE TABLE IF NOT EXISTS _mf_entries (
  key TEXT PRIMARY KEY,
  blob_id TEXT NOT NULL,
  expiration INTEGER,
  metadata TEXT
)"""


def _blob_id() -> str:
    return (os.urandom(32) + int(time.time() * 1000).to_bytes(8, "big")).hex()


class LocalKV:
    def __init__(self, db_file: Path, blobs: Path) -> None:
        db_file.parent.mkdir(parents=True, exist_ok=True)
        blobs.mkdir(parents=True, exist_ok=True)
        self.blobs = blobs
        self.conn = sqlite3.connect(db_file, isolation_level=None, timeout=10)
        self.conn.execute("PRAGMA journal_mode=WAL")
        # WAL + synchronous=NORMAL, as every local store: a committed put survives a crash of
        # the process (FULL, SQLite's default, would add an fsync to every put).
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute(_SCHEMA)

    def _live(self, key: str) -> str | None:
        row = self.conn.execute(
            "SELECT blob_id, expiration FROM _mf_entries WHERE key = ?", (key,)
        ).fetchone()
        if row is None or (row[1] is not None and row[1] <= time.time() * 1000):
            return None
        return str(row[0])

    async def get(self, key: str) -> str | None:
        count_kv()
        blob_id = self._live(key)
        await asyncio.sleep(0)
        if blob_id is None:
            return None
        try:
            return (self.blobs / blob_id).read_text("utf-8")
        except FileNotFoundError:
            return None

    async def put(self, key: str, value: str) -> None:
        count_kv()
        blob_id = _blob_id()
        path = self.blobs / blob_id
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(value)
            handle.flush()
            os.fsync(handle.fileno())
        previous = self._live(key)
        self.conn.execute(
            "INSERT OR REPLACE INTO _mf_entries (key, blob_id, expiration, metadata) "
            "VALUES (?, ?, NULL, NULL)",
            (key, blob_id),
        )
        if previous:
            (self.blobs / previous).unlink(missing_ok=True)
        await asyncio.sleep(0)

    async def delete(self, key: str) -> None:
        count_kv()
        previous = self._live(key)
        self.conn.execute("DELETE FROM _mf_entries WHERE key = ?", (key,))
        if previous:
            (self.blobs / previous).unlink(missing_ok=True)
        await asyncio.sleep(0)

    async def list_keys(self, prefix: str = "") -> list[str]:
        count_kv()
        rows = self.conn.execute(
            "SELECT key FROM _mf_entries WHERE substr(key, 1, ?) = ? ORDER BY key",
            (len(prefix), prefix),
        ).fetchall()
        await asyncio.sleep(0)
        return [str(r[0]) for r in rows]

"""Named queries against `national_list` (the national exclusion list as keyed hashes of CPFs,
by version) and `national_list_current` (the one version in force)."""

from __future__ import annotations

import json
from typing import Any

from infra.ports import Database, Statement

IN_FORCE = "(SELECT version FROM national_list_current WHERE singleton = 1)"


async def current_version(db: Database) -> int | None:
    row = await db.prepare("SELECT version FROM national_list_current WHERE singleton = 1").first()
    return int(row["version"]) if row else None


async def has(db: Database, hash_: str) -> bool:
    """Whether `hash_` is on the list in force."""
    row = await (
        db.prepare(
            f"SELECT 1 AS listed FROM national_list WHERE hash = ? AND version = {IN_FORCE}"  # noqa: S608
        )
        .bind(hash_)
        .first()
    )
    return row is not None


async def listed_among(db: Database, hashes: list[str]) -> set[str]:
    """Those of `hashes` on the list in force, in one statement."""
    rows = await (
        db.prepare(
            f"SELECT hash FROM national_list WHERE version = {IN_FORCE} "  # noqa: S608
            "AND hash IN (SELECT value FROM json_each(?))"
        )
        .bind(json.dumps(hashes))
        .all()
    )
    return {r["hash"] for r in rows}


def stage(db: Database, version: int, hashes: list[str]) -> Statement:
    """`hashes` added to `version` (for a batch): one statement, the hashes as one parameter."""
    return db.prepare(
        "INSERT OR IGNORE INTO national_list (version, hash) SELECT ?, value FROM json_each(?)"
    ).bind(version, json.dumps(hashes))


async def difference(db: Database, version: int, current: int | None) -> dict[str, Any]:
    """`{entries, added, removed}` of `version` against `current` (none: all of it is added)."""
    row = await (
        db.prepare(
            "SELECT (SELECT count(*) FROM national_list WHERE version = ?1) AS entries, "
            "(SELECT count(*) FROM national_list n WHERE n.version = ?1 AND NOT EXISTS "
            " (SELECT 1 FROM national_list o WHERE o.version = ?2 AND o.hash = n.hash)) AS added, "
            "(SELECT count(*) FROM national_list o WHERE o.version = ?2 AND NOT EXISTS "
            " (SELECT 1 FROM national_list n WHERE n.version = ?1 AND n.hash = o.hash)) AS removed"
        )
        .bind(version, current if current is not None else -1)
        .first()
    )
    assert row is not None
    return {"entries": row["entries"], "added": row["added"], "removed": row["removed"]}


async def delete_some(db: Database, version: int, limit: int) -> int:
    """Up to `limit` hashes of `version` deleted: the number deleted."""
    return await (
        db.prepare(
            "DELETE FROM national_list WHERE version = ?1 AND hash IN "
            "(SELECT hash FROM national_list WHERE version = ?1 LIMIT ?2)"
        )
        .bind(version, limit)
        .run()
    )


def put_in_force(db: Database, version: int) -> Statement:
    """`version` made the list in force (for a batch)."""
    return db.prepare(
        "INSERT INTO national_list_current (singleton, version) VALUES (1, ?) "
        "ON CONFLICT (singleton) DO UPDATE SET version = excluded.version"
    ).bind(version)

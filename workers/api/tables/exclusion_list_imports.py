"""Named queries against `exclusion_list_imports` (each import of the national list: who, when,
its figures and its status, `staging` to `applied`, `dry_run`, `refused` or `superseded`)."""

from __future__ import annotations

from typing import Any

from infra.ports import Database, Statement


async def start(db: Database, import_id: str, actor_id: str, at: str, version: int) -> int:
    return await db.prepare(
        "INSERT INTO exclusion_list_imports (import_id, entries, added, removed, imported_by, "
        "imported_at, version, status) VALUES (?, 0, 0, 0, ?, ?, ?, 'staging')"
    ).bind(import_id, actor_id, at, version).run()  # fmt: skip


def finish(
    db: Database, import_id: str, status: str, rows: int, invalid_rows: int,
    summary: dict[str, Any],
) -> Statement:  # fmt: skip
    """The import's final status and figures (`summary`: entries, added, removed)."""
    return db.prepare(
        "UPDATE exclusion_list_imports SET status = ?, entries = ?, added = ?, removed = ?, "
        "rows = ?, invalid_rows = ? WHERE import_id = ?"
    ).bind(
        status, summary.get("entries", 0), summary.get("added", 0), summary.get("removed", 0),
        rows, invalid_rows, import_id,
    )  # fmt: skip


def supersede_others(db: Database, import_id: str) -> Statement:
    """Every applied import but `import_id` marked superseded (for a batch)."""
    return db.prepare(
        "UPDATE exclusion_list_imports SET status = 'superseded' "
        "WHERE status = 'applied' AND import_id != ?"
    ).bind(import_id)

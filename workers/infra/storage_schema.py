"""Versioned schema of a Durable Object's own SQLite storage.

An object's storage outlives deploys, so its schema moves forward by numbered steps, applied in
one storage transaction when the object starts, never edited once shipped (as D1's migrations).
"""

from __future__ import annotations

from collections.abc import Sequence

from .ports import ActorStorage

Steps = Sequence[Sequence[str]]


def migrate(storage: ActorStorage, steps: Steps) -> None:
    """Bring the storage to `len(steps)`: each step's statements run once, in order."""
    storage.exec("CREATE TABLE IF NOT EXISTS _schema (version INTEGER NOT NULL)")
    rows = storage.exec("SELECT version FROM _schema")
    current = int(rows[0]["version"]) if rows else 0
    if current >= len(steps):
        return

    def apply() -> None:
        for statements in steps[current:]:
            for statement in statements:
                storage.exec(statement)
        storage.exec("DELETE FROM _schema")
        storage.exec("INSERT INTO _schema (version) VALUES (?)", len(steps))

    storage.transaction(apply)

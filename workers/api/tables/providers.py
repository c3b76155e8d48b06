"""Named queries against `providers` (each external game provider: its games, launch URL,
sealed secret, status) and `provider_sessions` (a player's session at a provider's game)."""

from __future__ import annotations

import json
from typing import Any

from infra.ports import Database, Row, Statement

INSERT = (
    "INSERT INTO providers (provider_id, name, status, currency, games, launch_url, "
    "secret_sealed, created_at, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
UPDATE = (
    "UPDATE providers SET name = ?2, status = ?3, currency = ?4, games = ?5, "
    "launch_url = ?6, secret_sealed = ?7, updated_at = ?9, updated_by = ?10 "
    "WHERE provider_id = ?1"
)


async def by_id(db: Database, provider_id: str) -> Row | None:
    return (
        await db.prepare("SELECT * FROM providers WHERE provider_id = ?").bind(provider_id).first()
    )


async def every(db: Database) -> list[Row]:
    return await db.prepare("SELECT * FROM providers ORDER BY provider_id").all()


def save(
    db: Database, new: bool, config: dict[str, Any], sealed: str, at: str, by: str
) -> Statement:
    """The provider's row created (`new`) or updated from `config` (`provider_to_dict` with
    its launch URL), its secret sealed (for a batch)."""
    return db.prepare(INSERT if new else UPDATE).bind(
        config["provider_id"], config["name"], config["status"], config["currency"],
        json.dumps(config["games"], sort_keys=True), config["launch_url"], sealed, at, at, by,
    )  # fmt: skip


async def open_session(
    db: Database, session_id: str, player_id: str, provider_id: str, game_id: str,
    rtp_bps: int, at: str,
) -> int:  # fmt: skip
    return await db.prepare(
        "INSERT INTO provider_sessions (session_id, player_id, provider_id, game_id, rtp_bps, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?)"
    ).bind(session_id, player_id, provider_id, game_id, rtp_bps, at).run()  # fmt: skip

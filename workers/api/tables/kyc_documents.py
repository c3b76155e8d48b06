"""Named queries against `kyc_documents` (each identity document a player uploaded: its metadata
and the key of its content, which is stored outside D1)."""

from __future__ import annotations

import json

from infra.ports import Database, Row, Statement


def add(
    db: Database,
    document_id: str,
    player_id: str,
    doc_type: str,
    filename: str,
    content_type: str,
    size: int,
    sha256: str,
    storage_key: str,
    at: str,
) -> Statement:
    """A document's row (for a batch with the player's new KYC status)."""
    return db.prepare(
        "INSERT INTO kyc_documents (document_id, player_id, doc_type, filename, "
        "content_type, size, sha256, storage_key, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ).bind(
        document_id, player_id, doc_type, filename, content_type, size, sha256, storage_key, at
    )  # fmt: skip


async def of_players(db: Database, player_ids: list[str]) -> list[Row]:
    """The documents of `player_ids` (without their content's key), oldest first."""
    return await (
        db.prepare(
            "SELECT document_id, player_id, doc_type, filename, content_type, size, created_at "
            "FROM kyc_documents WHERE player_id IN (SELECT value FROM json_each(?)) "
            "ORDER BY created_at"
        )
        .bind(json.dumps(player_ids))
        .all()
    )


async def doc_types(db: Database, player_id: str) -> set[str]:
    """The types of document the player uploaded."""
    rows = await (
        db.prepare("SELECT DISTINCT doc_type FROM kyc_documents WHERE player_id = ?")
        .bind(player_id)
        .all()
    )
    return {r["doc_type"] for r in rows}


async def for_download(db: Database, document_id: str) -> Row | None:
    """Where a document's content is stored, its content type and its file name."""
    return await (
        db.prepare(
            "SELECT storage_key, content_type, filename FROM kyc_documents WHERE document_id = ?"
        )
        .bind(document_id)
        .first()
    )

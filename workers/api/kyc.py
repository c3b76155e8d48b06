"""KYC application: document upload (content checked, stored outside D1) and operator review."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any
from urllib.parse import quote

from casino.errors import InvalidDocument, NotFound, ValidationFailed
from casino.kyc import (
    KycStatus,
    check_document,
    check_documents_for_approval,
    status_after_decision,
    status_after_upload,
)
from infra.ports import Row

from .accounts import iso
from .audit import audit_entry
from .caller import Caller
from .services import Services


def decode_document(content_base64: str) -> bytes:
    try:
        return base64.b64decode("".join(content_base64.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidDocument("content_base64 is not valid base64") from exc


async def upload(
    services: Services, player_id: str, doc_type: str, filename: str, content: bytes
) -> dict[str, Any]:
    sniffed = check_document(content)
    player = (
        await services.db.prepare("SELECT kyc_status FROM players WHERE player_id = ?")
        .bind(player_id)
        .first()
    )
    if player is None:
        raise NotFound("No such player")
    document_id = services.new_id()
    storage_key = f"kyc/{player_id}/{document_id}"
    await services.documents.put(storage_key, content, sniffed)
    status = status_after_upload(KycStatus(player["kyc_status"]))
    now = iso(services.clock.now())
    await services.db.batch(
        [
            services.db.prepare(
                "INSERT INTO kyc_documents (document_id, player_id, doc_type, filename, "
                "content_type, size, sha256, storage_key, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            ).bind(
                document_id,
                player_id,
                doc_type,
                filename,
                sniffed,
                len(content),
                hashlib.sha256(content).hexdigest(),
                storage_key,
                now,
            ),
            services.db.prepare("UPDATE players SET kyc_status = ? WHERE player_id = ?").bind(
                str(status), player_id
            ),
        ]
    )
    return {"document_id": document_id, "kyc_status": str(status)}


async def queue(services: Services, status: str) -> list[dict[str, Any]]:
    players = (
        await services.db.prepare(
            "SELECT p.player_id, p.email, p.full_name, p.kyc_status, max(d.created_at) AS submitted_at "
            "FROM players p LEFT JOIN kyc_documents d ON d.player_id = p.player_id "
            "WHERE p.kyc_status = ? GROUP BY p.player_id ORDER BY submitted_at, p.player_id LIMIT 500"
        )
        .bind(status)
        .all()
    )
    if not players:
        return []
    ids = [p["player_id"] for p in players]
    docs = (
        await services.db.prepare(
            "SELECT document_id, player_id, doc_type, filename, content_type, size, created_at "
            "FROM kyc_documents WHERE player_id IN (SELECT value FROM json_each(?)) "
            "ORDER BY created_at"
        )
        .bind(json.dumps(ids))
        .all()
    )
    by_player: dict[str, list[dict[str, Any]]] = {pid: [] for pid in ids}
    for doc in docs:
        by_player[doc.pop("player_id")].append(doc)
    return [{**p, "documents": by_player[p["player_id"]]} for p in players]


async def decide(
    services: Services, staff: Caller, player_id: str, decision: str, reason: str
) -> dict[str, Any]:
    """An operator's KYC decision (`approve` needs the documents approval asks, `reject` a
    reason), recorded with the player's new status and its audit entry in one batch."""
    if decision == "reject" and not reason:
        raise ValidationFailed("A rejection needs a reason the player can act on")
    player = await _kyc_status(services, player_id)
    if decision == "approve":
        await _check_approvable(services, player_id)
    status = status_after_decision(decision)
    now = iso(services.clock.now())
    details = {
        "decision": decision, "reason": reason, "from": player["kyc_status"], "to": str(status)
    }  # fmt: skip
    await services.db.batch(
        [
            services.db.prepare(
                "INSERT INTO kyc_decisions (decision_id, player_id, decision, reason, "
                "decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?)"
            ).bind(services.new_id(), player_id, decision, reason, staff.subject, now),
            services.db.prepare("UPDATE players SET kyc_status = ? WHERE player_id = ?").bind(
                str(status), player_id
            ),
            audit_entry(
                services, staff.subject, staff.role, "kyc.decision", player_id, details, now
            ),
        ]
    )
    return {"player_id": player_id, "kyc_status": str(status)}


async def _kyc_status(services: Services, player_id: str) -> Row:
    """The player's `kyc_status` row; 404 when there is no such player."""
    player = (
        await services.db.prepare("SELECT kyc_status FROM players WHERE player_id = ?")
        .bind(player_id)
        .first()
    )
    if player is None:
        raise NotFound("No such player")
    return player


async def _check_approvable(services: Services, player_id: str) -> None:
    """Refused unless the player uploaded every document type an approval needs."""
    rows = (
        await services.db.prepare("SELECT DISTINCT doc_type FROM kyc_documents WHERE player_id = ?")
        .bind(player_id)
        .all()
    )
    check_documents_for_approval({r["doc_type"] for r in rows})


def download_headers(filename: str) -> dict[str, str]:
    """A document is downloaded, never rendered on the API's origin: `attachment` with an ASCII
    fallback name and the RFC 6266/5987 UTF-8 one, no sniffing, a CSP that sandboxes it."""
    fallback = "".join(c if c.isalnum() or c in "._-" else "_" for c in filename)[:100]
    return {
        "Content-Disposition": f'attachment; filename="{fallback or "document"}"; '
        f"filename*=UTF-8''{quote(filename, safe='')}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "no-store",
    }


async def document(services: Services, document_id: str) -> tuple[bytes, str, str]:
    row = (
        await services.db.prepare(
            "SELECT storage_key, content_type, filename FROM kyc_documents WHERE document_id = ?"
        )
        .bind(document_id)
        .first()
    )
    content = await services.documents.get(row["storage_key"]) if row else None
    if row is None or content is None:
        raise NotFound("No such document")
    return content, row["content_type"], row["filename"]

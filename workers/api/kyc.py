"""KYC application: document upload (content checked, stored outside D1) and operator review."""

from __future__ import annotations

import base64
import binascii
import hashlib
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
from wallet_do.client import WalletClient

from .accounts import iso
from .audit import audit_entry
from .caller import Caller
from .services import Services
from .tables import kyc_decisions, kyc_documents, players


def decode_document(content_base64: str) -> bytes:
    try:
        return base64.b64decode("".join(content_base64.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidDocument("content_base64 is not valid base64") from exc


async def upload(
    services: Services, player_id: str, doc_type: str, filename: str, content: bytes
) -> dict[str, Any]:
    sniffed = check_document(content)
    player = await _kyc_status(services, player_id)
    document_id = services.new_id()
    storage_key = f"kyc/{player_id}/{document_id}"
    await services.documents.put(storage_key, content, sniffed)
    status = status_after_upload(KycStatus(player["kyc_status"]))
    now = iso(services.clock.now())
    db = services.db
    sha256 = hashlib.sha256(content).hexdigest()
    await _set_in_wallet(services, player_id, status)
    await db.batch(
        [
            kyc_documents.add(
                db, document_id, player_id, doc_type, filename, sniffed, len(content), sha256,
                storage_key, now,
            ),
            players.set_kyc_status(db, player_id, str(status)),
        ]
    )  # fmt: skip
    return {"document_id": document_id, "kyc_status": str(status)}


async def queue(services: Services, status: str) -> list[dict[str, Any]]:
    waiting = await players.kyc_queue(services.db, status)
    if not waiting:
        return []
    ids = [p["player_id"] for p in waiting]
    docs = await kyc_documents.of_players(services.db, ids)
    by_player: dict[str, list[dict[str, Any]]] = {pid: [] for pid in ids}
    for doc in docs:
        by_player[doc.pop("player_id")].append(doc)
    return [{**p, "documents": by_player[p["player_id"]]} for p in waiting]


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
    db = services.db
    # The WalletDO answers the round's KYC gate: a withdrawal there first, a verification
    # there last, so a crash in between leaves it stricter than D1, never laxer.
    verified = status is KycStatus.VERIFIED
    if not verified:
        await _set_in_wallet(services, player_id, status)
    await db.batch(
        [
            kyc_decisions.record(
                db, services.new_id(), player_id, decision, reason, staff.subject, now
            ),
            players.set_kyc_status(db, player_id, str(status)),
            audit_entry(
                services, staff.subject, staff.role, "kyc.decision", player_id, details, now
            ),
        ]
    )
    if verified:
        await _set_in_wallet(services, player_id, status)
    return {"player_id": player_id, "kyc_status": str(status)}


async def _set_in_wallet(services: Services, player_id: str, status: KycStatus) -> None:
    """The player's KYC status in their WalletDO, which answers the round's KYC gate
    (`security.authenticate`); an upload never verifies, so it is written there first."""
    await WalletClient(services.wallets, player_id).set_kyc_status(str(status))


async def _kyc_status(services: Services, player_id: str) -> Row:
    """The player's `kyc_status` row; 404 when there is no such player."""
    player = await players.kyc_status(services.db, player_id)
    if player is None:
        raise NotFound("No such player")
    return player


async def _check_approvable(services: Services, player_id: str) -> None:
    """Refused unless the player uploaded every document type an approval needs."""
    check_documents_for_approval(await kyc_documents.doc_types(services.db, player_id))


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
    row = await kyc_documents.for_download(services.db, document_id)
    content = await services.documents.get(row["storage_key"]) if row else None
    if row is None or content is None:
        raise NotFound("No such document")
    return content, row["content_type"], row["filename"]

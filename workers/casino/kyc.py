"""KYC: which documents are accepted (by their content, not their name) and status changes."""

from __future__ import annotations

from enum import StrEnum

from .errors import DocumentsMissing, InvalidDocument

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
DOC_TYPES = frozenset({"id_front", "id_back", "selfie", "proof_of_address"})


class KycStatus(StrEnum):
    NONE = "none"
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def sniff_content_type(content: bytes) -> str:
    """The media type the bytes really are (PDF, JPEG or PNG), else `InvalidDocument`."""
    for magic, media_type in _MAGIC:
        if content.startswith(magic):
            return media_type
    raise InvalidDocument("Only PDF, JPEG or PNG files are accepted (checked by their content)")


def check_document(content: bytes) -> str:
    if not content:
        raise InvalidDocument("The document is empty")
    if len(content) > MAX_DOCUMENT_BYTES:
        raise InvalidDocument(f"Documents are limited to {MAX_DOCUMENT_BYTES} bytes")
    return sniff_content_type(content)


def status_after_upload(current: KycStatus) -> KycStatus:
    """An upload puts the player in review, except a verified player, who stays verified."""
    return current if current is KycStatus.VERIFIED else KycStatus.PENDING


IDENTITY_DOCUMENTS = frozenset({"id_front", "id_back"})


def check_documents_for_approval(doc_types: set[str]) -> None:
    """An approval needs an identity document and a selfie on file (a face to match it)."""
    missing = []
    if not doc_types & IDENTITY_DOCUMENTS:
        missing.append("an identity document (id_front or id_back)")
    if "selfie" not in doc_types:
        missing.append("a selfie")
    if missing:
        raise DocumentsMissing(f"Approval needs {' and '.join(missing)} on file")


def status_after_decision(decision: str) -> KycStatus:
    return KycStatus.VERIFIED if decision == "approve" else KycStatus.REJECTED

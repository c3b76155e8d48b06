"""Request and response models: the HTTP contract in pydantic. Converted to core values at once."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from casino.ledger import MAX_AMOUNT

Money = Annotated[int, Field(strict=True, ge=1, le=MAX_AMOUNT, description="Minor units (centavos)")]
MoneyOrZero = Annotated[int, Field(strict=True, ge=0, le=MAX_AMOUNT)]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=254,
                      pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]  # fmt: skip


class Strict(BaseModel):
    model_config = ConfigDict(extra="ignore")


class RegisterIn(Strict):
    email: Email
    password: Annotated[str, Field(min_length=1, max_length=1024)]
    full_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    birth_date: date
    country: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")]
    cpf: Annotated[str, Field(max_length=32)] | None = None
    limits: dict[str, object] | None = None


class PlayerIdOut(BaseModel):
    player_id: str


class LoginIn(Strict):
    email: Annotated[str, Field(min_length=1, max_length=254)]
    password: Annotated[str, Field(min_length=1, max_length=1024)]


class TokenPairOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class RefreshIn(Strict):
    refresh_token: Annotated[str, Field(min_length=1, max_length=512)]


class PlayerOut(BaseModel):
    player_id: str
    email: str
    full_name: str
    country: str
    kyc_status: Literal["none", "pending", "verified", "rejected"]
    vip_tier: str
    created_at: str


class WalletOut(BaseModel):
    balance: int
    currency: str
    last_seq: int


class PaymentIn(Strict):
    amount: Money
    method: Annotated[str, Field(min_length=1, max_length=32)]
    payer_document: Annotated[str, Field(min_length=1, max_length=32)] | None = None


class EventOut(BaseModel):
    seq: int
    type: Literal["DEPOSIT", "WITHDRAWAL", "BET", "WIN", "BONUS_CREDIT", "BONUS_DEBIT"]
    amount: int
    balance_after: int
    created_at: str
    ref: str


class MoneyMovementOut(BaseModel):
    event: EventOut
    balance: int


class EventPageOut(BaseModel):
    events: list[EventOut]
    next_after_seq: int | None


DocType = Literal["id_front", "id_back", "selfie", "proof_of_address"]


class KycDocumentIn(Strict):
    doc_type: DocType
    filename: Annotated[str, Field(min_length=1, max_length=255)]
    content_type: Annotated[str, Field(min_length=1, max_length=100)]
    content_base64: Annotated[str, Field(min_length=1)]


class KycDocumentOut(BaseModel):
    document_id: str
    kyc_status: Literal["none", "pending", "verified", "rejected"]


class KycDecisionIn(Strict):
    decision: Literal["approve", "reject"]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] = ""


class KycStatusOut(BaseModel):
    player_id: str
    kyc_status: Literal["none", "pending", "verified", "rejected"]


class DocumentMeta(BaseModel):
    document_id: str
    doc_type: str
    filename: str
    content_type: str
    size: int
    created_at: str


class KycQueueEntry(BaseModel):
    player_id: str
    email: str
    full_name: str
    kyc_status: str
    submitted_at: str | None
    documents: list[DocumentMeta]


class KycQueueOut(BaseModel):
    players: list[KycQueueEntry]


class WalletAuditOut(BaseModel):
    player_id: str
    events: int = Field(description="Number of events in the ledger")
    replayed_balance: int
    stored_balance: int
    consistent: bool
    last_seq: int
    d1_projected_seq: int
    first_error: str | None = None

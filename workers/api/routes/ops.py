"""/v1/ops: operator endpoints (role operator or admin)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from .. import kyc, wallet
from ..schemas import KycDecisionIn, KycQueueOut, KycStatusOut, WalletAuditOut
from ..security import ServicesDep, StaffDep

router = APIRouter(prefix="/v1/ops", tags=["operators"])
KycStatusQuery = Literal["none", "pending", "verified", "rejected"]


@router.get("/kyc", response_model=KycQueueOut)
async def kyc_queue(
    staff: StaffDep, services: ServicesDep, status: Annotated[KycStatusQuery, Query()] = "pending"
) -> KycQueueOut:
    return KycQueueOut(players=await kyc.queue(services, status))


@router.post("/kyc/{player_id}/decision", response_model=KycStatusOut)
async def kyc_decision(
    player_id: str, body: KycDecisionIn, staff: StaffDep, services: ServicesDep
) -> KycStatusOut:
    return KycStatusOut(**await kyc.decide(services, staff, player_id, body.decision, body.reason))


@router.get("/kyc/documents/{document_id}", response_class=Response)
async def kyc_document(document_id: str, staff: StaffDep, services: ServicesDep) -> Response:
    content, content_type = await kyc.document(services, document_id)
    return Response(content, media_type=content_type, headers={"Cache-Control": "no-store"})


@router.get("/players/{player_id}/wallet/audit", response_model=WalletAuditOut)
async def wallet_audit(player_id: str, staff: StaffDep, services: ServicesDep) -> WalletAuditOut:
    await wallet.load_player(services, player_id)
    result = await services.wallets.get(player_id).call("audit", {})
    return WalletAuditOut(player_id=player_id, **result)

"""/v1/ops: operator endpoints (role operator or admin)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from .. import exclusions, game_config, games, kyc, wallet
from ..schemas import (
    BonusGrantOut,
    BonusIn,
    ExclusionImportOut,
    GameConfigOut,
    GameStatsOut,
    KycDecisionIn,
    KycQueueOut,
    KycStatusOut,
    OperatorAlertsOut,
    RtpHistoryOut,
    RtpIn,
    WalletAuditOut,
)
from ..security import ServicesDep, StaffDep
from .wallet import IdempotencyKey

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


@router.get("/games/{game_id}/stats", response_model=GameStatsOut)
async def game_stats(
    game_id: str,
    staff: StaffDep,
    services: ServicesDep,
    jurisdiction: Annotated[str | None, Query(description="whose target RTP to compare")] = None,
) -> GameStatsOut:
    code = game_config.target_jurisdiction(services, jurisdiction)
    return GameStatsOut(**await games.stats(services, game_id, services.profiles[code]))


@router.put("/games/{game_id}/rtp", response_model=GameConfigOut)
async def set_rtp(
    game_id: str, body: RtpIn, staff: StaffDep, services: ServicesDep
) -> GameConfigOut:
    """The RTP of sessions opened from now on, for one market (`jurisdiction`) or, without it,
    for the deployment's market or every market without its own value; within that market's
    range (BR: 8500-9900), else 422 `rtp_out_of_range`."""
    config, code = await game_config.set_rtp(
        services, staff, game_id, body.rtp_bps, body.jurisdiction
    )
    return GameConfigOut(**vars(config), jurisdiction=code)


@router.get("/games/{game_id}/rtp/history", response_model=RtpHistoryOut)
async def rtp_history(game_id: str, staff: StaffDep, services: ServicesDep) -> RtpHistoryOut:
    return RtpHistoryOut(changes=await game_config.rtp_history(services, game_id))


@router.get("/alerts", response_model=OperatorAlertsOut)
async def operator_alerts(staff: StaffDep, services: ServicesDep) -> OperatorAlertsOut:
    rows = await services.db.prepare(
        "SELECT alert_id, kind, subject, detail, created_at, status FROM operator_alerts "
        "ORDER BY created_at DESC LIMIT 500"
    ).all()
    return OperatorAlertsOut(alerts=rows)


@router.post(
    "/exclusions/import",
    response_model=ExclusionImportOut,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
async def import_exclusions(
    request: Request,
    staff: StaffDep,
    services: ServicesDep,
    dry_run: Annotated[bool, Query(description="Report the difference; change nothing")] = False,
) -> ExclusionImportOut:
    """Replace the national exclusion list with a CSV body (`text/csv`): one CPF per row or a
    `cpf` column, comma or semicolon separated, header optional, CPFs with or without
    punctuation. An empty list, a file with no valid CPF, or more than 1% invalid rows is 422
    `invalid_list` and changes nothing. `?dry_run=true` answers the difference only."""
    summary = await exclusions.import_list(
        services, (staff.subject, staff.role), request.stream(), dry_run
    )
    summary["closed_accounts"] = 0 if dry_run else await exclusions.close_newly_listed(services)
    return ExclusionImportOut(**summary)


@router.post("/players/{player_id}/bonuses", status_code=201, response_model=BonusGrantOut)
async def grant_bonus(
    player_id: str,
    body: BonusIn,
    staff: StaffDep,
    services: ServicesDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """A bonus with a wagering requirement (403 `bonus_not_allowed` where the jurisdiction, such
    as Brazil, forbids bonuses)."""
    return await wallet.grant_bonus(services, staff, player_id, key, body.model_dump())

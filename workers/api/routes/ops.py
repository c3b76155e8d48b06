"""/v1/ops: staff endpoints; each names its permission (the table is `api.permissions`)."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from .. import exclusions, game_config, games, kyc, players, reports, staff, wallet
from ..permissions import Permission, require
from ..schemas import (
    AuditLogOut,
    BonusGrantOut,
    BonusIn,
    EventPageOut,
    ExclusionImportOut,
    GameConfigOut,
    GameStatsOut,
    KycDecisionIn,
    KycQueueOut,
    KycStatusOut,
    OperatorAlertsOut,
    PlayerSearchOut,
    RtpHistoryOut,
    RtpIn,
    StaffCreatedOut,
    StaffIn,
    StaffListOut,
    StaffOut,
    StaffResetIn,
    StaffResetOut,
    StaffUpdateIn,
    WalletAuditOut,
)
from ..security import Caller, ServicesDep
from .shaping import shaped
from .wallet import IdempotencyKey

router = APIRouter(prefix="/v1/ops", tags=["operators"])
KycStatusQuery = Literal["none", "pending", "verified", "rejected"]
# The caller, once the permission the endpoint names is checked (`api.permissions`).
KycQueueStaff = Annotated[Caller, Depends(require(Permission.KYC_QUEUE))]
KycDecideStaff = Annotated[Caller, Depends(require(Permission.KYC_DECIDE))]
KycDocumentStaff = Annotated[Caller, Depends(require(Permission.KYC_DOCUMENTS))]
WalletAuditStaff = Annotated[Caller, Depends(require(Permission.WALLET_AUDIT))]
PlayerLookupStaff = Annotated[Caller, Depends(require(Permission.PLAYER_LOOKUP))]
GamesStaff = Annotated[Caller, Depends(require(Permission.GAMES))]
GamesConfigureStaff = Annotated[Caller, Depends(require(Permission.GAMES_CONFIGURE))]
OperatorAlertsStaff = Annotated[Caller, Depends(require(Permission.OPERATOR_ALERTS))]
ExclusionListStaff = Annotated[Caller, Depends(require(Permission.EXCLUSION_LIST))]
BonusStaff = Annotated[Caller, Depends(require(Permission.BONUSES))]
StaffAdmin = Annotated[Caller, Depends(require(Permission.STAFF))]
AuditStaff = Annotated[Caller, Depends(require(Permission.AUDIT_LOG))]


@router.get("/kyc", response_model=KycQueueOut)
async def kyc_queue(
    staff: KycQueueStaff,
    services: ServicesDep,
    status: Annotated[KycStatusQuery, Query()] = "pending",
) -> KycQueueOut:
    return KycQueueOut.model_validate({"players": await kyc.queue(services, status)})


@router.post("/kyc/{player_id}/decision", response_model=KycStatusOut)
async def kyc_decision(
    player_id: str, body: KycDecisionIn, staff: KycDecideStaff, services: ServicesDep
) -> KycStatusOut:
    return KycStatusOut(**await kyc.decide(services, staff, player_id, body.decision, body.reason))


@router.get("/kyc/documents/{document_id}", response_class=Response)
async def kyc_document(
    document_id: str, staff: KycDocumentStaff, services: ServicesDep
) -> Response:
    """The file as an attachment, never rendered on this origin (nosniff, a sandboxing CSP)."""
    content, content_type, filename = await kyc.document(services, document_id)
    return Response(content, media_type=content_type, headers=kyc.download_headers(filename))


@router.get("/players", response_model=PlayerSearchOut)
async def find_players(
    staff: PlayerLookupStaff,
    services: ServicesDep,
    q: Annotated[str, Query(min_length=1, max_length=254, description="id, e-mail or CPF")],
) -> PlayerSearchOut:
    return PlayerSearchOut.model_validate({"players": await players.search(services, q)})


@router.get("/players/{player_id}/wallet/events", response_model=EventPageOut)
async def player_events(
    player_id: str,
    staff: WalletAuditStaff,
    services: ServicesDep,
    after_seq: Annotated[int, Query(ge=0, le=2**53)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> EventPageOut:
    """A player's wallet timeline, straight from the ledger (the WalletDO)."""
    return EventPageOut(**await wallet.events(services, player_id, after_seq, limit, True))


@router.get("/players/{player_id}/wallet/audit", response_model=WalletAuditOut)
async def wallet_audit(
    player_id: str, staff: WalletAuditStaff, services: ServicesDep
) -> WalletAuditOut:
    return WalletAuditOut(player_id=player_id, **await wallet.audit(services, player_id))


@router.get("/games/{game_id}/stats", response_model=GameStatsOut)
async def game_stats(
    game_id: str,
    staff: GamesStaff,
    services: ServicesDep,
    jurisdiction: Annotated[str | None, Query(description="whose target RTP to compare")] = None,
) -> GameStatsOut:
    code = game_config.target_jurisdiction(services, jurisdiction)
    return GameStatsOut(**await games.stats(services, game_id, services.profiles[code]))


@router.put("/games/{game_id}/rtp", response_model=GameConfigOut)
async def set_rtp(
    game_id: str, body: RtpIn, staff: GamesConfigureStaff, services: ServicesDep
) -> GameConfigOut:
    """The RTP of sessions opened from now on, for one market (`jurisdiction`) or, without it,
    for the deployment's market or every market without its own value; within that market's
    range (BR: 8500-9900), else 422 `rtp_out_of_range`."""
    config, code = await game_config.set_rtp(
        services, staff, game_id, body.rtp_bps, body.jurisdiction
    )
    return GameConfigOut(**vars(config), jurisdiction=code)


@router.get("/games/{game_id}/rtp/history", response_model=RtpHistoryOut)
async def rtp_history(game_id: str, staff: GamesStaff, services: ServicesDep) -> RtpHistoryOut:
    changes = await game_config.rtp_history(services, game_id)
    return RtpHistoryOut.model_validate({"changes": changes})


@router.get("/alerts", response_model=OperatorAlertsOut)
async def operator_alerts(staff: OperatorAlertsStaff, services: ServicesDep) -> OperatorAlertsOut:
    alerts = await reports.operator_alerts_latest(services)
    return OperatorAlertsOut.model_validate({"alerts": alerts})


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
    staff: ExclusionListStaff,
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


@router.post(
    "/players/{player_id}/bonuses", status_code=201, response_model=BonusGrantOut,
    response_model_exclude_unset=True,
)  # fmt: skip
async def grant_bonus(
    player_id: str,
    body: BonusIn,
    staff: BonusStaff,
    services: ServicesDep,
    response: Response,
    key: IdempotencyKey = None,
) -> dict[str, Any]:
    """A bonus with a wagering requirement (403 `bonus_not_allowed` where the jurisdiction, such
    as Brazil, forbids bonuses)."""
    answer = await wallet.grant_bonus(services, staff, player_id, key, body.model_dump())
    return shaped(answer, response)


@router.get("/staff", response_model=StaffListOut)
async def list_staff(admin: StaffAdmin, services: ServicesDep) -> StaffListOut:
    return StaffListOut.model_validate({"staff": await staff.list_staff(services)})


@router.post("/staff", status_code=201, response_model=StaffCreatedOut)
async def create_staff(body: StaffIn, admin: StaffAdmin, services: ServicesDep) -> StaffCreatedOut:
    """A staff account; the answer carries its TOTP secret (otpauth URI) and recovery codes,
    shown this once."""
    created = await staff.create_staff(services, admin, body.email, body.password, body.role)
    return StaffCreatedOut(**created)


@router.patch("/staff/{staff_id}", response_model=StaffOut)
async def update_staff(
    staff_id: str, body: StaffUpdateIn, admin: StaffAdmin, services: ServicesDep
) -> StaffOut:
    """Change a member's role or disable them; their logins end."""
    return StaffOut(**await staff.update_staff(services, admin, staff_id, body.role, body.status))


@router.post("/staff/{staff_id}/reset", response_model=StaffResetOut)
async def reset_staff(
    staff_id: str, body: StaffResetIn, admin: StaffAdmin, services: ServicesDep
) -> StaffResetOut:
    """A temporary password (and a new second factor with `reset_mfa`), every login ended."""
    return StaffResetOut(**await staff.reset_staff(services, admin, staff_id, body.reset_mfa))


@router.get("/audit", response_model=AuditLogOut)
async def audit_log(
    staff_member: AuditStaff,
    services: ServicesDep,
    actor_id: Annotated[str | None, Query(max_length=64)] = None,
    subject: Annotated[str | None, Query(max_length=512)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> AuditLogOut:
    """What staff (and the system) did, newest first: who, with which role, what, to whom."""
    entries = await reports.audit_log(services, actor_id, subject, limit)
    return AuditLogOut.model_validate({"entries": entries})

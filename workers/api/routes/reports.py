"""/v1/ops/reports: the daily regulatory report (JSON, or CSV with `Accept: text/csv`) and the
list of stored reports. Roles: compliance, admin (`Permission.REPORTS`)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response
from pydantic import BaseModel, Field

from .. import reports
from ..permissions import Permission, require
from ..security import Caller, ServicesDep

router = APIRouter(prefix="/v1/ops/reports", tags=["reports"])
ReportsStaff = Annotated[Caller, Depends(require(Permission.REPORTS))]
MEDIA_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8"}


class GameFigures(BaseModel):
    game_id: str
    bets: int
    total_staked: int = Field(description="stakes, net of a provider's refunds and rollbacks")
    total_refunded: int
    total_paid: int
    ggr: int = Field(description="gross gaming revenue: total_staked - total_paid")


class BetFigures(BaseModel):
    count: int
    total_staked: int
    total_refunded: int
    total_paid: int
    ggr: int
    by_game: list[GameFigures]


class PaymentTotal(BaseModel):
    count: int
    amount: int


class MethodFigures(BaseModel):
    method: str
    deposits_count: int
    deposits_amount: int
    withdrawals_count: int
    withdrawals_amount: int
    withdrawals_paid_count: int
    withdrawals_paid_amount: int


class PaymentFigures(BaseModel):
    deposits: PaymentTotal
    withdrawals: PaymentTotal = Field(description="withdrawals requested that day")
    withdrawals_paid: PaymentTotal = Field(description="withdrawals paid out that day")
    by_method: list[MethodFigures]


class PlayerFigures(BaseModel):
    registered: int
    active_bettors: int
    depositors: int
    self_exclusions: int
    breaks: int
    national_exclusions: int = Field(description="accounts closed on the national list")


class DailyReportOut(BaseModel):
    """The JSON form (sorted keys, two-space indent); amounts in minor units (centavos)."""

    report: str
    version: int
    jurisdiction: str
    date: str
    currency: str
    day_starts_at: str
    day_ends_at: str
    bets: BetFigures
    payments: PaymentFigures
    players: PlayerFigures


class StoredReport(BaseModel):
    jurisdiction: str
    date: str
    formats: list[str]
    sha256: dict[str, str] = Field(description="the SHA-256 of each format's stored bytes")


class StoredReportsOut(BaseModel):
    reports: list[StoredReport]


def wanted_format(accept: str | None) -> str:
    """CSV when the client's `Accept` prefers `text/csv` to JSON (by q, then order); else JSON."""
    best: tuple[float, int, str] | None = None
    for position, part in enumerate((accept or "").split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        fmt = {"text/csv": "csv", "application/json": "json"}.get(media.lower())
        if fmt is None:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0 and (best is None or (q, -position) > (best[0], -best[1])):
            best = (q, position, fmt)
    return best[2] if best else "json"


@router.get(
    "/daily",
    response_class=Response,
    responses={
        200: {
            "description": "The day's report: JSON by default, CSV with `Accept: text/csv`",
            "model": DailyReportOut,
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
async def daily_report(
    staff: ReportsStaff,
    services: ServicesDep,
    date: Annotated[str, Query(description="The UTC day, YYYY-MM-DD (not in the future)")],
    jurisdiction: Annotated[
        str | None, Query(max_length=16, description="BR or generic; default the deployment's")
    ] = None,
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    """A day's regulatory report for one jurisdiction, computed from the recorded events alone,
    so the same day gives the same bytes whenever it is asked; a day the daily job stored
    (03:00 UTC, the day before) answers the stored bytes. Days are UTC calendar days of each
    record's `created_at`; amounts are integers in minor units (centavos). A date that is not
    a calendar day, or is in the future, is 422 `invalid_date`."""
    fmt = wanted_format(accept)
    code, body, sha256, was_stored = await reports.daily(services, jurisdiction, date, fmt)
    headers = {
        "ETag": f'"{sha256}"',
        "X-Report-SHA256": sha256,
        "X-Report-Stored": "true" if was_stored else "false",
        "Vary": "Accept",
    }
    if fmt == "csv":
        headers["Content-Disposition"] = f'attachment; filename="report-{code}-{date}.csv"'
    return Response(body.encode("utf-8"), media_type=MEDIA_TYPES[fmt], headers=headers)


@router.get("", response_model=StoredReportsOut)
async def stored_reports(
    staff: ReportsStaff,
    services: ServicesDep,
    jurisdiction: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=5000, description="days, newest first")] = 366,
) -> StoredReportsOut:
    """The reports the daily job stored (kept at least five years, never deleted), newest day
    first, with the SHA-256 of each format's bytes."""
    code = reports.jurisdiction_code(services, jurisdiction) if jurisdiction else None
    stored = await reports.list_stored(services, code, None, limit)
    return StoredReportsOut.model_validate({"reports": stored})

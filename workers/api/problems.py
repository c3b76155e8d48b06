"""RFC 9457 problem details: every error the API answers, in one shape, mapped in one place."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from casino.errors import DomainError
from infra.ports import Unavailable

from .answers import Refused

RETRY_AFTER_SECONDS = 1
PROBLEM_TYPE_BASE = "https://docs.acmetocasino.dev/problems/"
log = logging.getLogger("casino.api")

_HTTP_CODES = {
    400: ("malformed_request", "Malformed request"),
    401: ("invalid_token", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    413: ("payload_too_large", "Request body too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
}


def problem(
    status: int,
    code: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return JSONResponse(
        body, status_code=status, headers=headers, media_type="application/problem+json"
    )


def domain_problem(error: DomainError) -> JSONResponse:
    headers = {}
    if "retry_after" in error.extra:
        headers["Retry-After"] = str(error.extra["retry_after"])
    return problem(error.status, error.code, error.title, error.detail, headers or None)


def problem_from_code(
    status: int, code: str, detail: str, retry_after: int | None = None
) -> JSONResponse:
    """A refusal decided inside a Durable Object, answered in the same shape."""
    return domain_problem(Refused(status, code, detail, retry_after))


FIELD_CODES = (
    ("stake", "invalid_stake", "The stake is out of range"),
    ("params", "invalid_params", "Invalid game parameters"),
    ("rtp_bps", "rtp_out_of_range", "RTP out of the allowed range"),
)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]


async def _domain(request: Request, exc: DomainError) -> JSONResponse:
    return domain_problem(exc)


async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = _validation_errors(exc)
    if any(e["type"] == "json_invalid" for e in errors):
        return problem(400, "malformed_request", "Malformed request", "The body is not valid JSON")
    # Fields whose refusal has its own contract code (API.md, Games).
    for field, code, title in FIELD_CODES:
        if any(e["loc"][1:2] == [field] for e in errors):
            return problem(422, code, title, f"Invalid {field}", errors=errors)
    fields = ", ".join(".".join(str(p) for p in e["loc"][1:]) or "body" for e in errors)
    return problem(
        422,
        "validation_error",
        "Invalid request",
        f"Invalid or missing fields: {fields}",
        errors=errors,
    )


async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code, title = _HTTP_CODES.get(exc.status_code, ("http_error", "Request refused"))
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail else title
    return problem(exc.status_code, code, title, detail, getattr(exc, "headers", None))


async def _unavailable(request: Request, exc: Unavailable) -> JSONResponse:
    log.warning("unavailable on %s %s: %s", request.method, request.url.path, exc)
    return problem(
        503, "unavailable", "Temporarily unavailable",
        "A part of the platform did not answer in time; nothing was lost. Retry the same "
        "request (with the same Idempotency-Key) in a moment.",
        {"Retry-After": str(RETRY_AFTER_SECONDS)},
    )  # fmt: skip


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(500, "internal_error", "Internal error", "An unexpected error occurred")


def install(app: FastAPI) -> None:
    """Every error the API answers as a problem: domain refusals, invalid requests, HTTP
    errors, a part of the platform unavailable, and anything unexpected (500)."""
    app.exception_handler(DomainError)(_domain)
    app.exception_handler(RequestValidationError)(_validation)
    app.exception_handler(StarletteHTTPException)(_http)
    app.exception_handler(Unavailable)(_unavailable)
    app.exception_handler(Exception)(_unexpected)

"""The FastAPI application: routers, problem details, body caps. No binding is created here:
the caller (edge entry or local server) hands `Services` in the ASGI scope's `env`.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from . import docs, problems
from .headers import SecurityHeaders
from .limits import BodyLimit
from .routes import (
    aml,
    auth,
    games,
    kyc,
    ops,
    players,
    providers,
    public,
    reports,
    responsible,
    rg_alerts,
    wallet,
)

DESCRIPTION = """Regulated real-money casino API (Brazil first). Money is integer minor units;
errors are RFC 9457 problem details with a stable `code`; money-moving POSTs need an
`Idempotency-Key` header."""


def create_app() -> FastAPI:
    # Swagger UI from the platform's own assets (`docs`), no CDN; no ReDoc (it loads from one).
    app = FastAPI(
        title="AcmeToCasino Edge", version="1.0.0", description=DESCRIPTION, docs_url=None,
        redoc_url=None,
    )  # fmt: skip
    routers = (
        public, auth, players, wallet, games, responsible, kyc, ops, rg_alerts, aml, reports,
        providers, docs,
    )  # fmt: skip
    for module in routers:
        app.include_router(module.router)
    problems.install(app)
    return app


def with_body_limits(app: Any, default: int = 1024 * 1024, upload: int = 8 * 1024 * 1024) -> Any:
    """The app as it is served: body caps inside, security headers outermost (so the caps' own
    413 answers carry them too)."""
    return SecurityHeaders(BodyLimit(app, default, upload))

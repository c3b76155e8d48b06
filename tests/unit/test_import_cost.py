"""What the Worker's top-level import builds (bench B9, B12): FastAPI reads every route's and
every dependency's signature at import, once per route, so none of them may hold string
annotations (each would be evaluated, a compile each, every time)."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from api.app import create_app
from api.routes import (
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

ROUTERS = (public, auth, players, wallet, games, responsible, kyc, ops, rg_alerts, aml, reports,
           providers)  # fmt: skip


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    if dependant.call is not None:
        yield dependant.call
    for sub in dependant.dependencies:
        yield from _calls(sub)


def routes() -> list[APIRoute]:
    create_app()
    found = [r for m in ROUTERS for r in m.router.routes if isinstance(r, APIRoute)]
    assert len(found) > 50
    return found


def test_no_route_or_dependency_has_string_annotations() -> None:
    stringly = {
        f"{call.__module__}.{call.__qualname__}"
        for route in routes()
        for call in _calls(route.dependant)
        if any(isinstance(a, str) for a in inspect.get_annotations(call).values())
    }
    assert stringly == set()


def test_every_route_has_at_most_its_caller_and_its_services_as_dependencies() -> None:
    """Each dependency is a leaf (the request alone): FastAPI reads a route's dependency tree at
    import and solves it per request; the services are made once per request however many
    dependencies ask for them (`security.get_services`)."""
    sizes = {f"{route.path} {sorted(route.methods)}": len(list(_calls(route.dependant))) - 1
             for route in routes()}  # fmt: skip
    assert max(sizes.values()) == 2, sorted(sizes.items(), key=lambda kv: -kv[1])[:5]


def test_pyjwt_comes_without_its_jwks_client_and_still_signs_and_verifies() -> None:
    """PyJWT's JWKS client imports urllib.request, http.client and ssl (~200 ms of the Worker's
    import in Pyodide) to fetch remote key sets, which HS256 under our own secret never does: a
    fresh interpreter importing the token module loads none of that, and the client refuses."""
    code = (
        "import sys\n"
        "from api.tokens import jwt\n"
        "print(sorted(m for m in ('urllib.request', 'ssl') if m in sys.modules))\n"
        "token = jwt.encode({'sub': 'p1'}, 'k' * 32, algorithm='HS256')\n"
        "print(jwt.decode(token, 'k' * 32, algorithms=['HS256'])['sub'])\n"
        "try:\n    jwt.PyJWKClient('https://keys.example/jwks')\n"
        "except NotImplementedError as exc:\n    print('refused', 'HS256' in str(exc))\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONPATH": str(root / "workers")},
    ).stdout.split("\n")  # fmt: skip
    assert out[:3] == ["[]", "p1", "refused True"]

"""What the Worker's top-level import builds (bench B9, B12): FastAPI reads every route's and
every dependency's signature at import, once per route, so none of them may hold string
annotations (each would be evaluated, a compile each, every time); the models only operator
endpoints use are built by their first request, every other model at import."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any, get_args

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel

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


def _models(annotation: Any, found: set[type[BaseModel]]) -> set[type[BaseModel]]:
    is_model = isinstance(annotation, type) and issubclass(annotation, BaseModel)
    if is_model and annotation not in found:
        found.add(annotation)
        for field in annotation.model_fields.values():
            _models(field.annotation, found)
    for arg in get_args(annotation):
        _models(arg, found)
    return found


def _route_models(route: APIRoute) -> tuple[set[type[BaseModel]], set[type[BaseModel]]]:
    """The models of the route's answers, and those of its request body."""
    answers: set[type[BaseModel]] = set()
    _models(route.response_model, answers)
    for response in route.responses.values():
        _models(response.get("model"), answers)
    bodies: set[type[BaseModel]] = set()
    for param in route.dependant.body_params:
        _models(param.field_info.annotation, bodies)
    return answers, bodies


def test_only_the_answers_of_operator_endpoints_are_built_when_first_used() -> None:
    """Deferred: the answers only `/v1/ops` routes give. Built at import: every model a player's
    or a provider's request uses, and every request body (FastAPI silences a warning of
    pydantic's about a body's field only while it builds the field itself)."""
    operators: set[type[BaseModel]] = set()
    others: set[type[BaseModel]] = set()
    for route in routes():
        answers, bodies = _route_models(route)
        (operators if route.path.startswith("/v1/ops/") else others).update(answers)
        others |= bodies
    deferred = {m for m in operators | others if m.model_config.get("defer_build")}
    assert deferred == operators - others
    assert len(deferred) > 30
    assert all(m.__pydantic_complete__ for m in others)

"""How Durable Object methods answer over RPC: `{status, body}`, refusals included.

A domain refusal is an answer, not an exception: exceptions do not cross RPC faithfully, and a
refusal recorded under an idempotency key must replay byte for byte.

Every command is also checked against the address its caller sent (`casino.messages`): a
payload naming another object than the one it reached, or sent without an address (a caller
that does not go through the object's client), is refused before it runs.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from casino.errors import DomainError
from casino.messages import unaddressed

Result = dict[str, Any]
Command = Callable[[Any, dict[str, Any]], Awaitable[Result]]
T = TypeVar("T")


def refusal(error: DomainError) -> Result:
    detail: dict[str, Any] = {"code": error.code, "detail": error.detail}
    if "retry_after" in error.extra:
        detail["retry_after"] = error.extra["retry_after"]
    return {"status": error.status, "body": {"error": detail}}


def answers_refusals(method: Command) -> Command:
    @functools.wraps(method)
    async def wrapper(self: Any, payload: dict[str, Any]) -> Result:
        try:
            return await method(self, payload)
        except DomainError as error:
            return refusal(error)

    return wrapper


def checks_address(field: str, required: bool = True) -> Callable[[Command], Command]:
    """A command that refuses a payload whose `field` (the object's own id) disagrees with the
    address its caller sent, or that has no address (unless not `required`), and runs with the
    address taken out of the payload."""

    def decorate(method: Command) -> Command:
        @functools.wraps(method)
        async def wrapper(self: Any, payload: dict[str, Any]) -> Result:
            try:
                checked = unaddressed(payload, field, required=required)
            except DomainError as error:
                return refusal(error)
            return await method(self, checked)

        return wrapper

    return decorate


def commands(cls: type) -> list[str]:
    """The names of an object's RPC commands: its public async methods but the alarm handler."""
    return sorted(
        name
        for name, member in inspect.getmembers(cls, inspect.iscoroutinefunction)
        if not name.startswith("_") and name != "alarm"
    )


def checking_address(cls: type[T], field: str, required: bool = True) -> type[T]:
    """`cls` with every command checked by `checks_address(field, required)`: for a class whose
    methods are not decorated themselves (the hosted class is this subclass, in both runtimes)."""
    check = checks_address(field, required)
    wrapped = {name: check(getattr(cls, name)) for name in commands(cls)}
    return cast("type[T]", type(f"Addressed{cls.__name__}", (cls,), wrapped))

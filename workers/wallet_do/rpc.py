"""How Durable Object methods answer over RPC: `{status, body}`, refusals included.

A domain refusal is an answer, not an exception: exceptions do not cross RPC faithfully, and a
refusal recorded under an idempotency key must replay byte for byte.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from casino.errors import DomainError

Result = dict[str, Any]


def refusal(error: DomainError) -> Result:
    detail: dict[str, Any] = {"code": error.code, "detail": error.detail}
    if "retry_after" in error.extra:
        detail["retry_after"] = error.extra["retry_after"]
    return {"status": error.status, "body": {"error": detail}}


def answers_refusals(
    method: Callable[[Any, dict[str, Any]], Awaitable[Result]],
) -> Callable[[Any, dict[str, Any]], Awaitable[Result]]:
    @functools.wraps(method)
    async def wrapper(self: Any, payload: dict[str, Any]) -> Result:
        try:
            return await method(self, payload)
        except DomainError as error:
            return refusal(error)

    return wrapper

"""The HTTP side of an application answer: its status set on the response, its body left for the
route's `response_model` to validate and serialize (so the OpenAPI document describes it)."""

from typing import Any

from fastapi import Response

from ..answers import Answer, unwrap


def shaped(answer: Answer | dict[str, Any], response: Response) -> dict[str, Any]:
    """The body to return; a raw Durable Object result (`{status, body}`) is unwrapped first (a
    refusal raises, to be answered as a problem)."""
    if not isinstance(answer, Answer):
        answer = unwrap(answer)
    response.status_code = answer.status
    return answer.body

"""A Durable Object's answer (`{status, body}`) as the application hands it on: a refusal raised
again as the domain error it was (mapped, like every other, to a problem in `api.problems`), a
success as its status and body for the route to shape with its `response_model`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from casino.errors import DomainError


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]


def error_title(code: str) -> str:
    """The title of the domain error with this code ("Request refused" for an unknown one)."""
    found, stack = [], [DomainError]
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return next((cls.title for cls in found if cls.code == code), "Request refused")


class Refused(DomainError):
    """A refusal decided inside a Durable Object: its status, code and detail as it gave them
    (a replay answers the same bytes as the first refusal)."""

    def __init__(self, status: int, code: str, detail: str, retry_after: int | None = None):
        super().__init__(detail, **({} if retry_after is None else {"retry_after": retry_after}))
        self.status, self.code, self.title, self.detail = status, code, error_title(code), detail


def unwrap(result: dict[str, Any]) -> Answer:
    """The answer of a success; a refusal raised as `Refused`."""
    status, body = int(result["status"]), result["body"]
    if "error" in body:
        error = body["error"]
        raise Refused(status, error["code"], error["detail"], error.get("retry_after"))
    return Answer(status, body)

"""Request body caps, enforced before the body is parsed (413 problem details)."""

from __future__ import annotations

from typing import Any

from .problems import problem

Scope = dict[str, Any]
UPLOAD_PATHS = ("/v1/kyc/documents",)
LIST_PATHS = ("/v1/ops/exclusions/import",)
LIST_BODY_BYTES = 64 * 1024 * 1024  # a national list of a few million CPFs


class BodyLimit:
    """ASGI middleware: 1 MB for every body, more for document uploads."""

    def __init__(self, app: Any, default: int, upload: int) -> None:
        self.app, self.default, self.upload = app, default, upload

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.upload if scope["path"] in UPLOAD_PATHS else self.default
        if scope["path"] in LIST_PATHS:
            limit = LIST_BODY_BYTES
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._refuse(scope, receive, send, limit)
            return
        received = 0

        async def limited_receive() -> dict[str, Any]:
            nonlocal received
            message: dict[str, Any] = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await self._refuse(scope, receive, send, limit)

    @staticmethod
    async def _refuse(scope: Scope, receive: Any, send: Any, limit: int) -> None:
        response = problem(
            413, "payload_too_large", "Request body too large",
            f"Request bodies are limited to {limit} bytes here",
        )  # fmt: skip
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass

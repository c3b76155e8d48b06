"""Request body caps, enforced before the body is parsed (413 problem details).

A declared `Content-Length` over the cap is refused at once. A chunked body (no length) is counted
as it arrives; once past the cap the app's own answer is dropped and 413 goes out instead (the
framework turns a failing read into a 400 of its own, which is not what a client should see).
"""

from __future__ import annotations

import contextlib
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
        too_large = False
        started = False

        async def limited_receive() -> dict[str, Any]:
            nonlocal received, too_large
            message: dict[str, Any] = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise _TooLarge
            return message

        async def guarded_send(message: dict[str, Any]) -> None:
            nonlocal started
            if too_large:
                return  # the app's answer to a body it could not read: replaced by the 413
            started = started or message["type"] == "http.response.start"
            await send(message)

        with contextlib.suppress(_TooLarge):
            await self.app(scope, limited_receive, guarded_send)
        if too_large and not started:
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

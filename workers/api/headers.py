"""Security headers on every response, and redirects that never name the request's `Host`.

The Worker's own answers (JSON, problem+json, the /docs page, 404s, 413s) get them here, as ASGI
middleware around the app. Static assets on the edge are served by Cloudflare without running the
Worker, so `public/_headers` carries the same headers for them (a test checks that it matches
`STATIC_ASSET_HEADERS`); the local gateway wraps its static files with this middleware.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

# Our pages load only their own scripts and styles: no inline script, no third-party origin.
HTML_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# JSON and other non-HTML answers render nothing, and nothing may frame them.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
HSTS = "max-age=63072000; includeSubDomains"

COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
STATIC_ASSET_HEADERS = {
    **COMMON_HEADERS,
    "Content-Security-Policy": HTML_CSP,
    "Strict-Transport-Security": HSTS,
}

Scope = dict[str, Any]


def _is_html(headers: list[tuple[bytes, bytes]]) -> bool:
    for name, value in headers:
        if name.lower() == b"content-type":
            return value.split(b";")[0].strip().lower() == b"text/html"
    return False


def _relative(location: bytes) -> bytes:
    """A redirect target without scheme and authority: the client stays on the origin it asked,
    whatever `Host` header it sent (Starlette builds absolute URLs from it)."""
    parts = urlsplit(location.decode("latin-1"))
    if not parts.scheme and not parts.netloc:
        return location
    path = "/" + parts.path.lstrip("/")
    return (path + (f"?{parts.query}" if parts.query else "")).encode("latin-1")


class SecurityHeaders:
    """ASGI middleware. The Worker's answers get `Cache-Control: no-store` where they set none
    (personal data, tokens) and the CSP of their media type. Static files (`static=True`) get what
    `public/_headers` gives them on the edge: the HTML CSP whatever the type, because a 304
    revalidating a cached page carries no type and its headers replace the cached ones."""

    def __init__(self, app: Any, static: bool = False) -> None:
        self.app, self.static = app, static

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": self._headers(message, https)}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _headers(self, message: dict[str, Any], https: bool) -> list[tuple[bytes, bytes]]:
        headers = [
            (name, _relative(value) if name.lower() == b"location" else value)
            for name, value in message.get("headers", [])
        ]
        present = {name.lower() for name, _ in headers}
        wanted = dict(COMMON_HEADERS)
        html = self.static or _is_html(headers)
        wanted["Content-Security-Policy"] = HTML_CSP if html else API_CSP
        if https:
            wanted["Strict-Transport-Security"] = HSTS
        if not self.static:
            wanted["Cache-Control"] = "no-store"
        for name, value in wanted.items():
            if name.lower().encode() not in present:
                headers.append((name.lower().encode(), value.encode()))
        return headers

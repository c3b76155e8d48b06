"""`casino dev`: the API and the web front end from one origin, on the local runtime."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Any

from starlette.staticfiles import StaticFiles

from api import aml, scheduled
from api.app import create_app, with_body_limits
from api.headers import SecurityHeaders

from .cron import run_crons
from .invocation import invocation
from .paths import PROJECT_ROOT
from .queue import LocalMessageBatch
from .runtime import LocalRuntime
from .seed import seed_kv

# wrangler.toml `run_worker_first`: these go to the Worker even where a file has the same name.
API_PREFIXES = ("/v1/", "/docs/")
API_PATHS = frozenset({"/healthz", "/openapi.json", "/docs"})
# Files Cloudflare reads as configuration and never serves.
NOT_SERVED = frozenset({"/_headers", "/_redirects", "/.assetsignore"})


class LocalGateway:
    """What the edge does with `run_worker_first` + assets: API paths to the Worker, the rest to
    static files when such a file exists, else the Worker (which answers 404 problem details).
    The Services are handed in the scope's `env`, as `workers.asgi` does with `self.env`.
    """

    def __init__(self, runtime: LocalRuntime, public: Path = PROJECT_ROOT / "public") -> None:
        self.runtime = runtime
        self._cron: asyncio.Task[None] | None = None
        self._queue: asyncio.Task[None] | None = None
        self.api = with_body_limits(create_app())
        self.public = public.resolve()
        # On the edge `public/_headers` gives static assets the security headers; here the same
        # middleware as the Worker's does (without the Worker's default `no-store`).
        self.static = (
            SecurityHeaders(StaticFiles(directory=public, html=True), static=True)
            if public.is_dir()
            else None
        )

    def _is_asset(self, path: str) -> bool:
        if self.static is None or path.startswith(API_PREFIXES) or path in API_PATHS:
            return False
        if path in NOT_SERVED:
            return False
        target = (self.public / path.lstrip("/")).resolve()
        if not target.is_relative_to(self.public):
            return False
        return target.is_file() or (target / "index.html").is_file()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        scope = {**scope, "env": self.runtime.services}
        if scope.get("method") in ("GET", "HEAD") and self._is_asset(scope["path"]):
            assert self.static is not None
            await self.static(scope, receive, send)
            return
        with invocation():
            await self.api(scope, receive, send)

    async def _consume_fraud(self, batch: LocalMessageBatch) -> None:
        """What the Worker's `queue` handler does with a batch of the fraud queue."""
        await aml.consume(self.runtime.services, batch.messages)

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                for host in self.runtime.hosts:
                    host.resume_alarms()
                await seed_kv(self.runtime.services)
                self._cron = asyncio.get_running_loop().create_task(
                    run_crons(
                        self.runtime.crons, lambda cron: scheduled.run(self.runtime.services, cron)
                    )
                )
                self._queue = asyncio.get_running_loop().create_task(
                    self.runtime.fraud_queue.run(self._consume_fraud)
                )
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                for task in (self._cron, self._queue):
                    if task is not None:
                        task.cancel()
                with contextlib.suppress(Exception):
                    await self.runtime.drain()
                await send({"type": "lifespan.shutdown.complete"})
                return


def serve(runtime: LocalRuntime, host: str, port: int) -> None:
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    uvicorn.run(
        LocalGateway(runtime), host=host, port=port, log_level="info", access_log=False,
        lifespan="on",
    )  # fmt: skip

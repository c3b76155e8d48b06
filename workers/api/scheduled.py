"""What the Cron triggers run (wrangler.toml `[triggers]`): the same code on the edge
(`Default.scheduled`) and locally (the local cron runner)."""

from __future__ import annotations

import logging

from . import exclusions
from .services import Services

log = logging.getLogger("casino.scheduled")


async def run(services: Services, cron: str) -> dict[str, int]:
    """Every trigger re-checks the players due against the national exclusion list."""
    checked = await exclusions.recheck_due(services)
    log.info("cron %s: %d players re-checked against the national exclusion list", cron, checked)
    return {"rechecked": checked}

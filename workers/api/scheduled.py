"""What the Cron triggers run (wrangler.toml `[triggers]`): the same code on the edge
(`Default.scheduled`) and locally (the local cron runner)."""

from __future__ import annotations

import logging

from . import exclusions, messages
from .services import Services

log = logging.getLogger("casino.scheduled")


async def run(services: Services, cron: str) -> dict[str, int]:
    """Every trigger re-checks the players due against the national exclusion list and sends
    the e-mails waiting."""
    checked = await exclusions.recheck_due(services)
    sent = await messages.deliver(services)
    log.info("cron %s: %d players re-checked, %d messages sent", cron, checked, sent)
    return {"rechecked": checked, "messages_sent": sent}

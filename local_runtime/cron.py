"""Cron triggers on the local machine: the crons of wrangler.toml, matched once a minute."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from .invocation import invocation

log = logging.getLogger("casino.cron")
FIELDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))


def _matches(field: str, value: int, low: int, high: int) -> bool:
    for part in field.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/")
            step = int(step_text)
        if part == "*":
            start, end = low, high
        elif "-" in part:
            start, end = (int(x) for x in part.split("-"))
        else:
            start = end = int(part)
        if start <= value <= end and (value - start) % step == 0:
            return True
    return False


def cron_matches(expression: str, moment: datetime) -> bool:
    minute, hour, day, month, weekday = expression.split()
    values = (moment.minute, moment.hour, moment.day, moment.month, (moment.weekday() + 1) % 7)
    return all(
        _matches(field, value, low, high)
        for field, value, (low, high) in zip(
            (minute, hour, day, month, weekday), values, FIELDS, strict=True
        )
    )


async def run_crons(crons: list[str], handler: Callable[[str], Awaitable[object]]) -> None:
    last_minute = None
    while True:
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        if now != last_minute:
            last_minute = now
            for cron in crons:
                if cron_matches(cron, now):
                    try:
                        with invocation():  # each scheduled run is an invocation
                            await handler(cron)
                    except Exception:
                        log.exception("cron %s failed", cron)
        await asyncio.sleep(5)

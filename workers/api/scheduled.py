"""What the Cron triggers run (wrangler.toml `[triggers]`): a registry of named jobs, each with
the cron it runs under. The same code runs on the edge (`Default.scheduled`), in the local
runtime's cron, and one job at a time from `casino ops run-job NAME`.

    */5 * * * *   exclusion_recheck, messages, game_stats
    0 3 * * *     vip_tiers, daily_report, limit_activations   (03:00 UTC)
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Any

from casino.timefmt import rfc3339

from . import exclusions, messages, reports, responsible, rtp_watch, vip
from .services import Services
from .tables import pending_limit_changes

log = logging.getLogger("casino.scheduled")

EVERY_FIVE_MINUTES = "*/5 * * * *"
DAILY_AT_THREE = "0 3 * * *"
# Two D1 queries and one WalletDO call a player: well inside the 1,000 D1 queries of one
# invocation, which the other daily jobs share.
LIMIT_ACTIVATIONS_PER_RUN = 200


@dataclass(frozen=True)
class Job:
    name: str
    cron: str
    summary: str
    run: Callable[[Services], Awaitable[dict[str, Any]]]


class UnknownJob(LookupError):
    pass


async def _exclusion_recheck(services: Services) -> dict[str, Any]:
    return {"rechecked": await exclusions.recheck_due(services)}


async def _messages(services: Services) -> dict[str, Any]:
    return {"messages_sent": await messages.deliver(services)}


async def _daily_report(services: Services) -> dict[str, Any]:
    """Yesterday's report (UTC) of every jurisdiction with players, stored once."""
    day = services.clock.now().astimezone(UTC).date() - timedelta(days=1)
    stored = [
        await reports.store(services, code, day)
        for code in await reports.jurisdictions_in_use(services)
        if code in services.profiles
    ]
    return {"date": day.isoformat(), "reports": stored}


async def _limit_activations(services: Services) -> dict[str, Any]:
    """Raised limits whose cooling-off has passed become active in each player's WalletDO (it
    applies a due change on every read already; this writes it back, so the stored limits are
    the ones in force), for the players D1 noted with a pending change."""
    at = rfc3339(services.clock.now())
    rows = await pending_limit_changes.players_due(services.db, at, LIMIT_ACTIVATIONS_PER_RUN)
    activated, failed = 0, []
    for row in rows:
        result = await responsible.activate_due_limits(services, row["player_id"])
        if result.get("status") != 200:
            failed.append(row["player_id"])
            log.warning("limits of %s not activated: %s", row["player_id"], result)
            continue
        activated += await pending_limit_changes.mark_activated(services.db, row["player_id"], at)
    return {"players": len(rows) - len(failed), "limits_activated": activated, "failed": failed}


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job("exclusion_recheck", EVERY_FIVE_MINUTES,
            "re-check the players due against the national exclusion list (BR: every 15 days)",
            _exclusion_recheck),
        Job("messages", EVERY_FIVE_MINUTES, "send the e-mails waiting", _messages),
        Job("game_stats", EVERY_FIVE_MINUTES,
            "RTP deviation alerts: a game's actual RTP outside its 99% band", rtp_watch.check),
        Job("vip_tiers", DAILY_AT_THREE,
            "recompute every player's VIP tier from 30 days of wagering", vip.recompute),
        Job("daily_report", DAILY_AT_THREE,
            "store yesterday's regulatory report of each jurisdiction", _daily_report),
        Job("limit_activations", DAILY_AT_THREE,
            "make raised limits active once their cooling-off has passed", _limit_activations),
    )
}  # fmt: skip
CRONS = tuple(dict.fromkeys(job.cron for job in JOBS.values()))


async def run_job(services: Services, name: str) -> dict[str, Any]:
    job = JOBS.get(name)
    if job is None:
        raise UnknownJob(name)
    return await job.run(services)


async def run(services: Services, cron: str) -> dict[str, Any]:
    """Every job of `cron`, in order; one that fails does not keep the others from running,
    and the trigger fails afterwards (so the edge records the failed invocation)."""
    jobs = [job for job in JOBS.values() if job.cron == cron]
    if not jobs:
        log.warning("cron %r runs no job (jobs run under %s)", cron, ", ".join(CRONS))
    results: dict[str, Any] = {}
    failed = []
    for job in jobs:
        try:
            results[job.name] = await job.run(services)
        except Exception:
            log.exception("job %s (cron %s) failed", job.name, cron)
            failed.append(job.name)
    log.info("cron %s: %s", cron, results)
    if failed:
        raise RuntimeError(f"cron {cron}: jobs failed: {', '.join(failed)}")
    return results

"""Named queries against `live_counters` (aggregate counts kept by triggers on insert) and
`round_counts_hourly` (rounds per UTC hour): the public live figures."""

from __future__ import annotations

from typing import Any

from infra.ports import Database


async def figures_since(db: Database, hour: str) -> dict[str, Any]:
    """Every counter by name, with `rounds_24h`: the rounds of the hours after `hour`
    (`YYYY-MM-DDTHH`)."""
    rows = await (
        db.prepare(
            "SELECT name, value FROM live_counters UNION ALL "
            "SELECT 'rounds_24h', coalesce(sum(rounds), 0) FROM round_counts_hourly WHERE hour > ?"
        )
        .bind(hour)
        .all()
    )
    return {r["name"]: r["value"] for r in rows}

"""The `game_stats` job: each game's actual RTP against the 99% band its rounds' own variance
gives (`v_game_stats` / `game_stats`: sum of expected payouts and of their variances), and an
operator alert when it falls outside, once a day per game (the alert's fingerprint)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from casino.errors import DomainError

from . import games
from .alerts import raise_alert
from .services import Services
from .tables import game_stats

# Fewer rounds than this say too little about a game's RTP to alert anyone (the band is wide
# and one big win moves it).
MIN_ROUNDS = 1000


async def check(services: Services, min_rounds: int = MIN_ROUNDS) -> dict[str, Any]:
    rows = await game_stats.games_with_rounds(services.db, min_rounds)
    day = services.clock.now().astimezone(UTC).date().isoformat()
    checked, deviations = 0, []
    for row in rows:
        try:
            stats = await games.stats(services, row["game_id"], services.profiles["generic"])
        except DomainError:  # a provider's game no longer in its catalogue
            continue
        low, high, actual = stats["ci99_low_bps"], stats["ci99_high_bps"], stats["actual_rtp_bps"]
        if low is None or high is None or actual is None:
            continue  # no variance known (a provider's game): nothing to test against
        checked += 1
        if low <= actual <= high:
            continue
        detail = (
            f"{stats['game_id']}: actual RTP {actual} bps over {stats['rounds']} rounds is outside "
            f"the 99% band [{low}, {high}] bps around the expected {stats['expected_rtp_bps']} bps "
            f"(target {stats['target_rtp_bps']} bps, z = {stats['z_score']})"
        )
        raised = await raise_alert(services, "rtp_deviation", stats["game_id"], detail, day)
        deviations.append({"game_id": stats["game_id"], "actual_rtp_bps": actual,
                           "ci99_low_bps": low, "ci99_high_bps": high, "alerted": raised})  # fmt: skip
    return {"games_checked": checked, "deviations": deviations}

"""Behavioural alerts inside the WalletDO: the signals read from the ledger's own storage, the
core's decisions (`casino.wallet`: which rules alert, how far they escalate over the past week,
what the player is shown), and their writes (an enforced break is applied at once; every alert,
and the break, go to D1 through the outbox)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from casino.behaviour import detect
from casino.messages import PlayRules
from casino.timefmt import rfc3339
from casino.wallet import (
    Intervention,
    alert_day,
    decide_interventions,
    new_alerts,
    signals,
)
from infra.ports import ActorStorage

from .projection import Outbox
from .responsible import ResponsibleGaming


class BehaviourWatch:
    def __init__(self, storage: ActorStorage, rg: ResponsibleGaming, outbox: Outbox) -> None:
        self.storage, self.rg, self.outbox = storage, rg, outbox

    def recent_stakes(self) -> list[int]:
        """The stakes of the latest rounds, oldest first, as the rounds table has them (the
        play session keeps them since; a session stored before that reads them here)."""
        rows = self.storage.exec("SELECT stake FROM rounds ORDER BY bet_seq DESC LIMIT 10")
        return [r["stake"] for r in rows][::-1]

    def _declined_today(self, now: datetime) -> int:
        """Deposits refused at a limit over the past day (read only at such a refusal)."""
        rows = self.storage.exec(
            "SELECT count(*) AS n FROM idempotency WHERE status = 403 AND created_at >= ? "
            "AND body LIKE '%deposit_limit_exceeded%'",
            rfc3339(now - timedelta(days=1)),
        )
        return int(rows[0]["n"])

    def _week_alerts(self, now: datetime) -> int:
        rows = self.storage.exec(
            "SELECT count(*) AS n FROM rg_alerts WHERE created_at >= ?",
            rfc3339(now - timedelta(days=7)),
        )
        return int(rows[0]["n"])

    def observe(
        self, event: str, now: datetime, rules: PlayRules, stakes: Sequence[int] | None = None
    ) -> list[dict[str, Any]]:
        """Raise the alerts this event triggers (each rule at most once a day); returns the
        interventions to show the player. A round passes the stakes before it, oldest first
        (else they are read from the rounds table)."""
        stored = self.rg.stored_session()
        if event == "round" and stakes is None:
            stakes = self.recent_stakes()
        found = signals(
            event, now, timedelta(minutes=rules.idle_minutes), rules.utc_offset_minutes, stored,
            stakes or (), self._declined_today(now) if event == "deposit_declined" else 0,
        )  # fmt: skip
        rules_found = detect(found)
        alerted = {rule: self.rg.get(f"alerted:{rule}") for rule in rules_found}
        fresh = new_alerts(rules_found, alerted, now)
        if not fresh:
            return []
        staked = stored.staked if stored else 0
        decided = decide_interventions(
            fresh, self._week_alerts(now), staked, self.rg.exclusion(), now
        )
        for intervention in decided:
            self._write(intervention, now)
        return [intervention.shown for intervention in decided]

    def _write(self, intervention: Intervention, now: datetime) -> None:
        alert = intervention.alert
        self.rg.put(f"alerted:{alert.rule}", alert_day(now))
        self.storage.exec(
            "INSERT INTO rg_alerts (rule, level, intervention, created_at) VALUES (?, ?, ?, ?)",
            alert.rule, alert.level, alert.intervention, rfc3339(now),
        )  # fmt: skip
        in_force = intervention.exclusion
        if in_force is not None:
            self.rg.save_exclusion(in_force)
            # D1 learns of the break as of any exclusion (v_excluded_players, reports).
            until = "permanent" if in_force.permanent else rfc3339(in_force.until or now)
            self.outbox.add(
                "exclusion",
                {"kind": in_force.kind, "excluded_until": until, "asked": "break",
                 "created_at": rfc3339(now)},
                compact=False,
            )  # fmt: skip
        self.outbox.add("rg_alert", {**intervention.shown, "created_at": rfc3339(now)})

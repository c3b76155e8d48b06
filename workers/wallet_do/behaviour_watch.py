"""Behavioural alerts inside the WalletDO: signals from the ledger's own storage, the core's
rules, escalation over the past week, and the interventions (an enforced break is applied at
once; operator review and every alert go to D1 through the outbox)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from casino.behaviour import ENFORCED_BREAK_HOURS, Signals, detect, escalate, suggested_loss_limit
from casino.exclusion import extend, take_a_break
from casino.timefmt import parse_rfc3339, rfc3339
from infra.ports import ActorStorage

from .responsible import ResponsibleGaming


class BehaviourWatch:
    def __init__(self, storage: ActorStorage, rg: ResponsibleGaming) -> None:
        self.storage, self.rg = storage, rg

    def _signals(self, event: str, now: datetime, rules: dict[str, Any]) -> Signals:
        offset = timezone(timedelta(minutes=int(rules.get("utc_offset_minutes", 0))))
        idle = timedelta(minutes=int(rules.get("idle_minutes", 30)))
        session = self.rg.play_session(now, idle)
        last = self.rg.get("play_session")
        last_play = parse_rfc3339(last["last_play_at"]) if last and last["last_play_at"] else None
        stakes: list[int] = []
        if event == "round":
            stakes = [r["stake"] for r in self.storage.exec(
                "SELECT stake FROM rounds ORDER BY bet_seq DESC LIMIT 10")][::-1]  # fmt: skip
        declined = 0
        if event == "deposit_declined":  # only then: it reads the day's refusals
            declined = self.storage.exec(
                "SELECT count(*) AS n FROM idempotency WHERE status = 403 AND created_at >= ? "
                "AND body LIKE '%deposit_limit_exceeded%'",
                rfc3339(now - timedelta(days=1)),
            )[0]["n"]
        return Signals(
            event=event,
            local_hour=now.astimezone(offset).hour,
            session_minutes=int((now - parse_rfc3339(session["started_at"])).total_seconds() // 60),
            session_net=(last or {}).get("won", 0) - (last or {}).get("staked", 0),
            minutes_since_last_round=(
                int((now - last_play).total_seconds() // 60) if last_play else None
            ),
            recent_stakes=tuple(stakes),
            declined_deposits_24h=declined,
        )

    def observe(self, event: str, now: datetime, rules: dict[str, Any]) -> list[dict[str, Any]]:
        """Raise the alerts this event triggers (each rule at most once a day); returns the
        interventions to show the player."""
        signals = self._signals(event, now, rules)
        shown = []
        today = rfc3339(now)[:10]
        for rule in detect(signals):
            if self.rg.get(f"alerted:{rule}") == today:
                continue
            self.rg.put(f"alerted:{rule}", today)
            week = self.storage.exec(
                "SELECT count(*) AS n FROM rg_alerts WHERE created_at >= ?",
                rfc3339(now - timedelta(days=7)),
            )[0]["n"]
            alert = escalate(rule, week)
            self.storage.exec(
                "INSERT INTO rg_alerts (rule, level, intervention, created_at) VALUES (?, ?, ?, ?)",
                alert.rule, alert.level, alert.intervention, rfc3339(now),
            )  # fmt: skip
            shown_alert: dict[str, Any] = {
                "rule": alert.rule,
                "level": alert.level,
                "intervention": alert.intervention,
                "message": alert.message,
            }
            if alert.intervention == "suggested_limit":
                staked = (self.rg.get("play_session") or {}).get("staked", 0)
                shown_alert["suggested_daily_loss_limit"] = suggested_loss_limit(staked)
            if alert.intervention == "enforced_break":
                pause = take_a_break(ENFORCED_BREAK_HOURS, now)
                in_force = extend(self.rg.exclusion(), pause, now)
                self.rg.save_exclusion(in_force)
                shown_alert["break_until"] = rfc3339(pause.until) if pause.until else None
                # D1 learns of the break as of any exclusion (v_excluded_players, reports).
                until = "permanent" if in_force.permanent else rfc3339(in_force.until or now)
                self.storage.exec(
                    "INSERT INTO outbox (topic, payload) VALUES ('exclusion', ?)",
                    json.dumps(
                        {
                            "kind": in_force.kind,
                            "excluded_until": until,
                            "asked": "break",
                            "created_at": rfc3339(now),
                        }
                    ),  # fmt: skip
                )
            self.storage.exec(
                "INSERT INTO outbox (topic, payload) VALUES ('rg_alert', ?)",
                json.dumps({**shown_alert, "created_at": rfc3339(now)}, separators=(",", ":")),
            )
            shown.append(shown_alert)
        return shown

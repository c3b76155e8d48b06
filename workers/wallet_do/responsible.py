"""The WalletDO's responsible-gaming state: limits, exclusion, the play session and rolling
sums, read and written synchronously inside the ledger's own transactions."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from casino.exclusion import Exclusion
from casino.ledger import EventType, LedgerEvent
from casino.limits import KINDS, WINDOWS, Limit, window_start
from casino.timefmt import parse_rfc3339, rfc3339
from infra.ports import ActorStorage

from .schema import RG_STATEMENTS

FLOW_COLUMN = {EventType.DEPOSIT: "deposits", EventType.BET: "bets", EventType.WIN: "wins"}


iso = rfc3339


def parse(text: str | None) -> datetime | None:
    return parse_rfc3339(text) if text else None


class ResponsibleGaming:
    def __init__(self, storage: ActorStorage) -> None:
        self.storage = storage
        for statement in RG_STATEMENTS:
            storage.exec(statement)

    # Meta values (JSON) --------------------------------------------------------------------
    def get(self, key: str, default: Any = None) -> Any:
        rows = self.storage.exec("SELECT v FROM meta WHERE k = ?", key)
        return json.loads(rows[0]["v"]) if rows else default

    def put(self, key: str, value: Any) -> None:
        self.storage.exec(
            "INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v",
            key,
            json.dumps(value),
        )

    # Limits ------------------------------------------------------------------------------
    def limits(self, now: datetime) -> dict[str, Limit]:
        found = {}
        for row in self.storage.exec("SELECT * FROM limits"):
            limit = Limit(
                row["kind"], row["value"], bool(row["pending"]), row["pending_value"],
                parse(row["effective_at"]),
            ).settle(now)  # fmt: skip
            found[row["kind"]] = limit
        return {kind: found.get(kind, Limit(kind)) for kind in KINDS}

    def save_limit(self, limit: Limit) -> None:
        self.storage.exec(
            "INSERT OR REPLACE INTO limits (kind, value, pending, pending_value, effective_at) "
            "VALUES (?, ?, ?, ?, ?)",
            limit.kind, limit.value, int(limit.pending), limit.pending_value,
            iso(limit.effective_at) if limit.effective_at else None,
        )  # fmt: skip

    # Exclusion ---------------------------------------------------------------------------
    def exclusion(self) -> Exclusion:
        data = self.get("exclusion")
        if not data:
            return Exclusion()
        return Exclusion(data["kind"], parse(data["until"]), data["permanent"])

    def save_exclusion(self, exclusion: Exclusion) -> None:
        self.put(
            "exclusion",
            {
                "kind": exclusion.kind,
                "until": iso(exclusion.until) if exclusion.until else None,
                "permanent": exclusion.permanent,
            },
        )

    # Rolling sums ------------------------------------------------------------------------
    def record_flow(self, event: LedgerEvent) -> None:
        column = FLOW_COLUMN.get(event.type)
        if column is None:
            return
        hour = iso(event.created_at)[:13]
        self.storage.exec(
            f"INSERT INTO flows_hourly (hour, {column}) VALUES (?, ?) "  # noqa: S608 - fixed names
            f"ON CONFLICT (hour) DO UPDATE SET {column} = {column} + excluded.{column}",
            hour,
            event.amount,
        )

    def _sum_since(self, start: datetime, types: tuple[str, ...]) -> dict[str, int]:
        start_text = iso(start)
        next_hour = start.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        rows = self.storage.exec(
            "SELECT coalesce(sum(deposits), 0) AS d, coalesce(sum(bets), 0) AS b, "
            "coalesce(sum(wins), 0) AS w FROM flows_hourly WHERE hour >= ?",
            iso(next_hour)[:13],
        )[0]
        totals = {"DEPOSIT": rows["d"], "BET": rows["b"], "WIN": rows["w"]}
        for row in self.storage.exec(
            "SELECT type, coalesce(sum(amount), 0) AS amount FROM events "
            "WHERE created_at >= ? AND created_at < ? GROUP BY type",
            start_text,
            iso(next_hour),
        ):
            if row["type"] in totals:
                totals[row["type"]] += row["amount"]
        return {t: totals[t] for t in types}

    def deposit_totals(self, now: datetime) -> dict[str, int]:
        return {p: self._sum_since(window_start(p, now), ("DEPOSIT",))["DEPOSIT"] for p in WINDOWS}

    def net_losses(self, now: datetime) -> dict[str, int]:
        result = {}
        for period in WINDOWS:
            sums = self._sum_since(window_start(period, now), ("BET", "WIN"))
            result[period] = sums["BET"] - sums["WIN"]
        return result

    # The play session (for time limits and reality checks) --------------------------------
    def play_session(self, now: datetime, idle: timedelta) -> dict[str, Any]:
        session = self.get("play_session")
        last = parse(session["last_play_at"]) if session else None
        if session is None or last is None or now - last > idle:
            return {"started_at": iso(now), "last_play_at": None, "rounds": 0, "staked": 0,
                    "won": 0, "last_reality_check_at": iso(now), "active": False}  # fmt: skip
        return {**session, "active": True}

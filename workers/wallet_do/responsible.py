"""The WalletDO's responsible-gaming state: limits, exclusion, the play session and rolling
sums, read and written synchronously inside the ledger's own transactions."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from casino.exclusion import Exclusion
from casino.ledger import EventType, LedgerEvent
from casino.limits import KINDS, WINDOWS, Limit, LimitRules, missing_required, window_start
from casino.timefmt import parse_rfc3339, rfc3339
from infra.ports import ActorStorage

FLOW_COLUMN = {EventType.DEPOSIT: "deposits", EventType.BET: "bets", EventType.WIN: "wins"}


iso = rfc3339


def parse(text: str | None) -> datetime | None:
    return parse_rfc3339(text) if text else None


class ResponsibleGaming:
    def __init__(self, storage: ActorStorage) -> None:
        self.storage = storage

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

    def ensure_required(self, now: datetime, rules: LimitRules) -> dict[str, Limit]:
        """The limits in force, with any mandatory limit the player lacks set to the
        jurisdiction's default at once (inside the caller's transaction)."""
        limits = self.limits(now)
        for kind, value in missing_required(limits, rules).items():
            limits[kind] = Limit(kind, value)
            self.save_limit(limits[kind])
        return limits

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

    def window_sums(self, now: datetime) -> dict[str, dict[str, int]]:
        """Deposits, bets and wins over each rolling window (now - length, now], exactly: whole
        hours from the hourly buckets (one query) plus the events of each window's first,
        partial hour (one query, at most an hour of events per window)."""
        starts = {period: window_start(period, now) for period in WINDOWS}
        next_hours = {
            p: start.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
            for p, start in starts.items()
        }
        columns = ", ".join(
            f"coalesce(sum(CASE WHEN hour >= '{iso(next_hours[p])[:13]}' THEN {c} END), 0) "
            f"AS {p}_{c}"
            for p in WINDOWS
            for c in ("deposits", "bets", "wins")
        )
        earliest = min(next_hours.values())
        buckets = self.storage.exec(
            f"SELECT {columns} FROM flows_hourly WHERE hour >= ?",  # noqa: S608 - fixed names
            iso(earliest)[:13],
        )[0]
        sums = {
            p: {
                "DEPOSIT": buckets[f"{p}_deposits"],
                "BET": buckets[f"{p}_bets"],
                "WIN": buckets[f"{p}_wins"],
            }
            for p in WINDOWS
        }
        ranges = [(iso(starts[p]), iso(next_hours[p])) for p in WINDOWS]
        rows = self.storage.exec(
            "SELECT type, amount, created_at FROM events WHERE "
            + " OR ".join("(created_at > ? AND created_at < ?)" for _ in ranges),
            *[bound for pair in ranges for bound in pair],
        )
        for row in rows:
            for period, (low, high) in zip(WINDOWS, ranges, strict=True):
                if low < row["created_at"] < high and row["type"] in sums[period]:
                    sums[period][row["type"]] += row["amount"]
        return sums

    def deposit_totals(self, now: datetime) -> dict[str, int]:
        return {p: sums["DEPOSIT"] for p, sums in self.window_sums(now).items()}

    def net_losses(self, now: datetime) -> dict[str, int]:
        return {p: sums["BET"] - sums["WIN"] for p, sums in self.window_sums(now).items()}

    # Play time (time limits) --------------------------------------------------------------
    def play_spans(self, now: datetime, idle: timedelta) -> list[tuple[datetime, datetime]]:
        """The stretches of play of the last 30 days; one still going on (its last round within
        the idle timeout) runs until now."""
        rows = self.storage.exec(
            "SELECT started_at, last_at FROM play_spans WHERE last_at > ? ORDER BY span_id",
            iso(now - max(WINDOWS.values())),
        )
        spans = [(parse_rfc3339(r["started_at"]), parse_rfc3339(r["last_at"])) for r in rows]
        if spans and now - spans[-1][1] <= idle:
            spans[-1] = (spans[-1][0], now)
        return spans

    def record_play(self, now: datetime, idle: timedelta, opened_at: datetime | None) -> None:
        """A round at `now` extends the current stretch of play, or starts one (at the opening
        of its game session when that was within the idle timeout)."""
        rows = self.storage.exec(
            "SELECT span_id, last_at FROM play_spans ORDER BY span_id DESC LIMIT 1"
        )
        if rows and now - parse_rfc3339(rows[0]["last_at"]) <= idle:
            self.storage.exec(
                "UPDATE play_spans SET last_at = ? WHERE span_id = ?", iso(now), rows[0]["span_id"]
            )
            return
        last = parse_rfc3339(rows[0]["last_at"]) if rows else None
        started = now
        if opened_at is not None and now - opened_at <= idle and (last is None or opened_at > last):
            started = opened_at
        self.storage.exec(
            "INSERT INTO play_spans (started_at, last_at) VALUES (?, ?)", iso(started), iso(now)
        )

    # The play session (for reality checks) ------------------------------------------------
    def play_session(
        self, now: datetime, idle: timedelta, opened_at: datetime | None = None
    ) -> dict[str, Any]:
        """The player's current stretch of play: it began at the first round (or at the opening
        of the game session it is played in) after a pause longer than the idle timeout."""
        session = self.get("play_session")
        last = parse(session["last_play_at"]) if session else None
        if session is None or last is None or now - last > idle:
            started = opened_at if opened_at is not None and now - opened_at <= idle else now
            return {"started_at": iso(started), "last_play_at": None, "rounds": 0, "staked": 0,
                    "won": 0, "last_reality_check_at": iso(started), "active": False}  # fmt: skip
        return {**session, "active": True}

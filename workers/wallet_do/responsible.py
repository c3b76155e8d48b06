"""The WalletDO's responsible-gaming state: limits, exclusion, the play session and rolling
sums, read and written synchronously inside the ledger's own transactions.

Within one command (`within`), the `meta` table is read once, whole, and kept in step with what
the command writes to it: a round reads exclusion, restriction, bonus, play session and the
behaviour rules' marks, which were a query each. Outside a command every read is a query.

Rolling sums come from running totals (`flow_totals`): one row per command that moved money in
or out of play, with the totals of deposits, bets and wins up to and including it in
(created_at, seq) order. A window's sum is the latest totals less the totals at its start: two
index lookups per window however long the ledger and however much was played in the window.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from casino.exclusion import Exclusion
from casino.ledger import EventType, LedgerEvent
from casino.limits import KINDS, WINDOWS, Limit, LimitRules, missing_required, window_start
from casino.timefmt import parse_rfc3339, rfc3339
from casino.wallet import PlaySession, current_session
from infra.ports import ActorStorage

FLOW_INDEX = {EventType.DEPOSIT: 0, EventType.BET: 1, EventType.WIN: 2}
T = TypeVar("T")


iso = rfc3339


def _ms(duration: timedelta) -> int:
    """Whole milliseconds (stored instants have millisecond precision)."""
    return duration // timedelta(milliseconds=1)


def parse(text: str | None) -> datetime | None:
    return parse_rfc3339(text) if text else None


class ResponsibleGaming:
    def __init__(self, storage: ActorStorage) -> None:
        self.storage = storage
        self._meta: dict[str, str] | None = None
        self._session: PlaySession | None = None  # the play session this command saved
        self._in_command = False

    # Meta values (JSON) --------------------------------------------------------------------
    def within(self, fn: Callable[[], T]) -> T:
        """Run one command's transaction body with the meta table read at most once."""
        if self._in_command:
            return fn()
        self._in_command, self._meta, self._session = True, None, None
        try:
            return fn()
        finally:
            self._in_command, self._meta, self._session = False, None, None

    def raw(self, key: str) -> str | None:
        """A meta value as stored (text)."""
        if not self._in_command:
            rows = self.storage.exec("SELECT v FROM meta WHERE k = ?", key)
            return str(rows[0]["v"]) if rows else None
        if self._meta is None:
            self._meta = {r["k"]: r["v"] for r in self.storage.exec("SELECT k, v FROM meta")}
        return self._meta.get(key)

    def get(self, key: str, default: Any = None) -> Any:
        text = self.raw(key)
        return json.loads(text) if text is not None else default

    def put(self, key: str, value: Any) -> None:
        self.put_raw(key, json.dumps(value))

    def put_raw(self, key: str, text: str) -> None:
        if self._meta is not None and self._meta.get(key) == text:
            return  # unchanged: nothing to write
        self.storage.exec(
            "INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v",
            key,
            text,
        )
        if self._meta is not None:
            self._meta[key] = text

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
    def record_flows(self, events: Sequence[LedgerEvent]) -> None:
        """The running totals after this command's events (one row per instant they carry).
        A row that lands before later ones (a command whose clock read came first but whose
        transaction came second) moves those later totals by its amounts, so every row stays
        the exact total of everything at or before it."""
        totals: dict[str, list[int]] = {}  # created_at: deposits, bets, wins, last seq
        for event in events:
            column = FLOW_INDEX.get(event.type)
            if column is None:
                continue
            row = totals.setdefault(iso(event.created_at), [0, 0, 0, 0])
            row[column] += event.amount
            row[3] = max(row[3], event.seq)
        for created_at, (deposits, bets, wins, seq) in totals.items():
            self.storage.exec(
                "INSERT INTO flow_totals (created_at, seq, deposits, bets, wins) "
                "SELECT ?1, ?2, coalesce(max(deposits), 0) + ?3, coalesce(max(bets), 0) + ?4, "
                "coalesce(max(wins), 0) + ?5 FROM (SELECT deposits, bets, wins FROM flow_totals "
                "WHERE (created_at, seq) < (?1, ?2) ORDER BY created_at DESC, seq DESC LIMIT 1)",
                created_at, seq, deposits, bets, wins,
            )  # fmt: skip
            self.storage.exec(
                "UPDATE flow_totals SET deposits = deposits + ?, bets = bets + ?, "
                "wins = wins + ? WHERE (created_at, seq) > (?, ?)",
                deposits, bets, wins, created_at, seq,
            )  # fmt: skip

    def window_sums(self, now: datetime) -> dict[str, dict[str, int]]:
        """Deposits, bets and wins over each rolling window (now - length, now], exactly: the
        latest running totals less those at the window's start (one query, an index lookup
        per window)."""
        starts = [iso(window_start(period, now)) for period in WINDOWS]
        latest = "SELECT deposits, bets, wins FROM flow_totals ORDER BY created_at DESC, seq DESC"
        before = (
            "SELECT deposits, bets, wins FROM flow_totals WHERE created_at <= ? "
            "ORDER BY created_at DESC, seq DESC"
        )
        rows = self.storage.exec(
            " UNION ALL ".join(
                [f"SELECT 0 AS w, * FROM ({latest} LIMIT 1)"]
                + [f"SELECT {i} AS w, * FROM ({before} LIMIT 1)" for i in range(1, len(starts) + 1)]
            ),
            *starts,
        )
        totals = {r["w"]: (r["deposits"], r["bets"], r["wins"]) for r in rows}
        end = totals.get(0, (0, 0, 0))
        sums = {}
        for i, period in enumerate(WINDOWS, start=1):
            start = totals.get(i, (0, 0, 0))
            sums[period] = {
                "DEPOSIT": end[0] - start[0],
                "BET": end[1] - start[1],
                "WIN": end[2] - start[2],
            }
        return sums

    def deposit_totals(self, now: datetime) -> dict[str, int]:
        return {p: sums["DEPOSIT"] for p, sums in self.window_sums(now).items()}

    def net_losses(self, now: datetime) -> dict[str, int]:
        return {p: sums["BET"] - sums["WIN"] for p, sums in self.window_sums(now).items()}

    # Play time (time limits) --------------------------------------------------------------
    # Each stretch of play keeps `before_ms`, the milliseconds played in all earlier stretches,
    # so the play inside a window is two stretches read (the first one ending inside it and the
    # latest) plus a subtraction, however many stretches the window holds.
    def play_spans(self, now: datetime, idle: timedelta) -> list[tuple[datetime, datetime]]:
        """Stretches of play whose time inside each rolling window of the time limits is the
        player's time inside it (`casino.limits.played_seconds` sums each stretch's overlap
        with the window): the time of each window's band between its start and the next
        shorter window's start, as one stretch inside that band. A stretch still going on (its
        last round within the idle timeout) runs until now."""
        lows = [now - WINDOWS[p] for p in sorted(WINDOWS, key=WINDOWS.__getitem__)]
        found = self._spans_at(lows)  # the latest stretch, and the first one ending after each low
        latest = found.get(0)
        if latest is None:
            return []
        if now - latest[1] <= idle:
            latest = (latest[0], now, latest[2], latest[3])
        played = [
            self._played_since(low, found.get(i), latest, now) for i, low in enumerate(lows, 1)
        ]
        if any(p is None for p in played):
            return self._all_spans(now, idle)
        spans, end = [], now
        for low, before, after in zip(lows, [timedelta(0), *played[:-1]], played, strict=True):
            assert before is not None and after is not None
            band = after - before
            if band < timedelta(0) or end - band < low:
                return self._all_spans(now, idle)  # stretches overlap: read them as they are
            if band:
                spans.append((end - band, end))
            end = low
        return spans

    def _spans_at(self, lows: list[datetime]) -> dict[int, tuple[datetime, datetime, int, int]]:
        """One query: 0 the latest stretch, i the first stretch ending after lows[i - 1]."""
        terms = ["SELECT 0 AS w, * FROM (SELECT * FROM play_spans ORDER BY span_id DESC LIMIT 1)"]
        terms += [
            f"SELECT {i} AS w, * FROM (SELECT * FROM play_spans WHERE last_at > ? "
            "ORDER BY last_at LIMIT 1)"
            for i in range(1, len(lows) + 1)
        ]
        rows = self.storage.exec(" UNION ALL ".join(terms), *[iso(low) for low in lows])
        return {
            r["w"]: (
                parse_rfc3339(r["started_at"]),
                parse_rfc3339(r["last_at"]),
                r["before_ms"],
                r["span_id"],
            )
            for r in rows
        }

    @staticmethod
    def _played_since(
        low: datetime,
        first: tuple[datetime, datetime, int, int] | None,
        latest: tuple[datetime, datetime, int, int],
        now: datetime,
    ) -> timedelta | None:
        """Play inside (low, now] from the first stretch ending after `low` and the latest;
        None when the stretches are not in order (then they are read one by one)."""
        if first is None:
            return timedelta(0)
        if first[3] > latest[3]:
            return None

        def inside(span: tuple[datetime, datetime, int, int]) -> timedelta:
            return max(timedelta(0), min(span[1], now) - max(span[0], low))

        if first[3] == latest[3]:
            return inside(latest)
        between = latest[2] - first[2] - _ms(first[1] - first[0])
        if between < 0:
            return None
        return inside(first) + timedelta(milliseconds=between) + inside(latest)

    def _all_spans(self, now: datetime, idle: timedelta) -> list[tuple[datetime, datetime]]:
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
        rows = self.storage.exec("SELECT * FROM play_spans ORDER BY span_id DESC LIMIT 1")
        if rows and now - parse_rfc3339(rows[0]["last_at"]) <= idle:
            self.storage.exec(
                "UPDATE play_spans SET last_at = ? WHERE span_id = ?", iso(now), rows[0]["span_id"]
            )
            return
        last = parse_rfc3339(rows[0]["last_at"]) if rows else None
        started = now
        if opened_at is not None and now - opened_at <= idle and (last is None or opened_at > last):
            started = opened_at
        before = 0
        if rows:
            previous = rows[0]
            duration = parse_rfc3339(previous["last_at"]) - parse_rfc3339(previous["started_at"])
            before = previous["before_ms"] + _ms(duration)
        self.storage.exec(
            "INSERT INTO play_spans (started_at, last_at, before_ms) VALUES (?, ?, ?)",
            iso(started), iso(now), before,
        )  # fmt: skip

    # The play session (for reality checks) ------------------------------------------------
    def stored_session(self) -> PlaySession | None:
        if self._session is not None:
            return self._session
        data = self.get("play_session")
        return PlaySession.from_dict(data) if data else None

    def save_session(self, session: PlaySession) -> None:
        self.put("play_session", session.to_dict())
        if self._in_command:
            self._session = session

    def play_session(
        self, now: datetime, idle: timedelta, opened_at: datetime | None = None
    ) -> PlaySession:
        """The player's current stretch of play (`casino.wallet.current_session`)."""
        return current_session(self.stored_session(), now, idle, opened_at)

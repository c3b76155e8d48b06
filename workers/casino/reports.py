"""The daily regulatory report: a day's figures of one jurisdiction, computed from the recorded
events alone and written deterministically, so the same day always gives the same bytes.

Days are UTC calendar days over each record's `created_at` (a Brazilian evening after 21:00 is
the next UTC day). Every figure is an integer: counts, and amounts in minor units (centavos).
The input rows are the day's aggregates as D1 groups them (per game, per payment kind and
method) and the day's player counts; the order they come in never changes the output: lists
are sorted, keys are sorted, nothing depends on the clock.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from .errors import InvalidDate

REPORT_VERSION = 1
# The methods the report always lists for a jurisdiction, with zeros on a quiet day (BR: the
# only two the law allows in, PIX and TED); any other method seen that day is listed as well.
REPORTED_METHODS: dict[str, tuple[str, ...]] = {"BR": ("pix", "ted")}
PLAYER_FIGURES = (
    "registered",  # accounts opened that day
    "active_bettors",  # distinct players with at least one bet that day
    "depositors",  # distinct players with at least one deposit that day
    "self_exclusions",  # self-exclusions taken that day (recorded from migration 0009 on)
    "breaks",  # pauses taken that day (recorded from migration 0009 on)
    "national_exclusions",  # accounts closed that day on the national exclusion list
)
CSV_HEADER = ("date", "jurisdiction", "section", "item", "metric", "value")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_day(text: str, today: date) -> date:
    """A report's day from `YYYY-MM-DD`: a real calendar date, not after `today` (UTC)."""
    if not _DAY.match(text or ""):
        raise InvalidDate("date must be a calendar date as YYYY-MM-DD")
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidDate(f"{text} is not a calendar date") from exc
    if day > today:
        raise InvalidDate(f"{text} is in the future: there is nothing to report yet")
    return day


def day_bounds(day: date) -> tuple[str, str]:
    """The UTC day as the half-open range of RFC 3339 timestamps `[start, end)` (the stored
    timestamps are fixed-width UTC strings, so they compare as text)."""
    return (
        f"{day.isoformat()}T00:00:00.000Z",
        f"{(day + timedelta(days=1)).isoformat()}T00:00:00.000Z",
    )


def _count(row: Mapping[str, Any], key: str) -> int:
    value = row.get(key)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{key} must be a non-negative integer, got {value!r}")
    return value


def _games(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    merged: dict[str, dict[str, int]] = {}
    for row in rows:
        game = merged.setdefault(
            str(row["game_id"]), {"bets": 0, "staked": 0, "refunded": 0, "paid": 0}
        )
        for key in game:
            game[key] += _count(row, key)
    return [
        {
            "game_id": game_id,
            "bets": g["bets"],
            "total_staked": g["staked"] - g["refunded"],
            "total_refunded": g["refunded"],
            "total_paid": g["paid"],
            "ggr": g["staked"] - g["refunded"] - g["paid"],
        }
        for game_id, g in sorted(merged.items())
    ]


_PAYMENT_PREFIX = {"deposit": "deposits", "withdrawal": "withdrawals",
                   "withdrawal_paid": "withdrawals_paid"}  # fmt: skip


def _no_payments() -> dict[str, int]:
    return {f"{p}_{f}": 0 for p in _PAYMENT_PREFIX.values() for f in ("count", "amount")}


def _payments(
    rows: Iterable[Mapping[str, Any]], methods: Iterable[str]
) -> tuple[dict[str, dict[str, int]], list[dict[str, Any]]]:
    by_method = {m: _no_payments() for m in methods}
    for row in rows:
        prefix = _PAYMENT_PREFIX.get(str(row["kind"]))
        if prefix is None:
            raise ValueError(f"unknown payment kind {row['kind']!r}")
        figures = by_method.setdefault(str(row["method"]), _no_payments())
        figures[f"{prefix}_count"] += _count(row, "count")
        figures[f"{prefix}_amount"] += _count(row, "amount")
    totals = {
        prefix: {
            "count": sum(f[f"{prefix}_count"] for f in by_method.values()),
            "amount": sum(f[f"{prefix}_amount"] for f in by_method.values()),
        }
        for prefix in _PAYMENT_PREFIX.values()
    }
    return totals, [{"method": m, **f} for m, f in sorted(by_method.items())]


def daily_report(
    jurisdiction: str,
    day: date,
    currency: str,
    games: Iterable[Mapping[str, Any]],
    payments: Iterable[Mapping[str, Any]],
    players: Mapping[str, Any],
) -> dict[str, Any]:
    """The report of one day: bets (per game: bets, staked net of refunds, paid, GGR = staked -
    paid), payments (deposits, withdrawals requested, withdrawals paid; per method) and players.

    `games`: rows `{game_id, bets, staked, refunded, paid}` (a game may come more than once, e.g.
    from our rounds and from a provider's transactions: they are added up). `payments`: rows
    `{kind: deposit | withdrawal | withdrawal_paid, method, count, amount}`. `players`: the
    counts named in `PLAYER_FIGURES` (a missing one is 0)."""
    by_game = _games(games)
    totals, by_method = _payments(payments, REPORTED_METHODS.get(jurisdiction, ()))
    start, end = day_bounds(day)
    return {
        "report": "daily",
        "version": REPORT_VERSION,
        "jurisdiction": jurisdiction,
        "date": day.isoformat(),
        "currency": currency,
        "day_starts_at": start,
        "day_ends_at": end,
        "bets": {
            "count": sum(g["bets"] for g in by_game),
            "total_staked": sum(g["total_staked"] for g in by_game),
            "total_refunded": sum(g["total_refunded"] for g in by_game),
            "total_paid": sum(g["total_paid"] for g in by_game),
            "ggr": sum(g["ggr"] for g in by_game),
            "by_game": by_game,
        },
        "payments": {**totals, "by_method": by_method},
        "players": {name: _count(players, name) for name in PLAYER_FIGURES},
    }


def report_json(report: Mapping[str, Any]) -> str:
    """The report as JSON text: sorted keys, two-space indent, ASCII only, one final newline."""
    return json.dumps(report, sort_keys=True, indent=2, ensure_ascii=True) + "\n"


def _cell(text: str) -> str:
    """A text cell that a spreadsheet would not read as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def report_csv(report: Mapping[str, Any]) -> str:
    """The report as CSV (RFC 4180: comma separated, CRLF line ends, a header row): one figure a
    row, `date,jurisdiction,section,item,metric,value`, `item` being `all`, a game or a method.
    Amounts are integers in minor units, so no decimal separator or locale is involved."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    head = (report["date"], report["jurisdiction"])

    def row(section: str, item: str, metric: str, value: int) -> None:
        writer.writerow((*head, section, _cell(item), metric, value))

    bets = report["bets"]
    for metric in ("count", "total_staked", "total_refunded", "total_paid", "ggr"):
        row("bets", "all", metric, bets[metric])
    for game in bets["by_game"]:
        for metric in ("bets", "total_staked", "total_refunded", "total_paid", "ggr"):
            row("bets", game["game_id"], metric, game[metric])
    payments = report["payments"]
    for name in ("deposits", "withdrawals", "withdrawals_paid"):
        row("payments", "all", f"{name}_count", payments[name]["count"])
        row("payments", "all", f"{name}_amount", payments[name]["amount"])
    for method in payments["by_method"]:
        for name in ("deposits", "withdrawals", "withdrawals_paid"):
            row("payments", method["method"], f"{name}_count", method[f"{name}_count"])
            row("payments", method["method"], f"{name}_amount", method[f"{name}_amount"])
    for metric in PLAYER_FIGURES:
        row("players", "all", metric, report["players"][metric])
    return buffer.getvalue()


FORMATS = {"json": report_json, "csv": report_csv}


def render(report: Mapping[str, Any], fmt: str) -> str:
    return FORMATS[fmt](report)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()

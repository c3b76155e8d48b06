"""The daily regulatory report as a pure function: rows in, the same bytes out, whatever their
order; GGR is staked minus paid; the CSV is RFC 4180 with one figure a row; bad days refused."""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casino.errors import InvalidDate
from casino.reports import (
    CSV_HEADER,
    PLAYER_FIGURES,
    daily_report,
    day_bounds,
    parse_day,
    report_csv,
    report_json,
    sha256_hex,
)
from casino.vip import TIERS, Tier, check_tiers, tier_for

DAY = date(2026, 12, 1)
GAMES = [
    {"game_id": "dice", "bets": 10, "staked": 10_000, "refunded": 0, "paid": 9_000},
    {"game_id": "slots", "bets": 3, "staked": 600, "refunded": 0, "paid": 1_500},
    {"game_id": "acme:fruit", "bets": 2, "staked": 2_000, "refunded": 500, "paid": 700},
    {"game_id": "dice", "bets": 1, "staked": 100, "refunded": 0, "paid": 0},
]
PAYMENTS = [
    {"kind": "deposit", "method": "pix", "count": 3, "amount": 30_000},
    {"kind": "deposit", "method": "ted", "count": 1, "amount": 100_000},
    {"kind": "withdrawal", "method": "pix", "count": 1, "amount": 5_000},
    {"kind": "withdrawal_paid", "method": "pix", "count": 1, "amount": 5_000},
]
PLAYERS = {"registered": 4, "active_bettors": 3, "depositors": 2, "self_exclusions": 1}


def report(games=GAMES, payments=PAYMENTS, players=PLAYERS, jurisdiction="BR"):
    return daily_report(jurisdiction, DAY, "BRL", games, payments, players)


def test_ggr_is_staked_minus_paid_per_game_and_in_total():
    bets = report()["bets"]
    by_game = {g["game_id"]: g for g in bets["by_game"]}
    assert by_game["dice"] == {"game_id": "dice", "bets": 11, "total_staked": 10_100,
                               "total_refunded": 0, "total_paid": 9_000, "ggr": 1_100}  # fmt: skip
    assert by_game["slots"]["ggr"] == -900  # the players won that day
    # A provider's refund takes its stake back out: staked is net of it.
    assert by_game["acme:fruit"]["total_staked"] == 1_500 and by_game["acme:fruit"]["ggr"] == 800
    assert bets["count"] == 16
    assert bets["total_staked"] == 10_100 + 600 + 1_500 and bets["total_paid"] == 11_200
    assert bets["ggr"] == bets["total_staked"] - bets["total_paid"] == 1_000


def test_payments_by_method_always_list_pix_and_ted_in_brazil():
    payments = report(payments=[])["payments"]
    assert [m["method"] for m in payments["by_method"]] == ["pix", "ted"]
    assert payments["deposits"] == {"count": 0, "amount": 0}
    full = report()["payments"]
    assert full["deposits"] == {"count": 4, "amount": 130_000}
    assert full["withdrawals"] == {"count": 1, "amount": 5_000}
    assert full["withdrawals_paid"] == {"count": 1, "amount": 5_000}
    pix = full["by_method"][0]
    assert (pix["deposits_count"], pix["deposits_amount"], pix["withdrawals_amount"]) == (
        3, 30_000, 5_000,
    )  # fmt: skip


def test_the_player_figures_are_all_there_with_zero_for_the_missing():
    assert report()["players"] == {name: PLAYERS.get(name, 0) for name in PLAYER_FIGURES}


def test_the_same_rows_in_any_order_give_the_same_bytes():
    first_json, first_csv = report_json(report()), report_csv(report())
    rng = random.Random(7)
    for _ in range(20):
        games, payments = GAMES[:], PAYMENTS[:]
        rng.shuffle(games)
        rng.shuffle(payments)
        again = report(games, payments, dict(reversed(list(PLAYERS.items()))))
        assert report_json(again) == first_json
        assert report_csv(again) == first_csv
    assert sha256_hex(first_json) == sha256_hex(report_json(report()))


@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "game_id": st.sampled_from(["dice", "slots", "limbo", "p:g"]),
                "bets": st.integers(0, 10**6),
                "staked": st.integers(0, 10**12),
                "refunded": st.just(0),
                "paid": st.integers(0, 10**12),
            }
        ),  # fmt: skip
        max_size=8,
    ),
    st.randoms(),
)
def test_determinism_and_ggr_hold_for_any_rows(games, rng):
    shuffled = games[:]
    rng.shuffle(shuffled)
    a, b = report(games=games), report(games=shuffled)
    assert report_json(a) == report_json(b)
    assert a["bets"]["ggr"] == sum(g["staked"] - g["paid"] for g in games)


def test_the_json_is_sorted_indented_ascii_with_integers_only():
    text = report_json(report())
    assert text.endswith("}\n") and text.isascii()
    data = json.loads(text)
    assert json.dumps(data, sort_keys=True, indent=2) + "\n" == text
    assert data["date"] == "2026-12-01" and data["jurisdiction"] == "BR"
    assert (data["day_starts_at"], data["day_ends_at"]) == (
        "2026-12-01T00:00:00.000Z", "2026-12-02T00:00:00.000Z",
    )  # fmt: skip
    assert "generated_at" not in text

    def numbers(value):
        if isinstance(value, dict):
            for v in value.values():
                yield from numbers(v)
        elif isinstance(value, list):
            for v in value:
                yield from numbers(v)
        elif not isinstance(value, str):
            yield value

    assert all(type(n) is int for n in numbers(data))


def test_the_csv_has_one_figure_a_row_crlf_and_the_json_figures():
    text = report_csv(report())
    assert text.startswith(",".join(CSV_HEADER) + "\r\n") and text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert all(r["date"] == "2026-12-01" and r["jurisdiction"] == "BR" for r in rows)
    figures = {(r["section"], r["item"], r["metric"]): int(r["value"]) for r in rows}
    assert len(figures) == len(rows)  # no figure twice
    assert figures[("bets", "all", "ggr")] == 1_000
    assert figures[("bets", "dice", "total_staked")] == 10_100
    assert figures[("bets", "slots", "ggr")] == -900
    assert figures[("payments", "ted", "deposits_amount")] == 100_000
    assert figures[("payments", "all", "withdrawals_paid_count")] == 1
    assert figures[("players", "all", "registered")] == 4
    # The sections come in a fixed order: bets, payments, players.
    sections = [r["section"] for r in rows]
    assert sections == sorted(sections, key=["bets", "payments", "players"].index)


def test_a_game_id_a_spreadsheet_would_run_is_written_as_text():
    text = report_csv(report(games=[{"game_id": "=cmd|x", "bets": 1, "staked": 1, "paid": 0}]))
    assert ",'=cmd|x," in text


def test_bad_rows_are_refused_rather_than_reported():
    with pytest.raises(ValueError):
        report(games=[{"game_id": "dice", "bets": 1, "staked": 1.5, "paid": 0}])
    with pytest.raises(ValueError):
        report(payments=[{"kind": "bonus", "method": "pix", "count": 1, "amount": 1}])


@pytest.mark.parametrize(
    "text",
    ["", "2026-13-01", "2026-02-30", "2026-1-01", "20261201", "2026-12-01T00:00", "tomorrow"],
)
def test_a_day_that_is_not_a_calendar_date_is_refused(text):
    with pytest.raises(InvalidDate) as refused:
        parse_day(text, date(2026, 12, 3))
    assert refused.value.code == "invalid_date" and refused.value.status == 422


def test_a_future_day_is_refused_and_today_and_the_past_are_not():
    today = date(2026, 12, 3)
    with pytest.raises(InvalidDate, match="future"):
        parse_day("2026-12-04", today)
    assert parse_day("2026-12-03", today) == today
    assert parse_day("2024-02-29", today) == date(2024, 2, 29)


def test_day_bounds_are_the_utc_day_half_open():
    assert day_bounds(date(2026, 12, 31)) == (
        "2026-12-31T00:00:00.000Z",
        "2027-01-01T00:00:00.000Z",
    )


def test_vip_tiers_are_the_highest_threshold_reached():
    assert [tier_for(w) for w in (0, 99_999, 100_000, 1_000_000, 10**12)] == [
        "bronze", "bronze", "silver", "gold", "platinum",
    ]  # fmt: skip
    assert TIERS[0].min_wagered == 0
    with pytest.raises(ValueError):
        check_tiers([Tier("a", 0), Tier("b", 10), Tier("c", 10)])
    with pytest.raises(ValueError):
        check_tiers([Tier("a", 5)])

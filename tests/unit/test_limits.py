from datetime import UTC, datetime, timedelta

import pytest

from casino.errors import InvalidLimit
from casino.limits import COOLING_OFF, Limit, deposit_refusal, loss_refusal, request_change

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def test_a_first_limit_applies_at_once():
    assert request_change(Limit("deposit_daily"), 1000, NOW) == Limit("deposit_daily", 1000)


def test_lowering_applies_at_once():
    assert request_change(Limit("deposit_daily", 1000), 500, NOW).value == 500


def test_raising_waits_for_the_cooling_off_and_shows_as_pending():
    raised = request_change(Limit("deposit_daily", 1000), 5000, NOW)
    assert raised.value == 1000 and raised.pending and raised.pending_value == 5000
    assert raised.effective_at == NOW + COOLING_OFF
    assert raised.settle(NOW + COOLING_OFF - timedelta(seconds=1)).value == 1000
    assert raised.settle(NOW + COOLING_OFF) == Limit("deposit_daily", 5000)


def test_removing_is_a_raise():
    removed = request_change(Limit("loss_weekly", 1000), None, NOW)
    assert removed.value == 1000 and removed.pending and removed.pending_value is None
    assert removed.settle(NOW + COOLING_OFF).value is None


def test_lowering_during_a_pending_raise_cancels_it():
    raised = request_change(Limit("deposit_daily", 1000), 5000, NOW)
    lowered = request_change(raised, 800, NOW + timedelta(hours=1))
    assert lowered == Limit("deposit_daily", 800)


@pytest.mark.parametrize("value", [0, -5, 1.5, "100", True, 10**13])
def test_invalid_limit_values_are_refused(value):
    with pytest.raises(InvalidLimit):
        request_change(Limit("deposit_daily"), value, NOW)


def test_a_deposit_over_any_window_is_refused_whole():
    limits = {"deposit_daily": Limit("deposit_daily", 1000),
              "deposit_weekly": Limit("deposit_weekly", 1500)}  # fmt: skip
    totals = {"daily": 200, "weekly": 1200, "monthly": 1200}
    assert deposit_refusal(limits, totals, 800) == "weekly"
    assert deposit_refusal(limits, totals, 301) == "weekly"
    assert deposit_refusal(limits, totals, 300) is None
    assert deposit_refusal(limits, {"daily": 900, "weekly": 0, "monthly": 0}, 101) == "daily"


def test_a_round_that_could_pass_the_loss_limit_is_refused():
    limits = {"loss_daily": Limit("loss_daily", 1000)}
    assert loss_refusal(limits, {"daily": 900, "weekly": 900, "monthly": 900}, 100) is None
    assert loss_refusal(limits, {"daily": 900, "weekly": 900, "monthly": 900}, 101) == "daily"

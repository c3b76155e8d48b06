import pytest

from casino.aml import Engine, IllegalTransition, WalletEvent, check_transition, risk_of


def deposit(n: int, amount: int, at: int, player: str = "p1") -> WalletEvent:
    return WalletEvent(f"{player}:{n}", player, "deposit", amount, at)


def test_velocity_fires_once_on_the_sixth_deposit_in_an_hour() -> None:
    engine = Engine()
    fired = [engine.score(deposit(i, 1000, i * 10)) for i in range(8)]
    assert [len(a) for a in fired] == [0, 0, 0, 0, 0, 1, 0, 0]
    assert fired[5][0].rule == "deposit_velocity"
    assert len(fired[5][0].event_ids) == 6


def test_deposits_spread_over_hours_raise_nothing() -> None:
    engine = Engine()
    assert all(not engine.score(deposit(i, 1000, i * 3600)) for i in range(10))


def test_redelivered_event_is_ignored() -> None:
    engine = Engine()
    for i in range(5):
        assert engine.score(deposit(i, 1000, i)) == []
    # The queue delivers at least once: the fifth deposit again, three times, is still five
    # deposits (counted as new, it would make the sixth and raise the velocity alert).
    assert all(engine.score(deposit(4, 1000, 4)) == [] for _ in range(3))
    assert engine.score(deposit(5, 1000, 5))


def test_structuring_just_under_threshold() -> None:
    engine = Engine()
    alerts = [a for i in range(3) for a in engine.score(deposit(i, 950_000, i * 4000))]
    assert [a.rule for a in alerts] == ["structuring"]


def test_risk_bands_and_lifecycle() -> None:
    assert [risk_of(s) for s in (10, 40, 70, 100)] == ["low", "medium", "high", "critical"]
    assert risk_of(70, 30) == "critical"
    check_transition("open", "under_review")
    with pytest.raises(IllegalTransition):
        check_transition("closed", "under_review")

"""Benchmarks are not tests; this only proves each still runs, at a tiny size."""

from bench import wallet_scaling


def test_the_wallet_scaling_benchmark_runs_and_reports_both_figures(capsys):
    figures = wallet_scaling.main(["--events", "200", "--deposits", "5", "--reads", "5",
                                   "--repeats", "1"])  # fmt: skip
    assert [f.id for f in figures] == ["B4", "B4"]
    assert all(f.ours > 0 and f.baseline > 0 for f in figures)
    assert "B4" in capsys.readouterr().out


def test_the_settlement_and_fairness_benchmarks_run():
    from bench import fairness_speed, settlement

    [b1] = settlement.main(["--rounds", "20", "--repeats", "1"])
    [b6] = fairness_speed.main(["--draws", "200", "--repeats", "1"])
    assert b1.ours > 0 and b1.baseline > 0 and b6.ours > 0 and b6.baseline > 0


def test_the_aml_rules_benchmark_runs_and_its_stream_raises_alerts():
    from bench import aml_rules

    [b7] = aml_rules.main(["--events", "3000", "--players", "30", "--repeats", "1"])
    assert b7.id == "B7" and b7.ours > 0
    assert aml_rules.rate(aml_rules.stream(3000, 30))[1] > 0  # the rules do fire on it

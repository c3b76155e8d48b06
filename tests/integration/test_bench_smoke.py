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

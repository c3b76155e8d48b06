"""Benchmarks are not tests; this only proves each still runs, at a tiny size."""

from bench import wallet_scaling


def test_the_wallet_scaling_benchmark_runs_and_reports_both_figures(capsys):
    figures = wallet_scaling.main(["--events", "200", "--deposits", "5", "--reads", "5",
                                   "--repeats", "1"])  # fmt: skip
    assert [f.id for f in figures] == ["B4", "B4"]
    assert all(f.ours > 0 and f.baseline > 0 for f in figures)
    assert "B4" in capsys.readouterr().out

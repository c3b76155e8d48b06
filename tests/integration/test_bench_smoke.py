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


def test_the_aml_latency_benchmark_measures_alerts_through_the_whole_pipeline():
    from bench import aml_latency

    [b7b] = aml_latency.main(["--rate", "50", "--seconds", "1", "--players", "6"])
    assert b7b.id == "B7b" and 0 < b7b.ours < 30


def test_the_http_rounds_benchmark_drives_a_real_server_open_loop():
    from bench import http_rounds

    b3 = http_rounds.main(
        ["--players", "2", "--clients", "2", "--seconds", "0.5", "--repeats", "1"]
    )
    assert [f.id for f in b3] == ["B3", "B3"]
    assert b3[0].ours > 0 and b3[0].baseline > 0 and b3[1].ours > 0


def test_the_round_history_benchmark_seeds_a_consistent_ledger_and_settles_rounds_on_it():
    from bench import round_history

    [b11] = round_history.main(["--prior", "3000", "--per-day", "500", "--rounds", "5",
                                "--repeats", "1"])  # fmt: skip
    assert b11.id == "B11" and b11.ours > 0 and b11.baseline > 0


def test_the_seeded_history_replays_to_its_stored_balance(tmp_path):
    import asyncio
    from datetime import UTC, datetime

    from api.services import SystemClock
    from bench import round_history
    from bench.wallet_scaling import NullDB
    from local_runtime.actors import ActorHost
    from wallet_do.wallet import Wallet, WalletDeps

    host = ActorHost(tmp_path, lambda n, s: Wallet(s, WalletDeps(SystemClock(), NullDB())))
    round_history.seed(host, "p", 1200, 500, datetime.now(UTC))
    audit = asyncio.run(host.get("p").call("audit", {}))
    host.close()
    assert audit["consistent"] and audit["last_seq"] == 1 + 1200 + 600


def test_the_many_ledgers_benchmark_runs():
    from bench import many_ledgers

    [b2] = many_ledgers.main(["--players", "20", "--callers", "4", "--rounds", "40",
                              "--repeats", "1"])  # fmt: skip
    assert b2.id == "B2" and b2.ours > 0 and b2.baseline > 0


def test_the_audit_replay_benchmark_verifies_the_whole_chain():
    from bench import audit_replay

    [b5] = audit_replay.main(["--events", "500", "--repeats", "1"])
    assert b5.id == "B5" and b5.ours > 0 and b5.baseline > 0


def test_the_import_time_benchmark_times_the_entry_and_a_bare_app():
    from bench import import_time

    [b9] = import_time.main(["--repeats", "1"])
    assert b9.id == "B9" and b9.ours > 0 and b9.baseline > 0  # one run each: noise decides order


def test_the_pyodide_benchmarks_run_the_core_the_import_and_two_uploads():
    from bench import pyodide_limits

    b8, b12_import, b12_heap = pyodide_limits.main(
        ["--rounds", "100", "--repeats", "1", "--import-repeats", "1", "--upload-mib", "0.1"]
    )
    assert b8.ours > 0 and b8.baseline > 0
    assert b12_import.ours > 0 and b12_import.baseline > 0 and b12_heap.ours > 0


def test_the_edge_cpu_benchmark_times_every_kind_of_request_in_pyodide(capsys):
    from bench import edge_cpu

    round_cpu, worst = edge_cpu.main(["--requests", "2"])
    assert round_cpu.passed and worst.passed
    assert 0 < round_cpu.ours <= worst.ours
    out = capsys.readouterr().out
    assert all(kind in out for kind in ("healthz", "wallet", "round", "deposit", "login"))


def test_the_memory_benchmark_plays_rounds_over_http_and_reads_the_servers_size():
    from bench import memory_growth

    [b10] = memory_growth.main(["--players", "3", "--rounds", "30", "--clients", "2"])
    assert b10.id == "B10" and b10.ours != 0

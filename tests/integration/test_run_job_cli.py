"""`casino ops run-job`: one scheduled job now against a local state, its result as JSON; the
list of jobs; an unknown name is a clear error with exit code 2."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

CASINO = Path(sys.executable).parent / "casino"


def casino(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CASINO), *args], capture_output=True, text=True, timeout=120)


def test_run_job_lists_the_jobs_with_their_crons():
    listed = casino("ops", "run-job", "--list")
    assert listed.returncode == 0, listed.stderr
    jobs = {j["name"]: j["cron"] for j in json.loads(listed.stdout)["jobs"]}
    assert jobs == {
        "exclusion_recheck": "*/5 * * * *", "messages": "*/5 * * * *",
        "game_stats": "*/5 * * * *", "vip_tiers": "0 3 * * *", "daily_report": "0 3 * * *",
        "limit_activations": "0 3 * * *",
    }  # fmt: skip


def test_an_unknown_job_is_a_clear_error_with_exit_code_2(tmp_path):
    unknown = casino("ops", "run-job", "daily_reports", "--state", str(tmp_path / "state"))
    assert unknown.returncode == 2 and unknown.stdout == ""
    assert "unknown job 'daily_reports'" in unknown.stderr and "daily_report" in unknown.stderr
    assert not (tmp_path / "state").exists()  # refused before touching any state
    nameless = casino("ops", "run-job")
    assert nameless.returncode == 2 and "name a job" in nameless.stderr


async def _register_player(state: Path) -> None:
    import httpx

    from local_runtime.runtime import build
    from local_runtime.server import LocalGateway

    from .conftest import register_and_login

    runtime = build(state)
    try:
        transport = httpx.ASGITransport(app=LocalGateway(runtime), client=("127.0.0.1", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            await register_and_login(client)
    finally:
        runtime.close()


def test_run_job_runs_the_daily_report_now_and_prints_its_result_as_json(tmp_path):
    state = tmp_path / "state"
    assert casino("migrate", "--state", str(state)).returncode == 0
    asyncio.run(_register_player(state))
    ran = casino("ops", "run-job", "daily_report", "--state", str(state))
    assert ran.returncode == 0, ran.stderr
    answer = json.loads(ran.stdout)
    yesterday = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    assert answer["job"] == "daily_report" and answer["result"]["date"] == yesterday
    [br] = answer["result"]["reports"]
    assert br["jurisdiction"] == "BR" and br["stored"] == ["csv", "json"]
    assert set(br["sha256"]) == {"csv", "json"}
    again = json.loads(casino("ops", "run-job", "daily_report", "--state", str(state)).stdout)
    assert again["result"]["reports"][0]["stored"] == []  # a stored day is never rewritten
    assert again["result"]["reports"][0]["sha256"] == br["sha256"]
    tiers = casino("ops", "run-job", "vip_tiers", "--state", str(state))
    assert tiers.returncode == 0
    assert json.loads(tiers.stdout)["result"]["players_by_tier"] == {"bronze": 1}

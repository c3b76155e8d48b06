"""The `casino` operator commands on a local state (each applies pending migrations first)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CASINO = Path(sys.executable).parent / "casino"


def casino(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CASINO), *args], capture_output=True, text=True, timeout=120)


def test_operator_commands_on_a_fresh_state(tmp_path):
    state = str(tmp_path / "state")
    made = casino("ops", "create-user", "--state", state, "--email", "Ops@Example.com",
                  "--password", "0perator-Passw0rd", "--role", "admin")  # fmt: skip
    assert made.returncode == 0 and "created admin ops@example.com" in made.stdout
    again = casino("ops", "create-user", "--state", state, "--email", "ops@example.com",
                   "--password", "0perator-Passw0rd", "--role", "admin")  # fmt: skip
    assert again.returncode == 1 and "email_taken" in again.stderr
    weak = casino("ops", "create-user", "--state", state, "--email", "b@example.com",
                  "--password", "short", "--role", "operator")  # fmt: skip
    assert weak.returncode == 1 and "weak_password" in weak.stderr

    assert casino("ops", "rtp", "set", "--game", "slots", "--rtp-bps", "9100", "--state",
                  state).returncode == 0  # fmt: skip
    shown = casino("ops", "rtp", "show", "--state", state)
    assert (
        "slots [generic]: rtp 9100 bps" in shown.stdout and "slots [BR]: rtp 9100" in shown.stdout
    )
    refused = casino("ops", "rtp", "set", "--game", "slots", "--rtp-bps", "9950", "--state", state)
    assert refused.returncode == 1 and "rtp_out_of_range" in refused.stderr

    csv = tmp_path / "sigap.csv"
    csv.write_text("cpf\n529.982.247-25\n111.111.111-11\n")
    bad = casino("ops", "exclusions", "import", str(csv), "--state", state)
    assert bad.returncode == 1 and "invalid_list" in bad.stderr and "1 of 2 rows" in bad.stderr
    csv.write_text("CPF;NOME\n529.982.247-25;Ana\n")
    preview = casino("ops", "exclusions", "import", str(csv), "--dry-run", "--state", state)
    assert preview.returncode == 0 and "would import 1 CPFs" in preview.stdout
    assert "added 1" in preview.stdout
    imported = casino("ops", "exclusions", "import", str(csv), "--state", state)
    assert imported.returncode == 0 and "imported 1 CPFs" in imported.stdout
    assert "invalid rows 0" in imported.stdout and "added 1" in imported.stdout


def test_create_user_prints_the_factor_once_and_reset_user_replaces_it(tmp_path):
    import re

    state = str(tmp_path / "state")
    made = casino("ops", "create-user", "--state", state, "--email", "kyc@example.com",
                  "--password", "Rev1ewer-Passw0rd", "--role", "kyc_reviewer")  # fmt: skip
    assert made.returncode == 0, made.stderr
    uris = [line for line in made.stdout.splitlines() if line.startswith("otpauth://")]
    assert len(uris) == 1 and "secret=" in uris[0]
    assert len(re.findall(r"^  \w{5}-\w{5}-\w{6}$", made.stdout, re.M)) == 10
    reset = casino("ops", "reset-user", "--state", state, "--email", "kyc@example.com",
                   "--reset-mfa")  # fmt: skip
    assert reset.returncode == 0, reset.stderr
    assert "temporary password: " in reset.stdout
    new = [line for line in reset.stdout.splitlines() if line.startswith("otpauth://")]
    assert len(new) == 1 and new != uris


async def _login_on(state, email: str, password: str, otp: str) -> int:
    import httpx

    from local_runtime.runtime import build
    from local_runtime.server import LocalGateway

    runtime = build(state)
    try:
        transport = httpx.ASGITransport(app=LocalGateway(runtime), client=("127.0.0.1", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            r = await client.post("/v1/auth/login", json={"email": email, "password": password,
                                                          "otp": otp})  # fmt: skip
            return r.status_code
    finally:
        runtime.close()


def test_the_first_admin_of_a_deployment_is_made_as_sql_for_its_d1(tmp_path):
    """`--emit-sql` seals with the deployment's secrets (from the environment) and writes rows
    that `wrangler d1 execute --file` applies; with those secrets the admin logs in."""
    import asyncio
    import json
    import os

    import pyotp

    from local_runtime.runtime import wrangler_bin

    state = tmp_path / "state"
    state.mkdir()
    secrets = {"JWT_SECRET": "j" * 48, "PASSWORD_PEPPER": "deployment-pepper",
               "EXCLUSION_LIST_KEY": "x" * 48, "MFA_ENCRYPTION_KEY": "deployment-mfa-key"}  # fmt: skip
    (state / "local-secrets.json").write_text(json.dumps(secrets))
    assert casino("migrate", "--state", str(state)).returncode == 0
    sql = tmp_path / "admin.sql"
    env = {**os.environ, "PASSWORD_PEPPER": "deployment-pepper",
           "MFA_ENCRYPTION_KEY": "deployment-mfa-key"}  # fmt: skip
    made = subprocess.run(
        [str(CASINO), "ops", "create-user", "--emit-sql", str(sql), "--email", "root@example.com",
         "--password", "R00t-Admin-Passw0rd", "--role", "admin"],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "R00t-Admin-Passw0rd" not in sql.read_text()
    uri = next(line for line in made.stdout.splitlines() if line.startswith("otpauth://"))
    applied = subprocess.run(
        [str(wrangler_bin()), "d1", "execute", "casino", "--local", "--persist-to", str(state),
         "--file", str(sql), "--yes"],
        capture_output=True, text=True, timeout=300, cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "CI": "1", "WRANGLER_SEND_METRICS": "false"},
    )  # fmt: skip
    assert applied.returncode == 0, applied.stdout + applied.stderr
    code = pyotp.parse_uri(uri).now()
    assert asyncio.run(_login_on(state, "root@example.com", "R00t-Admin-Passw0rd", code)) == 200

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

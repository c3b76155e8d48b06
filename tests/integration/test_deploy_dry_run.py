"""`wrangler deploy --dry-run` (offline, no account): the Worker as it stands is deployable and
uploads exactly the modules under workers/ plus the vendored packages, for both deployments."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from local_runtime.paths import PROJECT_ROOT
from local_runtime.runtime import wrangler_bin

SHIPPED = ("api/", "casino/", "infra/", "session_do/", "wallet_do/")


@pytest.fixture(scope="module")
def vendored():
    subprocess.run(["bash", "scripts/vendor_python_modules.sh"], cwd=PROJECT_ROOT, check=True,
                   capture_output=True, timeout=600)  # fmt: skip


@pytest.mark.parametrize("environment", [None, "br"])
def test_the_worker_is_deployable_with_exactly_its_own_modules(vendored, tmp_path, environment):
    args = [str(wrangler_bin()), "deploy", "--dry-run", "--outdir", str(tmp_path)]
    if environment:
        args += ["--env", environment]
    result = subprocess.run(
        args, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "CI": "1", "WRANGLER_SEND_METRICS": "false", "NO_COLOR": "1"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    modules = re.findall(r"│ (\S+)\s+│ (?:python|text|data|buffer|esm|commonjs)\s", result.stdout)
    assert "casino/fairness.py" in modules and "wallet_do/wallet.py" in modules
    assert all(m.startswith(SHIPPED) for m in modules), modules
    assert (tmp_path / "entry.py").exists()  # the main module, workers/api/entry.py
    assert "Vendored Modules" in result.stdout
    assert "env.DB" in result.stdout and "env.WALLET (WalletDO)" in result.stdout
    if environment == "br":
        assert 'env.JURISDICTION ("BR")' in result.stdout

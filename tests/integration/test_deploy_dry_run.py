"""`wrangler deploy --dry-run` (offline, no account): the Worker as it stands is deployable and
uploads exactly the modules under workers/ plus the vendored packages, for both deployments.

What wrangler does with `main = "workers/api/entry.py"` and `base_dir = "workers"`: every `*.py`
under workers/ is a module named by its path there (`casino/fairness.py`), except the main
module, which is uploaded as `entry.py` at the root (so on the edge it is the module `entry`, and
`api.entry` does not exist); every file of python_modules/ but `*.pyc` is a vendored module
(`python_modules/...`). Other files under workers/ are not uploaded at all.
"""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from local_runtime.paths import PROJECT_ROOT
from local_runtime.runtime import wrangler_bin

SHIPPED = ("api/", "casino/", "infra/", "session_do/", "wallet_do/")
MAIN = "api/entry.py"


def _files(root: Path) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }


@pytest.fixture(scope="module")
def vendored() -> None:
    result = subprocess.run(
        ["bash", "scripts/vendor_python_modules.sh"], cwd=PROJECT_ROOT, capture_output=True,
        text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_only_python_modules_live_under_workers():
    """wrangler uploads only `*.py` from the module root: anything else there would be missing on
    the edge while present locally."""
    others = sorted(f for f in _files(PROJECT_ROOT / "workers") if not f.endswith(".py"))
    assert not others, others


def test_the_sdk_is_vendored_for_this_compatibility_date():
    """From compatibility_date 2026-04-21 (`enable_python_external_sdk`) the runtime no longer
    provides the `workers` SDK: it must be in python_modules (as `pywrangler sync` does)."""
    config = tomllib.loads((PROJECT_ROOT / "wrangler.toml").read_text())
    flags = config.get("compatibility_flags", [])
    if config["compatibility_date"] >= "2026-04-21" and "disable_python_external_sdk" not in flags:
        requirements = (PROJECT_ROOT / "scripts/vendor_python_modules.sh").read_text()
        assert "workers-runtime-sdk==" in requirements


@pytest.mark.parametrize("environment", ["", "br"])
def test_the_worker_is_deployable_with_exactly_its_own_modules(vendored, tmp_path, environment):
    outdir = tmp_path / "out"
    result = subprocess.run(
        [str(wrangler_bin()), "deploy", "--dry-run", "--outdir", str(outdir), f"--env={environment}"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "CI": "1", "WRANGLER_SEND_METRICS": "false", "NO_COLOR": "1"},
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "--dry-run: exiting now." in output

    workers = _files(PROJECT_ROOT / "workers")
    expected = {("entry.py" if f == MAIN else f) for f in workers if f.endswith(".py")}
    vendored_files = {f"python_modules/{f}" for f in _files(PROJECT_ROOT / "python_modules")}
    uploaded = _files(outdir) - {"README.md"}  # wrangler's note about the output folder
    assert uploaded == expected | vendored_files, {
        "missing": sorted((expected | vendored_files) - uploaded)[:20],
        "unexpected": sorted(uploaded - expected - vendored_files)[:20],
    }
    assert all(f.startswith(SHIPPED) or f == "entry.py" for f in expected), sorted(expected)
    assert not any(
        part in {"node_modules", "tests", "local_runtime", ".venv", ".wrangler"}
        for f in uploaded
        for part in f.split("/")
    )
    assert "python_modules/workers/__init__.py" in uploaded  # the SDK
    assert any(
        re.match(r"python_modules/pydantic_core/.*wasm32-emscripten\.so$", f) for f in uploaded
    )

    # The table wrangler prints lists our modules (vendored ones are summed in one row).
    listed = set(re.findall(r"│ (\S+)\s+│ python\s", result.stdout))
    assert listed == expected - {"entry.py"}, sorted(listed ^ (expected - {"entry.py"}))
    assert "Vendored Modules" in result.stdout
    assert "env.DB" in result.stdout and "env.WALLET (WalletDO)" in result.stdout
    # `[build]` copied Swagger UI's assets into the static assets: /docs needs no CDN.
    assert "[custom build] swagger-ui-dist" in output
    assert (PROJECT_ROOT / "public/swagger-ui/swagger-ui-bundle.js").stat().st_size > 100_000
    if environment == "br":
        assert 'env.JURISDICTION ("BR")' in result.stdout


def test_static_assets_get_the_workers_security_headers_from_public_headers():
    """Cloudflare serves public/ without running the Worker: `_headers` must give every asset
    the headers `api.headers` gives the Worker's own answers."""
    from api.headers import STATIC_ASSET_HEADERS

    lines = (PROJECT_ROOT / "public/_headers").read_text().splitlines()
    rules = [line for line in lines if line and not line.startswith("#")]
    assert rules[0] == "/*"
    parsed = dict(line.strip().split(": ", 1) for line in rules[1:])
    assert parsed == STATIC_ASSET_HEADERS

"""The layering by imports: the domain core (`workers/casino`) is pure, standard library only;
the application modules of `workers/api` import no HTTP framework; only the infrastructure
adapters and the Worker's entry know Cloudflare (`js`, `workers`, `pyodide`)."""

import ast
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "workers" / "casino"


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_core_imports_only_the_standard_library_and_itself() -> None:
    allowed = set(sys.stdlib_module_names) | {"casino", "__future__"}
    offenders = {
        str(path.relative_to(CORE)): sorted(imported_roots(path) - allowed)
        for path in CORE.rglob("*.py")
        if imported_roots(path) - allowed
    }
    assert offenders == {}


def test_the_contract_sees_a_foreign_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import fastapi\nfrom js import fetch\nimport json\n", encoding="utf-8")
    assert imported_roots(module) - set(sys.stdlib_module_names) == {"fastapi", "js"}


API = CORE.parent / "api"
# The application layer: what the routes call. HTTP (FastAPI, Starlette) stays in `api.routes`,
# `security`, `permissions`, `problems`, `headers`, `limits`, `docs` and `app`.
APPLICATION = (
    "accounts", "wallet", "games", "kyc", "responsible", "exclusions", "players", "staff",
    "reports", "aml", "providers", "game_config", "messages", "mfa", "throttle", "vip", "audit",
    "alerts", "rg_alerts", "rtp_watch", "jurisdiction", "scheduled", "services", "caller",
    "tokens", "answers",
)  # fmt: skip
HTTP = {"fastapi", "starlette"}


def test_the_application_modules_import_no_http_framework() -> None:
    offenders = {
        name: sorted(imported_roots(API / f"{name}.py") & HTTP)
        for name in APPLICATION
        if imported_roots(API / f"{name}.py") & HTTP
    }
    assert offenders == {}


def test_the_application_list_names_modules_that_exist() -> None:
    assert [name for name in APPLICATION if not (API / f"{name}.py").is_file()] == []


PLATFORM = CORE.parent
CLOUDFLARE = {"js", "workers", "pyodide"}
# The only modules that know Cloudflare: the adapters and the Worker's entry.
CLOUDFLARE_AWARE = {"infra/cloudflare.py", "api/entry.py"}


def test_only_the_infrastructure_and_the_entry_know_cloudflare() -> None:
    aware = {
        str(path.relative_to(PLATFORM))
        for path in PLATFORM.rglob("*.py")
        if imported_roots(path) & CLOUDFLARE
    }
    local = {
        str(path) for path in (PLATFORM.parent / "local_runtime").rglob("*.py")
        if imported_roots(path) & CLOUDFLARE
    }  # fmt: skip
    assert aware == CLOUDFLARE_AWARE
    assert local == set()

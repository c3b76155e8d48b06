"""B9's edge stand-ins: the imports see the Worker bundle's third-party packages, no others."""

import subprocess
import sys
from pathlib import Path

from bench.import_time import bundle_names, edge_stubs


def _bundle(tmp_path: Path) -> Path:
    modules = tmp_path / "python_modules"
    for package in ("jwt", "fastapi", "opentelemetry"):
        (modules / package).mkdir(parents=True)
    (modules / "typing_extensions.py").write_text("")
    (modules / "_pyodide_entrypoint_helper.pyi").write_text("")
    (modules / "_loader.pth").write_text("")
    (modules / "pyjwt-2.15.1.dist-info").mkdir()
    return modules


def test_the_bundle_names_are_its_packages_and_modules(tmp_path: Path) -> None:
    names = bundle_names(_bundle(tmp_path))
    assert names == ["fastapi", "jwt", "opentelemetry", "typing_extensions"]


def _imports(tmp_path: Path, code: str) -> str:
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    (stubs / "edge_stubs.py").write_text(edge_stubs(_bundle(tmp_path)))
    result = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(stubs)!r}); "
         f"import edge_stubs\n{code}"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return result.stdout


def test_a_package_installed_here_but_not_in_the_bundle_is_refused(tmp_path: Path) -> None:
    out = _imports(tmp_path, (
        "try:\n    import cryptography\nexcept ModuleNotFoundError as e:\n    print(e.name)\n"
        "import jwt, json, js\nprint(jwt.__name__, json.__name__, js.__name__)"
    ))  # fmt: skip
    assert out.split() == ["cryptography", "jwt", "json", "js"]

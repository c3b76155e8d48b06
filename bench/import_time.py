"""B9: import time of the Worker's entry on CPython (`python -X importtime`, the entry module's
cumulative time), against a bare FastAPI app with one route imported the same way. Each import
runs in a fresh interpreter with warm byte code, the entry's and the bare app's runs taking turns;
medians of several runs. Target: ratio <= 1.5.

The entry imports the edge's own modules (`js`, `pyodide.ffi`, the SDK's helpers); on CPython
they are stand-ins that cost nothing to import (no attribute is used at import time but to build
constants), so what is timed is our code, FastAPI, pydantic and the `workers` SDK.

Both imports see the third-party packages the Worker's bundle has, no others: the bundle is
python_modules/ (scripts/vendor_python_modules.sh, run first), and a third-party top-level
package installed here but not in it (the venv holds `cryptography`, `bcrypt`, ... for the local
runtime and the tests) is refused as ModuleNotFoundError, as the edge refuses it. Libraries that
try such an import and fall back (PyJWT tries `cryptography` for its RSA/EC algorithms) then do
what they do in the deployed Worker. The standard library, our own modules and the bundle's
packages (imported from this venv, at the versions the bundle pins) are imported as usual.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from .common import Figure, print_table

ROOT = Path(__file__).resolve().parents[1]

EDGE_STUBS = '''
"""Stand-ins for the modules only the edge has (imported first, costs nothing); third-party
packages that are not in the Worker's bundle refused, as on the edge."""
import importlib.abc, importlib.machinery, sys, types

class _Meta(type):
    def __getattr__(cls, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Meta(name, (), {})
    def __call__(cls, *args, **kwargs):
        return cls
    def __iter__(cls):
        return iter(())

def _missing(name):
    if name.startswith("__"):
        raise AttributeError(name)
    return _Meta(name, (), {})

ROOTS = ("js", "pyodide", "_pyodide_entrypoint_helper", "_cloudflare_compat_flags")
BUNDLE = frozenset(BUNDLE_NAMES)  # the top-level names of the Worker's python_modules/
SITE = tuple(p for p in sys.path if p.endswith(("site-packages", "dist-packages")))
KNOWN = BUNDLE | frozenset(sys.stdlib_module_names) | frozenset(sys.builtin_module_names)

class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path, target=None):
        if fullname.split(".")[0] in ROOTS:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        if path is None and fullname not in KNOWN:
            spec = importlib.machinery.PathFinder.find_spec(fullname, SITE)
            if spec is not None:  # installed here, not in the Worker's bundle
                raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None
    def create_module(self, spec):
        module = types.ModuleType(spec.name)
        module.__path__ = []
        module.__getattr__ = _missing
        return module
    def exec_module(self, module):
        pass

sys.meta_path.insert(0, _Finder())
'''

BARE_APP = """
from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def root() -> dict[str, bool]:
    return {"ok": True}
"""


def bundle_names(python_modules: Path) -> list[str]:
    """The top-level importable names of the Worker's vendored bundle (packages, modules,
    extension modules; not the dist-info, type stubs or .pth files)."""
    names = set()
    for entry in python_modules.iterdir():
        if entry.name.endswith((".dist-info", ".pyi", ".pth")) or entry.name == "__pycache__":
            continue
        names.add(entry.name.split(".")[0] if entry.is_file() else entry.name)
    return sorted(names)


def edge_stubs(python_modules: Path) -> str:
    return EDGE_STUBS.replace("BUNDLE_NAMES", repr(bundle_names(python_modules)))


def import_ms(module: str, path: list[str]) -> float:
    code = f"import sys; sys.path[:0] = {path!r}; import edge_stubs; import {module}"
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True, text=True, check=True, cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    )  # fmt: skip
    pattern = re.compile(rf"^import time:\s+\d+ \|\s+(\d+) \| {re.escape(module)}$", re.M)
    match = pattern.search(result.stderr)
    if match is None:
        raise RuntimeError(f"no import time for {module}:\n{result.stderr[-2000:]}")
    return int(match.group(1)) / 1000


def main(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    subprocess.run(["bash", "scripts/vendor_python_modules.sh"], cwd=ROOT, check=True,
                   capture_output=True)  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "edge_stubs.py").write_text(edge_stubs(ROOT / "python_modules"))
        Path(tmp, "bare_app.py").write_text(BARE_APP)
        path = [tmp, str(ROOT / "workers" / "api"), str(ROOT / "workers")]
        import_ms("entry", path), import_ms("bare_app", path)  # byte code written, caches warm
        entry: list[float] = []
        bare: list[float] = []
        for _ in range(args.repeats):  # interleaved: a shared machine's load falls on both alike
            entry.append(import_ms("entry", path))
            bare.append(import_ms("bare_app", path))
    a, b = statistics.median(entry), statistics.median(bare)
    print(f"B9: entry {a:.0f} ms (min {min(entry):.0f}, max {max(entry):.0f}); bare FastAPI app "
          f"{b:.0f} ms (min {min(bare):.0f}, max {max(bare):.0f})")  # fmt: skip
    figures = [Figure("B9", "CPython import of the Worker entry (ms) vs a bare FastAPI app", a, b,
                      "ms", "<= 1.5", a / b <= 1.5)]  # fmt: skip
    print_table(figures)
    return figures


if __name__ == "__main__":
    main()

"""Dependency audit (part of `make test`): known vulnerabilities in the locked Python requirements
and in the npm packages that ship, failing on any that has a fixed version.

Python: `pip-audit -r requirements.lock --vulnerability-service pypi`, which asks PyPI's JSON API
for each pinned release (`/pypi/<name>/<version>/json`, its `vulnerabilities` field, PyPA's
advisory database). Where that per-release document is not served (some registry mirrors serve
only the project document), the project document `/pypi/<name>/json` is read instead: its
`vulnerabilities` are those of the latest release, exact for a pin that is the latest release;
any other pin is reported as not audited (a warning, listed by name).

npm: `npm audit --omit=dev --json` (the registry's bulk advisory endpoint, a POST) over
package-lock.json; only production dependencies ship (Swagger UI's assets), the rest is tooling.
Where the registry refuses that endpoint (a read-only mirror answers 405), each shipped package's
registry document is read instead (GET): a deprecation of the pinned version fails the audit,
a pin behind the latest release is listed, and the advisories are reported as not audited.

    .venv/bin/python scripts/audit_dependencies.py [--requirements requirements.lock]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPI = "https://pypi.org/pypi"
NPM_REGISTRY = "https://registry.npmjs.org"


@dataclass
class Report:
    fixable: list[str] = field(default_factory=list)
    unfixed: list[str] = field(default_factory=list)
    not_audited: list[str] = field(default_factory=list)
    audited: int = 0
    not_audited_why: str = "no per-release data from the registry, and the pin is not the latest"


def _pins(requirements: Path) -> dict[str, str]:
    pins = {}
    for line in requirements.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[_canonical(name)] = version.strip()
    return pins


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name.strip()).lower()


def _record(report: Report, name: str, version: str, vulns: list[dict]) -> None:
    report.audited += 1
    for vuln in vulns:
        fixes = vuln.get("fix_versions") or vuln.get("fixed_in") or []
        text = f"{name} {version}: {vuln.get('id')} (fixed in {', '.join(fixes) or 'no release'})"
        (report.fixable if fixes else report.unfixed).append(text)


def _pip_audit(requirements: Path) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "audit.json"
        result = subprocess.run(
            [sys.executable, "-m", "pip_audit", "-r", str(requirements), "--vulnerability-service",
             "pypi", "--no-deps", "--disable-pip", "--progress-spinner", "off", "-f", "json",
             "-o", str(out)],
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        if not out.exists():
            raise RuntimeError(f"pip-audit failed: {result.stdout}{result.stderr}")
        return list(json.loads(out.read_text())["dependencies"])


def _project_document(name: str) -> dict:
    with urllib.request.urlopen(f"{PYPI}/{name}/json", timeout=60) as response:
        return dict(json.load(response))


def audit_python(requirements: Path) -> Report:
    report = Report()
    pins = _pins(requirements)
    for dep in _pip_audit(requirements):
        name = dep["name"]
        version = dep.get("version") or pins.get(_canonical(name), "?")
        if "skip_reason" not in dep:
            _record(report, name, version, dep.get("vulns", []))
            continue
        try:
            document = _project_document(name)
        except (urllib.error.URLError, TimeoutError) as error:
            raise RuntimeError(f"PyPI is unreachable ({error}); the audit cannot run") from error
        if document["info"]["version"] == version:
            _record(report, name, version, document.get("vulnerabilities", []))
        else:
            report.not_audited.append(f"{name} {version} (latest {document['info']['version']})")
    return report


def audit_npm() -> Report:
    report = Report()
    result = subprocess.run(
        ["npm", "audit", "--omit=dev", "--json"], cwd=ROOT, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip
    try:
        answer = json.loads(result.stdout)
    except json.JSONDecodeError as error:
        raise RuntimeError(f"npm audit failed: {result.stdout}{result.stderr}") from error
    if "error" in answer:
        if answer.get("statusCode") in (404, 405, 501):  # the registry serves no advisories
            return _npm_registry_documents(answer.get("message", ""))
        raise RuntimeError(f"npm audit failed: {answer.get('message') or answer['error']}")
    for name, vuln in answer.get("vulnerabilities", {}).items():
        text = f"{name} ({vuln.get('severity')}): {vuln.get('range', '')}"
        (report.fixable if vuln.get("fixAvailable") else report.unfixed).append(text)
    report.audited = int(answer.get("metadata", {}).get("dependencies", {}).get("prod", 0))
    return report


def _npm_registry_documents(why: str) -> Report:
    report = Report(not_audited_why="the registry serves no npm advisories here")
    lock = json.loads((ROOT / "package-lock.json").read_text())
    shipped = {
        path.removeprefix("node_modules/"): meta["version"]
        for path, meta in lock["packages"].items()
        if path.startswith("node_modules/") and not meta.get("dev")
    }
    for name, version in sorted(shipped.items()):
        try:
            with urllib.request.urlopen(f"{NPM_REGISTRY}/{name}", timeout=60) as response:
                document = json.load(response)
        except (urllib.error.URLError, TimeoutError) as error:
            raise RuntimeError(f"the npm registry is unreachable ({error})") from error
        report.audited += 1
        deprecated = document.get("versions", {}).get(version, {}).get("deprecated")
        if deprecated:
            report.fixable.append(f"{name} {version} is deprecated: {deprecated}")
        latest = document.get("dist-tags", {}).get("latest")
        behind = f", latest {latest}" if latest and latest != version else ""
        report.not_audited.append(f"{name} {version}{behind}")
    print(f"audit npm: the registry refused the advisory endpoint ({why}); read the packages' "
          "registry documents instead")  # fmt: skip
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requirements", type=Path, default=ROOT / "requirements.lock")
    args = parser.parse_args(argv)
    failed = False
    for label, run in (("python", lambda: audit_python(args.requirements)), ("npm", audit_npm)):
        try:
            report = run()
        except RuntimeError as error:
            print(f"audit {label}: {error}", file=sys.stderr)
            failed = True
            continue
        print(f"audit {label}: {report.audited} packages audited, {len(report.fixable)} "
              f"vulnerabilities with a fix, {len(report.unfixed)} without one")  # fmt: skip
        for line in report.fixable:
            print(f"  FIX AVAILABLE  {line}")
        for line in report.unfixed:
            print(f"  no fix yet     {line}")
        if report.not_audited:
            print(f"  not audited ({report.not_audited_why}): {', '.join(report.not_audited)}")
        failed = failed or bool(report.fixable)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The dependency audit's verdicts (scripts/audit_dependencies.py): a known vulnerability with a
fixed release fails, one without a fix is reported, a pin the registry cannot speak for is listed
as not audited."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit_dependencies.py"
spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
audit = importlib.util.module_from_spec(spec)
sys.modules["audit_dependencies"] = audit
spec.loader.exec_module(audit)


def test_a_vulnerability_with_a_fix_fails_and_one_without_is_only_reported(monkeypatch, tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("fixme==1.0\nnofix==2.0\nclean==3.0\nold==0.1\n")
    monkeypatch.setattr(audit, "_pip_audit", lambda _: [
        {"name": "fixme", "version": "1.0", "vulns": [{"id": "PYSEC-1", "fix_versions": ["1.1"]}]},
        {"name": "clean", "version": "3.0", "vulns": []},
        {"name": "nofix", "skip_reason": "Dependency not found on PyPI"},
        {"name": "old", "skip_reason": "Dependency not found on PyPI"},
    ])  # fmt: skip
    documents = {
        "nofix": {
            "info": {"version": "2.0"},
            "vulnerabilities": [{"id": "GHSA-x", "fixed_in": []}],
        },
        "old": {"info": {"version": "0.2"}, "vulnerabilities": []},
    }
    monkeypatch.setattr(audit, "_project_document", documents.__getitem__)
    report = audit.audit_python(lock)
    assert report.fixable == ["fixme 1.0: PYSEC-1 (fixed in 1.1)"]
    assert report.unfixed == ["nofix 2.0: GHSA-x (fixed in no release)"]
    assert report.not_audited == ["old 0.1 (latest 0.2)"]
    assert report.audited == 3

    monkeypatch.setattr(audit, "audit_npm", lambda: audit.Report())
    assert audit.main(["--requirements", str(lock)]) == 1
    documents["fixme"] = documents["nofix"]
    monkeypatch.setattr(audit, "_pip_audit", lambda _: [{"name": "nofix", "skip_reason": "-"}])
    assert audit.main(["--requirements", str(lock)]) == 0

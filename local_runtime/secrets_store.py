"""Local secrets (JWT signing key, password pepper), generated once into the state directory.

On the edge these are Worker secrets (`wrangler secret put JWT_SECRET`, `PASSWORD_PEPPER`,
`EXCLUSION_LIST_KEY`, `MFA_ENCRYPTION_KEY`).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from pathlib import Path

NAMES = ("JWT_SECRET", "PASSWORD_PEPPER", "EXCLUSION_LIST_KEY", "MFA_ENCRYPTION_KEY")


def load_or_create(path: Path) -> dict[str, str]:
    if path.exists():
        values = dict(json.loads(path.read_text()))
        if all(name in values for name in NAMES):
            return values
        path.unlink()  # an older state: keep its values, add the new ones below
    else:
        values = {}
    values = {name: values.get(name) or secrets.token_urlsafe(48) for name in NAMES}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(values, handle)
        handle.flush()
        os.fsync(handle.fileno())
    with contextlib.suppress(FileExistsError):
        os.link(tmp, path)  # first writer wins if two processes race
    tmp.unlink(missing_ok=True)
    return dict(json.loads(path.read_text()))

"""R2 on the local machine: one file per object under the state directory."""

from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        # Keys are ours (ids), but hash them anyway so no key can escape the directory.
        return self.root / hashlib.sha256(key.encode()).hexdigest()

    async def put(self, key: str, content: bytes, content_type: str) -> None:
        path = self._path(key)
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        await asyncio.sleep(0)

    async def get(self, key: str) -> bytes | None:
        path = self._path(key)
        await asyncio.sleep(0)
        return path.read_bytes() if path.exists() else None

"""Where local state lives: the very files wrangler and miniflare use under `--persist-to`.

Miniflare names each D1/KV object's SQLite file after a keyed hash of its id (docs/architecture.md,
"The local runtime"), so `wrangler d1 execute --local` and `wrangler kv key get --local` read
what the local server wrote, and the other way round.
"""

from __future__ import annotations

import hashlib
import hmac
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def miniflare_object_hex(unique_key: str, name: str) -> str:
    key = hashlib.sha256(unique_key.encode()).digest()
    first = hmac.new(key, name.encode(), hashlib.sha256).digest()[:16]
    second = hmac.new(key, first, hashlib.sha256).digest()[:16]
    return (first + second).hex()


@dataclass(frozen=True)
class WranglerConfig:
    """The parts of wrangler.toml the local runtime needs."""

    d1_binding: str
    d1_name: str
    d1_id: str
    kv_binding: str
    kv_id: str
    worker_name: str
    vars: dict[str, str]
    crons: list[str]
    queue: dict[str, object] = field(default_factory=dict)  # the fraud queue's consumer settings

    @classmethod
    def load(cls, path: Path = PROJECT_ROOT / "wrangler.toml") -> WranglerConfig:
        data = tomllib.loads(path.read_text())
        d1 = data["d1_databases"][0]
        kv = data["kv_namespaces"][0]
        return cls(
            d1_binding=d1["binding"],
            d1_name=d1["database_name"],
            d1_id=d1.get("preview_database_id") or d1["database_id"],
            kv_binding=kv["binding"],
            kv_id=kv.get("preview_id") or kv["id"],
            worker_name=data["name"],
            vars={k: str(v) for k, v in data.get("vars", {}).items()},
            crons=list(data.get("triggers", {}).get("crons", [])),
            queue=dict((data.get("queues", {}).get("consumers") or [{}])[0]),
        )


@dataclass(frozen=True)
class StatePaths:
    root: Path
    config: WranglerConfig

    @property
    def d1_file(self) -> Path:
        name = miniflare_object_hex("miniflare-D1DatabaseObject", self.config.d1_id)
        return self.root / "v3" / "d1" / "miniflare-D1DatabaseObject" / f"{name}.sqlite"

    @property
    def kv_file(self) -> Path:
        name = miniflare_object_hex("miniflare-KVNamespaceObject", self.config.kv_id)
        return self.root / "v3" / "kv" / "miniflare-KVNamespaceObject" / f"{name}.sqlite"

    @property
    def kv_blobs(self) -> Path:
        return self.root / "v3" / "kv" / self.config.kv_id / "blobs"

    def durable_objects(self, class_name: str) -> Path:
        return self.root / "v3" / "do" / f"{self.config.worker_name}-{class_name}"

    @property
    def documents(self) -> Path:
        return self.root / "v3" / "r2" / "documents"

    @property
    def queues_file(self) -> Path:
        return self.root / "v3" / "queues" / "queues.sqlite"

    @property
    def secrets_file(self) -> Path:
        return self.root / "local-secrets.json"

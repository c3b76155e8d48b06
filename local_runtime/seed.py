"""Demo data for a fresh local state: KV seeded from `kv/` (jurisdiction profiles) and the games'
default configurations, each only where the key is not set yet."""

from __future__ import annotations

from api.game_config import seed_defaults
from api.services import Services

from .paths import PROJECT_ROOT

KV_SEED = PROJECT_ROOT / "kv"


async def seed_kv(services: Services) -> None:
    for path in sorted((KV_SEED / "jurisdictions").glob("*.json")):
        key = f"jurisdiction:{path.stem}"
        if await services.kv.get(key) is None:
            await services.kv.put(key, path.read_text(encoding="utf-8"))
    await seed_defaults(services)

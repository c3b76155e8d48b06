"""Operator alerts: problems an operator must see (invalid configuration written to KV, ...)."""

from __future__ import annotations

import hashlib

from casino.timefmt import rfc3339

from .services import Services
from .tables import operator_alerts


async def raise_alert(services: Services, kind: str, subject: str, detail: str, key: str) -> bool:
    """An operator alert, once per distinct problem (the fingerprint); whether it is new."""
    fingerprint = hashlib.sha256(f"{kind}|{subject}|{key}".encode()).hexdigest()
    changes = await operator_alerts.insert_once(
        services.db, services.new_id(), kind, subject, detail, fingerprint,
        rfc3339(services.clock.now()),
    )  # fmt: skip
    return changes > 0

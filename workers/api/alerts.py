"""Operator alerts: problems an operator must see (invalid configuration written to KV, ...)."""

from __future__ import annotations

import hashlib

from casino.timefmt import rfc3339

from .services import Services


async def raise_alert(services: Services, kind: str, subject: str, detail: str, key: str) -> bool:
    """An operator alert, once per distinct problem (the fingerprint); whether it is new."""
    fingerprint = hashlib.sha256(f"{kind}|{subject}|{key}".encode()).hexdigest()
    changes = await (
        services.db.prepare(
            "INSERT OR IGNORE INTO operator_alerts (alert_id, kind, subject, detail, fingerprint, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?)"
        )
        .bind(services.new_id(), kind, subject, detail, fingerprint, rfc3339(services.clock.now()))
        .run()
    )
    return changes > 0

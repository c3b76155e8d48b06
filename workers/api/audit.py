"""The audit log of staff (and system) actions: one statement shape for every writer."""

from __future__ import annotations

import json
from typing import Any

from casino.timefmt import rfc3339
from infra.ports import Statement

from .services import Services
from .tables import audit_log


def audit_entry(
    services: Services,
    actor_id: str,
    actor_role: str,
    action: str,
    subject: str,
    details: dict[str, Any],
    at: str | None = None,
) -> Statement:
    """An `audit_log` insert, to run alone or inside a D1 batch with the change it records."""
    return audit_log.insert(
        services.db, services.new_id(), actor_id, actor_role, action, subject, json.dumps(details),
        at or rfc3339(services.clock.now()),
    )  # fmt: skip

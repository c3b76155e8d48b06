"""Messages to people by their account's channel (e-mail): written to D1 first (kept as sent, at
least five years, IN 31/2025), delivered afterwards by the mail job through the `Mailer` port."""

from __future__ import annotations

import logging

from casino.timefmt import rfc3339
from infra.ports import Statement

from .services import Services
from .tables import outbound_messages

log = logging.getLogger("casino.messages")
DELIVERY_BATCH = 100


def email(
    services: Services, recipient: str, kind: str, subject: str, body: str, player_id: str | None
) -> Statement:
    """The insert of one e-mail, to run alone or inside a D1 batch with what caused it."""
    return outbound_messages.insert_email(
        services.db, services.new_id(), recipient, player_id, kind, subject, body,
        rfc3339(services.clock.now()),
    )  # fmt: skip


async def deliver(services: Services) -> int:
    """Send what is waiting (a bounded batch per run); without a mailer, messages wait."""
    if services.mailer is None:
        return 0
    rows = await outbound_messages.waiting(services.db, DELIVERY_BATCH)
    sent = 0
    for row in rows:
        try:
            await services.mailer.send(row["recipient"], row["subject"], row["body"])
        except Exception:  # a failed delivery is retried by the next run
            log.exception("delivery of message %s failed", row["message_id"])
            continue
        await outbound_messages.mark_sent(
            services.db, row["message_id"], rfc3339(services.clock.now())
        )
        sent += 1
    return sent

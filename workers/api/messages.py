"""Messages to people by their account's channel (e-mail): written to D1 first (kept as sent, at
least five years, IN 31/2025), delivered afterwards by the mail job through the `Mailer` port."""

from __future__ import annotations

import logging

from casino.timefmt import rfc3339
from infra.ports import Statement

from .services import Services

log = logging.getLogger("casino.messages")
DELIVERY_BATCH = 100


def email(
    services: Services, recipient: str, kind: str, subject: str, body: str, player_id: str | None
) -> Statement:
    """The insert of one e-mail, to run alone or inside a D1 batch with what caused it."""
    return services.db.prepare(
        "INSERT INTO outbound_messages (message_id, channel, recipient, player_id, kind, subject, "
        "body, created_at) VALUES (?, 'email', ?, ?, ?, ?, ?, ?)"
    ).bind(
        services.new_id(), recipient, player_id, kind, subject, body,
        rfc3339(services.clock.now()),
    )  # fmt: skip


async def deliver(services: Services) -> int:
    """Send what is waiting (a bounded batch per run); without a mailer, messages wait."""
    if services.mailer is None:
        return 0
    rows = (
        await services.db.prepare(
            "SELECT message_id, recipient, subject, body FROM outbound_messages "
            "WHERE sent_at IS NULL ORDER BY created_at LIMIT ?"
        )
        .bind(DELIVERY_BATCH)
        .all()
    )
    sent = 0
    for row in rows:
        try:
            await services.mailer.send(row["recipient"], row["subject"], row["body"])
        except Exception:  # a failed delivery is retried by the next run
            log.exception("delivery of message %s failed", row["message_id"])
            continue
        await (
            services.db.prepare("UPDATE outbound_messages SET sent_at = ? WHERE message_id = ?")
            .bind(rfc3339(services.clock.now()), row["message_id"])
            .run()
        )
        sent += 1
    return sent

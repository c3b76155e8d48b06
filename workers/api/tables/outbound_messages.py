"""Named queries against `outbound_messages` (the e-mail outbox: one row per message, sent by
the delivery job, `sent_at` set once delivered)."""

from __future__ import annotations

from infra.ports import Database, Row, Statement


def insert_email(
    db: Database,
    message_id: str,
    recipient: str,
    player_id: str | None,
    kind: str,
    subject: str,
    body: str,
    created_at: str,
) -> Statement:
    """One e-mail waiting in the outbox (to run alone or in a batch with what caused it)."""
    return db.prepare(
        "INSERT INTO outbound_messages (message_id, channel, recipient, player_id, kind, subject, "
        "body, created_at) VALUES (?, 'email', ?, ?, ?, ?, ?, ?)"
    ).bind(message_id, recipient, player_id, kind, subject, body, created_at)


async def cpf_attempt_since(db: Database, player_id: str, since: str) -> Row | None:
    """A `cpf_attempt` message to the player created after `since`, if any."""
    return await (
        db.prepare(
            "SELECT 1 FROM outbound_messages WHERE player_id = ? AND kind = 'cpf_attempt' "
            "AND created_at > ?"
        )
        .bind(player_id, since)
        .first()
    )


async def waiting(db: Database, limit: int) -> list[Row]:
    """The oldest `limit` messages not sent yet."""
    return await (
        db.prepare(
            "SELECT message_id, recipient, subject, body FROM outbound_messages "
            "WHERE sent_at IS NULL ORDER BY created_at LIMIT ?"
        )
        .bind(limit)
        .all()
    )


async def mark_sent(db: Database, message_id: str, at: str) -> int:
    return await (
        db.prepare("UPDATE outbound_messages SET sent_at = ? WHERE message_id = ?")
        .bind(at, message_id)
        .run()
    )

"""Named queries against `regulatory_reports` (each day's report per jurisdiction and format,
stored once: the table refuses rewrites)."""

from __future__ import annotations

from infra.ports import Database, Row, Statement


async def body(db: Database, jurisdiction: str, day: str, fmt: str) -> tuple[str, str] | None:
    """The stored bytes of a day's report in `fmt`, with their SHA-256."""
    row = await (
        db.prepare(
            "SELECT body, sha256 FROM regulatory_reports "
            "WHERE jurisdiction = ? AND day = ? AND format = ?"
        )
        .bind(jurisdiction, day, fmt)
        .first()
    )
    return (row["body"], row["sha256"]) if row else None


def add(db: Database, key: tuple[str, str, str], text: str, sha256: str, at: str) -> Statement:
    """A report (`key`: jurisdiction, day, format) stored unless it already is; `RETURNING
    format` tells which were (for a batch)."""
    return db.prepare(
        "INSERT OR IGNORE INTO regulatory_reports (jurisdiction, day, format, body, "
        "sha256, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING format"
    ).bind(*key, text, sha256, at)


async def latest_days(
    db: Database, jurisdiction: str | None, day: str | None, limit: int
) -> list[Row]:
    """`{jurisdiction, day, format, sha256}` of the `limit` newest (jurisdiction, day) pairs
    stored, of one jurisdiction and/or day when given."""
    return await (
        db.prepare(
            "SELECT jurisdiction, day, format, sha256 FROM regulatory_reports "
            "WHERE (?1 IS NULL OR jurisdiction = ?1) AND (?2 IS NULL OR day = ?2) AND "
            "(jurisdiction, day) IN (SELECT DISTINCT jurisdiction, day FROM regulatory_reports "
            " WHERE (?1 IS NULL OR jurisdiction = ?1) AND (?2 IS NULL OR day = ?2) "
            " ORDER BY day DESC, jurisdiction LIMIT ?3) "
            "ORDER BY day DESC, jurisdiction, format"
        )
        .bind(jurisdiction, day, limit)
        .all()
    )

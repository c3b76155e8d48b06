"""Named queries against `aml_fingerprints` (the first time each player was seen with each
hashed attribute of a wallet event: a device, a card, a payout account ...)."""

from __future__ import annotations

from infra.ports import Database, Statement


def remember(
    db: Database, attribute: str, value_hash: str, player_id: str, first_seen: int
) -> Statement:
    """The player seen with the attribute's value at `first_seen` (epoch seconds); an earlier
    sighting is kept (for a batch)."""
    return db.prepare(
        "INSERT OR IGNORE INTO aml_fingerprints (attribute, value_hash, player_id, "
        "first_seen) VALUES (?, ?, ?, ?)"
    ).bind(attribute, value_hash, player_id, first_seen)


def players_sharing(db: Database, attribute: str, value_hash: str, since: int) -> Statement:
    """How many players were first seen with the attribute's value after `since` (epoch
    seconds), as `n` (for a batch)."""
    return db.prepare(
        "SELECT count(DISTINCT player_id) AS n FROM aml_fingerprints WHERE "
        "attribute = ? AND value_hash = ? AND first_seen > ?"
    ).bind(attribute, value_hash, since)

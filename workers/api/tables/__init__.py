"""Named D1 queries, a module per table (`tables.players.by_id(db, player_id)`): the SQL against
a table sits in one place, and the application reads as what it asks for. A function that
returns a `Statement` unrun is for a `db.batch` (one atomic group)."""

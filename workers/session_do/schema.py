"""The SessionDO's own SQLite schema: the session, its seeds (secret until revealed), its rounds.

Numbered steps (`infra.storage_schema.migrate`); a shipped step is never edited.
"""

STEPS = (
    (
        "CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)",
        """CREATE TABLE IF NOT EXISTS seeds (
            seed_id INTEGER PRIMARY KEY AUTOINCREMENT,
            server_seed TEXT NOT NULL,
            server_seed_hash TEXT NOT NULL UNIQUE,
            client_seed TEXT NOT NULL,
            next_nonce INTEGER NOT NULL DEFAULT 0 CHECK (next_nonce >= 0),
            committed INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            revealed_at TEXT
        )""",
        """CREATE TABLE IF NOT EXISTS rounds (
            round_id TEXT PRIMARY KEY,
            seed_id INTEGER NOT NULL REFERENCES seeds (seed_id),
            nonce INTEGER NOT NULL,
            idempotency_key TEXT NOT NULL UNIQUE,
            request_hash TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('pending', 'settled', 'void')),
            record TEXT NOT NULL,
            answer TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (seed_id, nonce)
        )""",
    ),
    (
        # A reveal is kept here first and published to D1 afterwards (by the alarm if D1
        # fails), so a D1 failure never loses it.
        "ALTER TABLE seeds ADD COLUMN reveal_published INTEGER NOT NULL DEFAULT 0",
        # The rules a round is settled under travel with it, so the alarm can settle it later.
        "ALTER TABLE rounds ADD COLUMN rules TEXT NOT NULL DEFAULT '{}'",
        "CREATE INDEX IF NOT EXISTS rounds_pending ON rounds (status) WHERE status = 'pending'",
    ),
)

"""The WalletDO's own SQLite schema: the player's ledger, idempotency records and outbox.

Constraints are the last line of defence: one event per `seq`, no negative balance, one record
per idempotency key.
"""

STATEMENTS = (
    """CREATE TABLE IF NOT EXISTS events (
        seq INTEGER PRIMARY KEY CHECK (seq >= 1),
        type TEXT NOT NULL CHECK (type IN
            ('DEPOSIT','WITHDRAWAL','BET','WIN','BONUS_CREDIT','BONUS_DEBIT')),
        amount INTEGER NOT NULL CHECK (amount > 0),
        balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
        created_at TEXT NOT NULL,
        ref TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS idempotency (
        key TEXT PRIMARY KEY,
        request_hash TEXT NOT NULL,
        status INTEGER NOT NULL,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        topic TEXT NOT NULL,
        payload TEXT NOT NULL
    )""",
    "CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)",
)

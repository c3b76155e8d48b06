"""The WalletDO's own SQLite schema: the player's ledger, idempotency records and outbox.

Constraints are the last line of defence: one event per `seq`, no negative balance, one record
per idempotency key. The schema moves by numbered steps (`infra.storage_schema.migrate`, at the
end of this module); a shipped step is never edited.
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
    """CREATE TABLE IF NOT EXISTS rounds (
        round_id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL,
        game_id TEXT NOT NULL,
        nonce INTEGER NOT NULL,
        server_seed_hash TEXT NOT NULL,
        stake INTEGER NOT NULL CHECK (stake > 0),
        payout INTEGER NOT NULL CHECK (payout >= 0),
        bet_seq INTEGER NOT NULL REFERENCES events (seq),
        created_at TEXT NOT NULL,
        record TEXT NOT NULL,
        UNIQUE (server_seed_hash, nonce)
    )""",
)

RG_STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS events_created ON events (created_at)",
    # behaviour_watch reads the last 10 stakes by bet_seq: indexed, so flat with history.
    "CREATE INDEX IF NOT EXISTS rounds_bet_seq ON rounds (bet_seq)",
    """CREATE TABLE IF NOT EXISTS limits (
        kind TEXT PRIMARY KEY,
        value INTEGER,
        pending INTEGER NOT NULL DEFAULT 0,
        pending_value INTEGER,
        effective_at TEXT
    )""",
    # Money flows per hour, kept in the same transaction as the events, so a rolling-window sum
    # costs at most 720 buckets plus one hour of events, however long the ledger.
    """CREATE TABLE IF NOT EXISTS flows_hourly (
        hour TEXT PRIMARY KEY,
        deposits INTEGER NOT NULL DEFAULT 0,
        bets INTEGER NOT NULL DEFAULT 0,
        wins INTEGER NOT NULL DEFAULT 0
    )""",
)

BEHAVIOUR_STATEMENTS = (
    """CREATE TABLE IF NOT EXISTS rg_alerts (
        alert_id INTEGER PRIMARY KEY AUTOINCREMENT,
        rule TEXT NOT NULL,
        level INTEGER NOT NULL,
        intervention TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
)

# Time limits count stretches of play (a pause longer than the idle timeout ends one), so a
# pause never resets them; the daily time limit is the old `session_minutes`.
PLAY_TIME_STATEMENTS = (
    "UPDATE limits SET kind = 'time_daily' WHERE kind = 'session_minutes'",
    """CREATE TABLE IF NOT EXISTS play_spans (
        span_id INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at TEXT NOT NULL,
        last_at TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS play_spans_last ON play_spans (last_at)",
)

# Payments in and out, with the account each came from or goes to (own-CPF accounts only) and,
# for a withdrawal, when it was asked for, by when it is due and when it was paid.
PAYMENT_STATEMENTS = (
    """CREATE TABLE IF NOT EXISTS payments (
        ref TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('deposit', 'withdrawal')),
        method TEXT NOT NULL,
        amount INTEGER NOT NULL CHECK (amount > 0),
        account TEXT,
        own_account INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('received', 'requested', 'paid')),
        created_at TEXT NOT NULL,
        due_by TEXT,
        paid_at TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS payments_open ON payments (status) WHERE status = 'requested'",
    # Each follower of the outbox reads from its own position (projection.py).
    "CREATE TABLE IF NOT EXISTS outbox_positions (consumer TEXT PRIMARY KEY, last_id INTEGER "
    "NOT NULL)",
)

# Bets placed by external game providers (seamless wallet): a win, refund or rollback must name
# one of them, and never returns more than it staked.
PROVIDER_STATEMENTS = (
    """CREATE TABLE IF NOT EXISTS provider_bets (
        ref TEXT PRIMARY KEY,
        provider_id TEXT NOT NULL,
        transaction_id TEXT NOT NULL,
        round_id TEXT NOT NULL,
        game_id TEXT NOT NULL,
        stake INTEGER NOT NULL CHECK (stake > 0),
        won INTEGER NOT NULL DEFAULT 0,
        refunded INTEGER NOT NULL DEFAULT 0 CHECK (refunded <= stake),
        rolled_back INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    )""",
)

# Rolling-window sums from running totals (responsible.py): a row per command that moved money
# in or out of play, with the totals up to it in (created_at, seq) order, so a window's sum is
# two index lookups however long the ledger. Ledgers that exist get a row per such event of
# their history. `flows_hourly` is no longer written.
FLOW_TOTAL_STATEMENTS = (
    """CREATE TABLE IF NOT EXISTS flow_totals (
        created_at TEXT NOT NULL,
        seq INTEGER NOT NULL,
        deposits INTEGER NOT NULL,
        bets INTEGER NOT NULL,
        wins INTEGER NOT NULL,
        PRIMARY KEY (created_at, seq)
    )""",
    """INSERT INTO flow_totals (created_at, seq, deposits, bets, wins)
    SELECT created_at, seq,
        sum(CASE WHEN type = 'DEPOSIT' THEN amount ELSE 0 END) OVER running,
        sum(CASE WHEN type = 'BET' THEN amount ELSE 0 END) OVER running,
        sum(CASE WHEN type = 'WIN' THEN amount ELSE 0 END) OVER running
    FROM events WHERE type IN ('DEPOSIT', 'BET', 'WIN')
    WINDOW running AS (ORDER BY created_at, seq ROWS UNBOUNDED PRECEDING)""",
)

# Time limits from running totals too: each stretch of play keeps the milliseconds played in
# all earlier ones (responsible.py), so a window's play is two stretches read, not every
# stretch of the last 30 days. Stretches that exist get theirs from their history (step 5:
# step 4 has shipped).
PLAY_TOTAL_STATEMENTS = (
    "ALTER TABLE play_spans ADD COLUMN before_ms INTEGER NOT NULL DEFAULT 0",
    """UPDATE play_spans SET before_ms = coalesce(w.before_ms, 0)
    FROM (SELECT span_id, sum(played_ms) OVER (ORDER BY span_id ROWS BETWEEN UNBOUNDED PRECEDING
            AND 1 PRECEDING) AS before_ms
          FROM (SELECT span_id, CAST(round((julianday(last_at) - julianday(started_at))
                * 86400000) AS INTEGER) AS played_ms FROM play_spans)) AS w
    WHERE w.span_id = play_spans.span_id""",
)

# The player's logins (logins.py): whether each has ended, so an authenticated request is
# answered by this object, not by D1. The KYC status the app last set is a meta value.
LOGIN_STATEMENTS = (
    """CREATE TABLE IF NOT EXISTS logins (
        family_id TEXT PRIMARY KEY,
        started_at TEXT,
        ended_at TEXT,
        ended_why TEXT
    )""",
)

# A login's `until`: when its last refresh token expires; past it, no token of the login is
# accepted anywhere, so its row is pruned (rows from before `until` was kept have none and stay).
LOGIN_UNTIL_STATEMENTS = ("ALTER TABLE logins ADD COLUMN until TEXT",)

STEPS = (
    STATEMENTS + RG_STATEMENTS + BEHAVIOUR_STATEMENTS,
    PLAY_TIME_STATEMENTS + PAYMENT_STATEMENTS,
    PROVIDER_STATEMENTS,
    FLOW_TOTAL_STATEMENTS,
    PLAY_TOTAL_STATEMENTS,
    LOGIN_STATEMENTS,
    LOGIN_UNTIL_STATEMENTS,
)

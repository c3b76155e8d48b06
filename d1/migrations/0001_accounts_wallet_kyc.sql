-- Accounts, staff, refresh-token families, login throttling, KYC, the projected wallet ledger,
-- and the audit log of staff actions. Applied by `wrangler d1 migrations apply` (local and remote).

CREATE TABLE players (
    player_id     TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    full_name     TEXT NOT NULL,
    birth_date    TEXT NOT NULL,
    country       TEXT NOT NULL,
    cpf           TEXT UNIQUE,
    jurisdiction  TEXT NOT NULL,
    kyc_status    TEXT NOT NULL DEFAULT 'none'
                  CHECK (kyc_status IN ('none', 'pending', 'verified', 'rejected')),
    vip_tier      TEXT NOT NULL DEFAULT 'bronze',
    created_at    TEXT NOT NULL
);

CREATE TABLE staff (
    staff_id      TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('operator', 'admin')),
    created_at    TEXT NOT NULL
);

-- A login is a family of refresh tokens. Logout, or presenting a used refresh token (reuse
-- detection), revokes the family: its refresh tokens and the access tokens issued under it.
CREATE TABLE login_families (
    family_id   TEXT PRIMARY KEY,
    subject     TEXT NOT NULL,
    role        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT,
    revoked_why TEXT
);

CREATE TABLE refresh_tokens (
    token_hash  TEXT PRIMARY KEY,
    family_id   TEXT NOT NULL REFERENCES login_families (family_id),
    status      TEXT NOT NULL CHECK (status IN ('active', 'used', 'revoked')),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE login_failures (
    bucket  TEXT NOT NULL,
    at_ms   INTEGER NOT NULL
);
CREATE INDEX login_failures_bucket ON login_failures (bucket, at_ms);

CREATE TABLE kyc_documents (
    document_id   TEXT PRIMARY KEY,
    player_id     TEXT NOT NULL REFERENCES players (player_id),
    doc_type      TEXT NOT NULL,
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    storage_key   TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX kyc_documents_player ON kyc_documents (player_id, created_at);

CREATE TABLE kyc_decisions (
    decision_id TEXT PRIMARY KEY,
    player_id   TEXT NOT NULL REFERENCES players (player_id),
    decision    TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),
    reason      TEXT NOT NULL,
    decided_by  TEXT NOT NULL,
    decided_at  TEXT NOT NULL
);

-- The projection of every player's ledger, fed in seq order by each WalletDO's outbox.
CREATE TABLE wallet_events (
    player_id     TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    type          TEXT NOT NULL,
    amount        INTEGER NOT NULL CHECK (amount > 0),
    balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
    created_at    TEXT NOT NULL,
    ref           TEXT NOT NULL,
    PRIMARY KEY (player_id, seq)
) WITHOUT ROWID;
CREATE INDEX wallet_events_created ON wallet_events (created_at);

-- Append-only record of what staff did: who, what, to whom, when, with which details.
CREATE TABLE audit_log (
    audit_id   TEXT PRIMARY KEY,
    actor_id   TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    action     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    details    TEXT NOT NULL,
    at         TEXT NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject, at);

-- Operator views for the D1 console (`wrangler d1 execute casino --command "SELECT ..."`).
CREATE VIEW v_player_balances AS
SELECT p.player_id, p.email, p.kyc_status, w.seq AS last_seq, w.balance_after AS balance,
       w.created_at AS last_event_at
FROM players p
LEFT JOIN wallet_events w ON w.player_id = p.player_id
 AND w.seq = (SELECT max(seq) FROM wallet_events x WHERE x.player_id = p.player_id);

CREATE VIEW v_kyc_queue AS
SELECT p.player_id, p.email, p.full_name, p.kyc_status, max(d.created_at) AS submitted_at,
       count(d.document_id) AS documents
FROM players p JOIN kyc_documents d ON d.player_id = p.player_id
WHERE p.kyc_status = 'pending'
GROUP BY p.player_id;

CREATE VIEW v_wallet_daily AS
SELECT substr(created_at, 1, 10) AS day, type, count(*) AS events, sum(amount) AS amount
FROM wallet_events GROUP BY day, type;

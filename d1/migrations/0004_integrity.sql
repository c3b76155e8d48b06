-- Integrity (second round): game configuration per jurisdiction (a market's RTP range is
-- checked where its players read it), and what the platform must know of a player to pay them
-- only into their own account.

-- The last good configuration per game and jurisdiction ('generic': markets without their own).
CREATE TABLE game_configs_by_jurisdiction (
    game_id      TEXT NOT NULL,
    jurisdiction TEXT NOT NULL,
    rtp_bps      INTEGER NOT NULL,
    min_stake    INTEGER NOT NULL,
    max_stake    INTEGER NOT NULL,
    updated_at   TEXT NOT NULL,
    updated_by   TEXT NOT NULL,
    PRIMARY KEY (game_id, jurisdiction)
);
INSERT INTO game_configs_by_jurisdiction
SELECT game_id, 'generic', rtp_bps, min_stake, max_stake, updated_at, updated_by FROM game_configs;
DROP VIEW v_game_stats;
DROP TABLE game_configs;
ALTER TABLE game_configs_by_jurisdiction RENAME TO game_configs;

ALTER TABLE game_config_changes ADD COLUMN jurisdiction TEXT NOT NULL DEFAULT 'generic';

CREATE VIEW v_game_stats AS
SELECT s.game_id, s.rounds, s.total_staked, s.total_paid,
       c.rtp_bps AS target_rtp_bps,
       CASE WHEN s.total_staked > 0 THEN s.total_paid * 10000 / s.total_staked END AS actual_rtp_bps,
       CASE WHEN s.total_staked > 0 THEN s.total_paid * 10000 / s.total_staked - c.rtp_bps END
           AS deviation_bps,
       CASE WHEN s.total_staked > 0 THEN CAST(s.sum_expected * 10000 / s.total_staked AS INTEGER)
       END AS expected_rtp_bps,
       CASE WHEN s.sum_variance > 0 THEN (s.total_paid - s.sum_expected) / sqrt(s.sum_variance)
       END AS z_score
FROM game_stats s LEFT JOIN game_configs c ON c.game_id = s.game_id AND c.jurisdiction = 'generic';

CREATE VIEW v_game_configs AS
SELECT game_id, jurisdiction, rtp_bps, min_stake, max_stake, updated_at, updated_by
FROM game_configs ORDER BY game_id, jurisdiction;

-- The national exclusion list as keyed hashes of CPFs, by version: an import stages a whole new
-- version in batches, the switch to it is one statement, the old version is deleted after.
-- (KV allows 1,000 operations per invocation: one key per CPF cannot hold a real list.)
CREATE TABLE national_list (
    version INTEGER NOT NULL,
    hash    TEXT NOT NULL,
    PRIMARY KEY (version, hash)
) WITHOUT ROWID;
CREATE TABLE national_list_current (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    version   INTEGER NOT NULL
);
ALTER TABLE exclusion_list_imports ADD COLUMN version INTEGER;
ALTER TABLE exclusion_list_imports ADD COLUMN rows INTEGER NOT NULL DEFAULT 0;
ALTER TABLE exclusion_list_imports ADD COLUMN invalid_rows INTEGER NOT NULL DEFAULT 0;
ALTER TABLE exclusion_list_imports ADD COLUMN status TEXT NOT NULL DEFAULT 'applied'
    CHECK (status IN ('staging', 'applied', 'dry_run', 'refused', 'superseded'));

-- The player's CPF under the list's keyed hash, so a new list finds its players by an index.
ALTER TABLE players ADD COLUMN cpf_list_hash TEXT;
CREATE INDEX players_cpf_list_hash ON players (cpf_list_hash);
CREATE INDEX players_recheck_due ON players (account_status, exclusion_checked_at);

-- Messages to people (a notice of closure, a refused sign-up), kept as sent (at least 5 years,
-- IN 31/2025) and delivered by the mail job.
CREATE TABLE outbound_messages (
    message_id TEXT PRIMARY KEY,
    channel    TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    player_id  TEXT,
    kind       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at    TEXT
);
CREATE INDEX outbound_messages_unsent ON outbound_messages (sent_at, created_at);

-- What Brazil asks to be kept of a player (P2579/2025 amending P1231 art. 31): address, phone,
-- the payout account (a PIX key or bank account in the player's own CPF) and the IP at sign-up.
ALTER TABLE players ADD COLUMN address TEXT;          -- JSON
ALTER TABLE players ADD COLUMN phone TEXT;
ALTER TABLE players ADD COLUMN payout_account TEXT;   -- JSON
ALTER TABLE players ADD COLUMN gender TEXT;
ALTER TABLE players ADD COLUMN signup_ip TEXT;

-- Payments as each WalletDO records them (projected from its outbox): where deposits came from,
-- and each withdrawal's request, deadline (prizes within 120 minutes, P615/2024) and payment.
CREATE TABLE payments (
    player_id   TEXT NOT NULL,
    ref         TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('deposit', 'withdrawal')),
    method      TEXT NOT NULL,
    amount      INTEGER NOT NULL CHECK (amount > 0),
    own_account INTEGER NOT NULL,
    status      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    due_by      TEXT,
    paid_at     TEXT,
    PRIMARY KEY (player_id, ref)
);
CREATE INDEX payments_open ON payments (status, due_by);

CREATE VIEW v_withdrawals_open AS
SELECT player_id, ref, method, amount, created_at AS requested_at, due_by,
       CASE WHEN due_by < strftime('%Y-%m-%dT%H:%M:%fZ', 'now') THEN 1 ELSE 0 END AS overdue
FROM payments WHERE kind = 'withdrawal' AND status = 'requested' ORDER BY due_by;

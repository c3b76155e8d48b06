-- Games: sessions, seed commitments and reveals (the provably-fair audit trail), settled rounds
-- (projected from each player's WalletDO), incremental game statistics, game configuration
-- history and operator alerts.

CREATE TABLE game_sessions (
    session_id  TEXT PRIMARY KEY,
    player_id   TEXT NOT NULL,
    game_id     TEXT NOT NULL,
    rtp_bps     INTEGER NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX game_sessions_player ON game_sessions (player_id, created_at);

-- Written before any round uses the seed (commitment), completed at rotation (reveal).
CREATE TABLE seed_commitments (
    server_seed_hash     TEXT PRIMARY KEY,
    session_id           TEXT NOT NULL,
    client_seed          TEXT NOT NULL,
    committed_at         TEXT NOT NULL,
    revealed_server_seed TEXT,
    revealed_at          TEXT,
    final_nonce          INTEGER
);
CREATE INDEX seed_commitments_session ON seed_commitments (session_id, committed_at);

CREATE TABLE rounds (
    round_id         TEXT PRIMARY KEY,
    session_id       TEXT NOT NULL,
    player_id        TEXT NOT NULL,
    game_id          TEXT NOT NULL,
    nonce            INTEGER NOT NULL,
    server_seed_hash TEXT NOT NULL,
    client_seed      TEXT NOT NULL,
    rtp_bps          INTEGER NOT NULL,
    stake            INTEGER NOT NULL CHECK (stake > 0),
    params           TEXT NOT NULL,
    outcome          TEXT NOT NULL,
    payout           INTEGER NOT NULL CHECK (payout >= 0),
    expected_payout  REAL NOT NULL,
    payout_variance  REAL NOT NULL,
    created_at       TEXT NOT NULL,
    UNIQUE (server_seed_hash, nonce)
);
CREATE INDEX rounds_created ON rounds (created_at);
CREATE INDEX rounds_player ON rounds (player_id, created_at);

-- Kept incrementally by the trigger below as rounds are projected (INSERT OR IGNORE makes a
-- replayed projection a no-op, so the statistics count every round exactly once).
CREATE TABLE game_stats (
    game_id       TEXT PRIMARY KEY,
    rounds        INTEGER NOT NULL DEFAULT 0,
    total_staked  INTEGER NOT NULL DEFAULT 0,
    total_paid    INTEGER NOT NULL DEFAULT 0,
    sum_expected  REAL NOT NULL DEFAULT 0,
    sum_variance  REAL NOT NULL DEFAULT 0,
    updated_at    TEXT
);

CREATE TABLE round_counts_hourly (
    hour    TEXT PRIMARY KEY,
    rounds  INTEGER NOT NULL
);

CREATE TRIGGER rounds_update_stats AFTER INSERT ON rounds
BEGIN
    INSERT INTO game_stats (game_id, rounds, total_staked, total_paid, sum_expected,
                            sum_variance, updated_at)
    VALUES (NEW.game_id, 1, NEW.stake, NEW.payout, NEW.expected_payout, NEW.payout_variance,
            NEW.created_at)
    ON CONFLICT (game_id) DO UPDATE SET
        rounds = rounds + 1,
        total_staked = total_staked + NEW.stake,
        total_paid = total_paid + NEW.payout,
        sum_expected = sum_expected + NEW.expected_payout,
        sum_variance = sum_variance + NEW.payout_variance,
        updated_at = NEW.created_at;
    INSERT INTO round_counts_hourly (hour, rounds) VALUES (substr(NEW.created_at, 1, 13), 1)
    ON CONFLICT (hour) DO UPDATE SET rounds = rounds + 1;
END;

-- The last good configuration of each game (KV is the operator's lever; this is its audited
-- record, and what is used when KV holds an invalid value).
CREATE TABLE game_configs (
    game_id    TEXT PRIMARY KEY,
    rtp_bps    INTEGER NOT NULL,
    min_stake  INTEGER NOT NULL,
    max_stake  INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE game_config_changes (
    change_id   TEXT PRIMARY KEY,
    game_id     TEXT NOT NULL,
    old_rtp_bps INTEGER,
    new_rtp_bps INTEGER NOT NULL,
    changed_by  TEXT NOT NULL,
    changed_at  TEXT NOT NULL,
    source      TEXT NOT NULL
);
CREATE INDEX game_config_changes_game ON game_config_changes (game_id, changed_at);

CREATE TABLE operator_alerts (
    alert_id    TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    detail      TEXT NOT NULL,
    fingerprint TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open'
);

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
FROM game_stats s LEFT JOIN game_configs c ON c.game_id = s.game_id;

CREATE VIEW v_rounds_24h AS
SELECT game_id, count(*) AS rounds, sum(stake) AS staked, sum(payout) AS paid
FROM rounds WHERE created_at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 day')
GROUP BY game_id;

-- External game providers (remote game servers) on a seamless wallet: the registry, launched
-- sessions, and every wallet callback's transaction (projected from the WalletDOs), which feed
-- the same game statistics as our own rounds.

CREATE TABLE providers (
    provider_id   TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('active', 'suspended')),
    currency      TEXT NOT NULL,
    games         TEXT NOT NULL,      -- JSON: {game: {name, rtp_bps, min_stake, max_stake}}
    launch_url    TEXT NOT NULL,
    secret_sealed TEXT NOT NULL,      -- the HMAC secret, sealed (AES-GCM under a Worker secret)
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    updated_by    TEXT NOT NULL
);

CREATE TABLE provider_sessions (
    session_id  TEXT PRIMARY KEY,
    player_id   TEXT NOT NULL,
    provider_id TEXT NOT NULL,
    game_id     TEXT NOT NULL,
    rtp_bps     INTEGER NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX provider_sessions_player ON provider_sessions (player_id, created_at);

CREATE TABLE provider_transactions (
    provider_id        TEXT NOT NULL,
    transaction_id     TEXT NOT NULL,
    player_id          TEXT NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('bet', 'win', 'refund', 'rollback')),
    game_id            TEXT NOT NULL,
    round_id           TEXT NOT NULL,
    bet_transaction_id TEXT,
    amount             INTEGER NOT NULL CHECK (amount >= 0),
    rtp_bps            INTEGER NOT NULL,
    created_at         TEXT NOT NULL,
    PRIMARY KEY (provider_id, transaction_id)
);
CREATE INDEX provider_transactions_player ON provider_transactions (player_id, created_at);

-- A bet is a round staked at the game's certified RTP; a refund or rollback takes its stake
-- back out of the figures; a win is paid. (The variance of a provider's game is not known, so
-- the z-score stays that of our own games' rounds.)
CREATE TRIGGER provider_transactions_update_stats AFTER INSERT ON provider_transactions
BEGIN
    INSERT INTO game_stats (game_id, rounds, total_staked, total_paid, sum_expected,
                            sum_variance, updated_at)
    VALUES (
        NEW.game_id,
        CASE WHEN NEW.kind = 'bet' THEN 1 ELSE 0 END,
        CASE NEW.kind WHEN 'bet' THEN NEW.amount WHEN 'win' THEN 0 ELSE -NEW.amount END,
        CASE WHEN NEW.kind = 'win' THEN NEW.amount ELSE 0 END,
        CASE NEW.kind WHEN 'bet' THEN NEW.amount * NEW.rtp_bps / 10000.0 WHEN 'win' THEN 0
             ELSE -NEW.amount * NEW.rtp_bps / 10000.0 END,
        0, NEW.created_at)
    ON CONFLICT (game_id) DO UPDATE SET
        rounds = rounds + excluded.rounds,
        total_staked = total_staked + excluded.total_staked,
        total_paid = total_paid + excluded.total_paid,
        sum_expected = sum_expected + excluded.sum_expected,
        updated_at = excluded.updated_at;
    INSERT INTO round_counts_hourly (hour, rounds)
    SELECT substr(NEW.created_at, 1, 13), 1 WHERE NEW.kind = 'bet'
    ON CONFLICT (hour) DO UPDATE SET rounds = rounds + 1;
END;

CREATE VIEW v_provider_activity AS
SELECT provider_id, substr(created_at, 1, 10) AS day, kind, count(*) AS transactions,
       sum(amount) AS amount
FROM provider_transactions GROUP BY provider_id, day, kind;

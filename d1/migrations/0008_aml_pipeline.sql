-- The fraud pipeline's own records (the queue consumer writes them; kept at least five years,
-- never deleted): what each alert did, its lifecycle, the COS drafts for COAF, and the payer and
-- device fingerprints the shared-account rule counts.

-- The consumer reads one player's recent money events by time.
CREATE INDEX IF NOT EXISTS wallet_events_player_created ON wallet_events (player_id, created_at);

ALTER TABLE aml_alerts ADD COLUMN action TEXT;  -- NULL, 'hold' or 'freeze'
-- A declared or found politically exposed person (Coaf Res. 40/2021): +30 to every alert's risk.
ALTER TABLE players ADD COLUMN pep INTEGER NOT NULL DEFAULT 0;

CREATE INDEX IF NOT EXISTS aml_alerts_rule ON aml_alerts (rule, created_at);
CREATE INDEX IF NOT EXISTS aml_alerts_status ON aml_alerts (status, created_at);

CREATE TABLE IF NOT EXISTS aml_alert_history (
    alert_id   TEXT NOT NULL,
    at         TEXT NOT NULL,
    status     TEXT NOT NULL,
    reason     TEXT,
    actor_id   TEXT,
    PRIMARY KEY (alert_id, at, status)
);

-- A suspicious-activity report (COS) drafted for a critical alert; compliance files it with
-- COAF (Siscoaf) within 24 hours and marks the alert `reported`.
CREATE TABLE IF NOT EXISTS aml_cos_reports (
    alert_id   TEXT PRIMARY KEY,
    player_id  TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'filed')),
    due_by     TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    filed_at   TEXT
);

-- Keyed hashes of the payer account or device seen with a player's deposits.
CREATE TABLE IF NOT EXISTS aml_fingerprints (
    attribute  TEXT NOT NULL,
    value_hash TEXT NOT NULL,
    player_id  TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    PRIMARY KEY (attribute, value_hash, player_id)
) WITHOUT ROWID;

CREATE VIEW IF NOT EXISTS v_cos_due AS
    SELECT c.alert_id, c.player_id, a.rule, a.risk, c.due_by, c.status
    FROM aml_cos_reports c JOIN aml_alerts a ON a.alert_id = c.alert_id
    WHERE c.status = 'draft' ORDER BY c.due_by;

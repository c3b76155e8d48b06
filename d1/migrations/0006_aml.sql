-- AML alerts raised by the rules engine and the events behind them. Records are kept at least
-- five years: never deleted.
CREATE TABLE IF NOT EXISTS aml_alerts (
    alert_id TEXT PRIMARY KEY,
    player_id TEXT NOT NULL,
    rule TEXT NOT NULL,
    score INTEGER NOT NULL,
    risk TEXT NOT NULL CHECK (risk IN ('low', 'medium', 'high', 'critical')),
    status TEXT NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'under_review', 'closed', 'reported')),
    reason TEXT NOT NULL,
    status_reason TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS aml_alerts_player ON aml_alerts (player_id, created_at);
CREATE INDEX IF NOT EXISTS aml_alerts_risk ON aml_alerts (risk, status, created_at);
CREATE TABLE IF NOT EXISTS aml_alert_events (
    alert_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    PRIMARY KEY (alert_id, event_id)
);
CREATE VIEW IF NOT EXISTS v_open_critical_alerts AS
    SELECT alert_id, player_id, rule, score, created_at FROM aml_alerts
    WHERE risk = 'critical' AND status IN ('open', 'under_review') ORDER BY created_at;

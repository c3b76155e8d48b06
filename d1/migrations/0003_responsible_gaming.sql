-- Responsible gaming and the national exclusion list. The WalletDO is the authority for a
-- player's exclusion and limits; these columns mirror them for operators and reports.

ALTER TABLE players ADD COLUMN excluded_until TEXT;
ALTER TABLE players ADD COLUMN exclusion_kind TEXT;
ALTER TABLE players ADD COLUMN account_status TEXT NOT NULL DEFAULT 'active'
    CHECK (account_status IN ('active', 'closed'));
ALTER TABLE players ADD COLUMN last_login_day TEXT;
ALTER TABLE players ADD COLUMN exclusion_checked_at TEXT;

-- Every notice given to a player about an exclusion or closure (kept at least 5 years).
CREATE TABLE player_notices (
    notice_id  TEXT PRIMARY KEY,
    player_id  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    channel    TEXT NOT NULL,
    text       TEXT NOT NULL,
    at         TEXT NOT NULL
);
CREATE INDEX player_notices_player ON player_notices (player_id, at);

-- Imports of the regulator's list: when, by whom, how many entries (never the CPFs).
CREATE TABLE exclusion_list_imports (
    import_id   TEXT PRIMARY KEY,
    entries     INTEGER NOT NULL,
    added       INTEGER NOT NULL,
    removed     INTEGER NOT NULL,
    imported_by TEXT NOT NULL,
    imported_at TEXT NOT NULL
);

-- Behavioural alerts (responsible gaming) and the interventions they led to.
CREATE TABLE rg_alerts (
    alert_id     TEXT PRIMARY KEY,
    player_id    TEXT NOT NULL,
    rule         TEXT NOT NULL,
    level        INTEGER NOT NULL,
    intervention TEXT NOT NULL,
    detail       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'open'
);
CREATE INDEX rg_alerts_player ON rg_alerts (player_id, created_at);

CREATE VIEW v_excluded_players AS
SELECT player_id, email, exclusion_kind, excluded_until, account_status
FROM players WHERE excluded_until IS NOT NULL OR account_status = 'closed';

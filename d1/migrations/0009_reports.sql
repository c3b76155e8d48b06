-- Regulatory reports, live figures kept incrementally, and the records the daily jobs need;
-- views for compliance on the D1 console.

-- The daily regulatory report of each jurisdiction, as stored by the daily job (03:00 UTC, for
-- the day before) in each format: a download of a stored day answers these bytes. RETENTION:
-- kept at least five years (Portaria SPA/MF 1.143/2024, records of AML; docs/domain.md "Records"):
-- nothing ever deletes or rewrites a stored report, and the triggers below refuse it, whatever
-- path the statement comes from (the API, a job, `wrangler d1 execute`). A purge after the
-- retention period is a deliberate migration, never an API.
CREATE TABLE regulatory_reports (
    jurisdiction TEXT NOT NULL,
    day          TEXT NOT NULL,                -- YYYY-MM-DD, a UTC calendar day
    format       TEXT NOT NULL CHECK (format IN ('json', 'csv')),
    body         TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (jurisdiction, day, format)
) WITHOUT ROWID;

CREATE TRIGGER regulatory_reports_are_never_deleted BEFORE DELETE ON regulatory_reports
BEGIN SELECT RAISE(ABORT, 'regulatory reports are kept at least five years: never deleted'); END;

CREATE TRIGGER regulatory_reports_are_never_rewritten BEFORE UPDATE ON regulatory_reports
BEGIN SELECT RAISE(ABORT, 'a stored regulatory report is never rewritten'); END;

-- Self-exclusions and breaks as they are taken (the players row keeps only the one in force,
-- not when it began), so a day's report can count them. Append-only; kept at least five years.
CREATE TABLE player_exclusions (
    player_id      TEXT NOT NULL,
    kind           TEXT NOT NULL,              -- self_exclusion | break
    excluded_until TEXT NOT NULL,              -- RFC 3339, or 'permanent'
    created_at     TEXT NOT NULL
);
CREATE INDEX player_exclusions_created ON player_exclusions (created_at);
CREATE INDEX player_exclusions_player ON player_exclusions (player_id, created_at);

-- Raised limits waiting for their cooling-off, as the API saw the WalletDO answer them; the
-- `limit_activations` job asks each player's WalletDO (the authority) to make the due ones
-- active, then stamps `activated_at`.
CREATE TABLE pending_limit_changes (
    player_id    TEXT NOT NULL,
    kind         TEXT NOT NULL,
    effective_at TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    activated_at TEXT,
    PRIMARY KEY (player_id, kind)
) WITHOUT ROWID;
CREATE INDEX pending_limit_changes_due ON pending_limit_changes (activated_at, effective_at);

-- A day's report reads every table by `created_at`: each one by an index.
CREATE INDEX payments_created ON payments (created_at);
CREATE INDEX payments_paid ON payments (paid_at);
CREATE INDEX provider_transactions_created ON provider_transactions (created_at);
CREATE INDEX players_jurisdiction_created ON players (jurisdiction, created_at);
CREATE INDEX player_notices_kind_at ON player_notices (kind, at);

-- The figures of GET /v1/stats/live, kept by AFTER INSERT triggers, so a public call reads five
-- rows instead of counting whole tables (their cost no longer grows with history). INSERT OR
-- IGNORE of a row already there inserts nothing and fires nothing; none of these tables is
-- ever deleted from.
CREATE TABLE live_counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO live_counters (name, value)
SELECT 'players', count(*) FROM players
UNION ALL SELECT 'wallet_events', count(*) FROM wallet_events
UNION ALL SELECT 'rg_alerts', count(*) FROM rg_alerts
UNION ALL SELECT 'operator_alerts', count(*) FROM operator_alerts
UNION ALL SELECT 'aml_alerts', count(*) FROM aml_alerts;

CREATE TRIGGER live_counters_players AFTER INSERT ON players
BEGIN UPDATE live_counters SET value = value + 1 WHERE name = 'players'; END;
CREATE TRIGGER live_counters_wallet_events AFTER INSERT ON wallet_events
BEGIN UPDATE live_counters SET value = value + 1 WHERE name = 'wallet_events'; END;
CREATE TRIGGER live_counters_rg_alerts AFTER INSERT ON rg_alerts
BEGIN UPDATE live_counters SET value = value + 1 WHERE name = 'rg_alerts'; END;
CREATE TRIGGER live_counters_operator_alerts AFTER INSERT ON operator_alerts
BEGIN UPDATE live_counters SET value = value + 1 WHERE name = 'operator_alerts'; END;
CREATE TRIGGER live_counters_aml_alerts AFTER INSERT ON aml_alerts
BEGIN UPDATE live_counters SET value = value + 1 WHERE name = 'aml_alerts'; END;

-- Compliance on the D1 console (README, "Compliance on D1").
-- Everything that happened to one player, in time order:
--   SELECT * FROM v_player_timeline WHERE player_id = '...' ORDER BY at;
-- (the filter reaches each part of the union, so each is read by its player index). D1 allows
-- at most five terms in one compound SELECT: the seven sources are two unions in one.
CREATE VIEW v_player_timeline AS
SELECT * FROM (
SELECT player_id, created_at AS at, 'wallet_event' AS kind,
       json_object('seq', seq, 'type', type, 'amount', amount, 'balance_after', balance_after,
                   'ref', ref) AS detail
FROM wallet_events
UNION ALL
SELECT player_id, created_at, 'round',
       json_object('round_id', round_id, 'game_id', game_id, 'stake', stake, 'payout', payout,
                   'rtp_bps', rtp_bps, 'nonce', nonce)
FROM rounds
UNION ALL
SELECT player_id, created_at, 'provider_transaction',
       json_object('provider_id', provider_id, 'transaction_id', transaction_id, 'kind', kind,
                   'game_id', game_id, 'amount', amount)
FROM provider_transactions
UNION ALL
SELECT player_id, created_at, 'payment',
       json_object('ref', ref, 'kind', kind, 'method', method, 'amount', amount,
                   'own_account', own_account, 'status', status, 'paid_at', paid_at)
FROM payments
)
UNION ALL
SELECT * FROM (
SELECT player_id, created_at, 'aml_alert',
       json_object('alert_id', alert_id, 'rule', rule, 'risk', risk, 'score', score,
                   'status', status, 'reason', reason)
FROM aml_alerts
UNION ALL
SELECT player_id, created_at, 'rg_alert',
       json_object('alert_id', alert_id, 'rule', rule, 'level', level,
                   'intervention', intervention, 'status', status)
FROM rg_alerts
UNION ALL
SELECT player_id, created_at, 'exclusion',
       json_object('kind', kind, 'excluded_until', excluded_until)
FROM player_exclusions
);

-- Money of the whole platform per UTC day, from the projected ledger (amounts in centavos):
--   SELECT * FROM v_daily_totals WHERE day >= '2026-12-01' ORDER BY day;
-- `paid` is every credit of play (wins, and a provider's refunds), so ggr = staked - paid is
-- the regulatory report's GGR summed over its jurisdictions.
CREATE VIEW v_daily_totals AS
SELECT substr(created_at, 1, 10) AS day,
       coalesce(sum(CASE WHEN type = 'DEPOSIT' THEN amount END), 0) AS deposits,
       coalesce(sum(CASE WHEN type = 'WITHDRAWAL' THEN amount END), 0) AS withdrawals,
       coalesce(sum(CASE WHEN type = 'BET' THEN amount END), 0) AS staked,
       coalesce(sum(CASE WHEN type = 'WIN' THEN amount END), 0) AS paid,
       coalesce(sum(CASE WHEN type = 'BET' THEN amount END), 0)
           - coalesce(sum(CASE WHEN type = 'WIN' THEN amount END), 0) AS ggr
FROM wallet_events
GROUP BY substr(created_at, 1, 10);

-- The stored reports, newest first (the bodies stay in the table).
CREATE VIEW v_regulatory_reports AS
SELECT jurisdiction, day, format, sha256, length(body) AS bytes, created_at
FROM regulatory_reports ORDER BY day DESC, jurisdiction, format;

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

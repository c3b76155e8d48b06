-- Staff security: four staff roles, staff e-mails kept apart from players', TOTP second factors
-- (secrets encrypted with a Worker secret), single-use recovery codes, and the login/registration
-- throttle that counts in one conditional statement.

-- The staff table again, with the four roles and an account status (SQLite cannot change a CHECK
-- in place). Nothing references it by foreign key.
CREATE TABLE staff_v2 (
    staff_id            TEXT PRIMARY KEY,
    email               TEXT NOT NULL UNIQUE,
    password_hash       TEXT NOT NULL,
    role                TEXT NOT NULL
                        CHECK (role IN ('kyc_reviewer', 'compliance', 'operator', 'admin')),
    status              TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_at          TEXT NOT NULL,
    created_by          TEXT,
    password_changed_at TEXT
);
INSERT INTO staff_v2 (staff_id, email, password_hash, role, created_at)
SELECT staff_id, email, password_hash, role, created_at FROM staff;
DROP TABLE staff;
ALTER TABLE staff_v2 RENAME TO staff;

-- One e-mail, one identity: a player can never take a staff member's address, nor the other way
-- round, whatever path writes the row (the API checks first; these are the last line).
CREATE TRIGGER players_email_is_not_staff_on_insert BEFORE INSERT ON players
WHEN EXISTS (SELECT 1 FROM staff WHERE email = NEW.email)
BEGIN SELECT RAISE(ABORT, 'UNIQUE constraint failed: players.email (a staff e-mail)'); END;

CREATE TRIGGER players_email_is_not_staff_on_update BEFORE UPDATE OF email ON players
WHEN EXISTS (SELECT 1 FROM staff WHERE email = NEW.email)
BEGIN SELECT RAISE(ABORT, 'UNIQUE constraint failed: players.email (a staff e-mail)'); END;

CREATE TRIGGER staff_email_is_not_a_player_on_insert BEFORE INSERT ON staff
WHEN EXISTS (SELECT 1 FROM players WHERE email = NEW.email)
BEGIN SELECT RAISE(ABORT, 'UNIQUE constraint failed: staff.email (a player e-mail)'); END;

CREATE TRIGGER staff_email_is_not_a_player_on_update BEFORE UPDATE OF email ON staff
WHEN EXISTS (SELECT 1 FROM players WHERE email = NEW.email)
BEGIN SELECT RAISE(ABORT, 'UNIQUE constraint failed: staff.email (a player e-mail)'); END;

-- A TOTP second factor (RFC 6238) of a staff member (always) or a player (opt-in). The secret is
-- AES-256-GCM encrypted with a key derived from the MFA_ENCRYPTION_KEY secret. `last_step` is the
-- 30-second step of the last code accepted: a code is never accepted twice.
CREATE TABLE mfa_totp (
    subject      TEXT PRIMARY KEY,
    secret_enc   TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'active')),
    last_step    INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    activated_at TEXT
);

-- Single-use recovery codes, stored as peppered hashes.
CREATE TABLE recovery_codes (
    subject    TEXT NOT NULL,
    code_hash  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    used_at    TEXT,
    PRIMARY KEY (subject, code_hash)
) WITHOUT ROWID;

-- Throttle buckets (per account, per address, registrations per address): `attempts` charged
-- before a password is evaluated, at `last_ms`; the wait before the next attempt is derived from
-- them (exponential back-off). One conditional UPSERT charges or refuses, atomically.
CREATE TABLE auth_throttle (
    bucket   TEXT PRIMARY KEY,
    attempts INTEGER NOT NULL,
    last_ms  INTEGER NOT NULL
) WITHOUT ROWID;

DROP TABLE login_failures;

CREATE VIEW v_staff AS
SELECT s.staff_id, s.email, s.role, s.status, s.created_at, s.created_by, s.password_changed_at,
       m.status AS mfa_status, m.activated_at AS mfa_activated_at
FROM staff s LEFT JOIN mfa_totp m ON m.subject = s.staff_id;

-- Ending every login of an account (password change, reset, role change) finds them by subject;
-- the audit log is read by actor too.
CREATE INDEX login_families_subject ON login_families (subject, revoked_at);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at);

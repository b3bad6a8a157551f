-- Accounts, sessions, enrolled devices and the audit log (README:
-- "Accounts, devices and access"). Secrets are kept only as hashes:
-- passwords as argon2id strings, session tokens, device tokens and
-- enrolment codes as lowercase hex SHA-256.
CREATE TABLE users (
    id            TEXT    NOT NULL PRIMARY KEY,          -- UUID
    username      TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,                      -- argon2id PHC string
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'regional', 'manager')),
    branch        TEXT,                                  -- a manager's branch code
    region        TEXT,                                  -- a regional manager's region
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at    TEXT    NOT NULL,                      -- UTC, 'YYYY-MM-DDTHH:MM:SS.sssZ'
    -- Sign-in back-off, kept here so that every replica sees it.
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  TEXT
) STRICT;

CREATE TABLE sessions (
    token_hash TEXT NOT NULL PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
) STRICT;

-- Ending every session of a user (password change, deactivation).
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE devices (
    id               TEXT NOT NULL PRIMARY KEY,          -- UUID
    kind             TEXT NOT NULL CHECK (kind IN ('kiosk', 'shopper')),
    label            TEXT NOT NULL,
    branch           TEXT,                               -- a kiosk's branch code
    shopper          TEXT,                               -- a shopper's phone's shopper
    code_hash        TEXT UNIQUE,                        -- the pending one-time code
    code_expires_at  TEXT,
    token_hash       TEXT UNIQUE,                        -- the enrolled device's token
    token_expires_at TEXT,
    enrolled_at      TEXT,
    last_seen_at     TEXT,
    revoked_at       TEXT,
    created_by       TEXT NOT NULL,                      -- user name of the admin
    created_at       TEXT NOT NULL
) STRICT;

CREATE TABLE audit_log (
    id     INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    at     TEXT    NOT NULL,
    actor  TEXT    NOT NULL,                             -- user:<name>, device:<id>, system
    action TEXT    NOT NULL,
    target TEXT    NOT NULL,
    detail TEXT    NOT NULL DEFAULT '{}'                 -- JSON, never a secret
) STRICT;

-- The shopper a visit is assigned to; NULL: any shopper.
ALTER TABLE visits ADD COLUMN shopper TEXT;
CREATE INDEX visits_shopper_due ON visits (shopper, due);

-- The enrolled device whose token submitted a response (NULL for responses
-- stored before enrolment existed, or copied).
ALTER TABLE responses ADD COLUMN enrolled_device TEXT;

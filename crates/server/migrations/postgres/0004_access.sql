-- Accounts, sessions, enrolled devices and the audit log (README:
-- "Accounts, devices and access"). Secrets are kept only as hashes:
-- passwords as argon2id strings, session tokens, device tokens and
-- enrolment codes as lowercase hex SHA-256.
CREATE TABLE users (
    id            UUID        NOT NULL PRIMARY KEY,
    username      TEXT        NOT NULL UNIQUE,
    password_hash TEXT        NOT NULL,                  -- argon2id PHC string
    role          TEXT        NOT NULL CHECK (role IN ('admin', 'regional', 'manager')),
    branch        TEXT,                                  -- a manager's branch code
    region        TEXT,                                  -- a regional manager's region
    active        BOOLEAN     NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMPTZ NOT NULL,
    -- Sign-in back-off, kept here so that every replica sees it.
    failed_logins INTEGER     NOT NULL DEFAULT 0,
    locked_until  TIMESTAMPTZ
);

CREATE TABLE sessions (
    token_hash TEXT        NOT NULL PRIMARY KEY,
    user_id    UUID        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf       TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

-- Ending every session of a user (password change, deactivation).
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE devices (
    id               UUID        NOT NULL PRIMARY KEY,
    kind             TEXT        NOT NULL CHECK (kind IN ('kiosk', 'shopper')),
    label            TEXT        NOT NULL,
    branch           TEXT,                               -- a kiosk's branch code
    shopper          TEXT,                               -- a shopper's phone's shopper
    code_hash        TEXT UNIQUE,                        -- the pending one-time code
    code_expires_at  TIMESTAMPTZ,
    token_hash       TEXT UNIQUE,                        -- the enrolled device's token
    token_expires_at TIMESTAMPTZ,
    enrolled_at      TIMESTAMPTZ,
    last_seen_at     TIMESTAMPTZ,
    revoked_at       TIMESTAMPTZ,
    created_by       TEXT        NOT NULL,               -- user name of the admin
    created_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE audit_log (
    id     BIGSERIAL   NOT NULL PRIMARY KEY,
    at     TIMESTAMPTZ NOT NULL,
    actor  TEXT        NOT NULL,                         -- user:<name>, device:<id>, system
    action TEXT        NOT NULL,
    target TEXT        NOT NULL,
    detail TEXT        NOT NULL DEFAULT '{}'             -- JSON, never a secret
);

-- The shopper a visit is assigned to; NULL: any shopper.
ALTER TABLE visits ADD COLUMN shopper TEXT;
CREATE INDEX visits_shopper_due ON visits (shopper, due);

-- The enrolled device whose token submitted a response (NULL for responses
-- stored before enrolment existed, or copied).
ALTER TABLE responses ADD COLUMN enrolled_device UUID;

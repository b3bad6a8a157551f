-- Issue 20, closing the loop: alert rules, the alerts they raise, who has
-- read them, where they are delivered, follow-up cases, and the contact
-- details a customer left (see branchpulse_core::{alerts, cases}). The same
-- meaning as PostgreSQL's 0010.

-- A kiosk response's overall-satisfaction answer (1–5), written at ingest:
-- the unhappy-burst rule counts the answers of a branch's last minutes
-- without reading every payload. NULL: not answered (or stored earlier).
ALTER TABLE responses ADD COLUMN satisfaction INTEGER;

-- An admin's rule. `definition` is the rule's JSON (branchpulse_core::
-- alerts::NewRule: name, rule with its thresholds, scope, recipients); the
-- few rules are read whole and judged in Rust.
CREATE TABLE alert_rules (
    id         TEXT        NOT NULL PRIMARY KEY,
    kind       TEXT        NOT NULL,           -- AlertKind, for lists
    definition TEXT        NOT NULL,
    active     INTEGER     NOT NULL DEFAULT 1,
    created_at TEXT        NOT NULL,
    updated_at TEXT        NOT NULL
) STRICT;

-- One alert per rule and dedup key (alerts::response_key, burst_key,
-- silent_key): the unique index is what makes two replicas, or a resent
-- batch, raise it once (INSERT … ON CONFLICT DO NOTHING in the transaction
-- storing the response).
CREATE TABLE alerts (
    id          TEXT        NOT NULL PRIMARY KEY,
    rule_id     TEXT        NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
    rule_name   TEXT        NOT NULL,
    dedup_key   TEXT        NOT NULL,
    kind        TEXT        NOT NULL,          -- AlertKind
    branch      TEXT        NOT NULL,
    raised_at   TEXT        NOT NULL,
    finding     TEXT        NOT NULL,          -- alerts::Finding as JSON
    response_id TEXT,
    device_id   TEXT,
    UNIQUE (rule_id, dedup_key)
) STRICT;
CREATE INDEX alerts_branch_raised ON alerts (branch, raised_at);
CREATE INDEX alerts_raised ON alerts (raised_at);

-- Who has opened which alert (the inbox's unread count).
CREATE TABLE alert_reads (
    alert_id TEXT        NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    user_id  TEXT        NOT NULL,
    read_at  TEXT        NOT NULL,
    PRIMARY KEY (alert_id, user_id)
) STRICT;

-- Where alerts are posted, signed with `secret` (HMAC-SHA256).
CREATE TABLE webhooks (
    id         TEXT        NOT NULL PRIMARY KEY,
    name       TEXT        NOT NULL,
    url        TEXT        NOT NULL,
    secret     TEXT        NOT NULL,
    active     INTEGER     NOT NULL DEFAULT 1,
    created_at TEXT        NOT NULL
) STRICT;

-- One delivery per alert and target (a webhook id or an e-mail address),
-- made in the alert's transaction and worked by the sender: tried at
-- `next_at`, claimed by one server at a time until `lease_until`.
CREATE TABLE deliveries (
    id          TEXT        NOT NULL PRIMARY KEY,
    alert_id    TEXT        NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    channel     TEXT        NOT NULL CHECK (channel IN ('webhook', 'email')),
    target      TEXT        NOT NULL,          -- webhook id, or address
    status      TEXT        NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts    INTEGER      NOT NULL DEFAULT 0,
    next_at     TEXT        NOT NULL,
    lease_until TEXT       ,
    UNIQUE (alert_id, channel, target)
) STRICT;
CREATE INDEX deliveries_due ON deliveries (status, next_at);

-- Every attempt, kept: the delivery log.
CREATE TABLE delivery_attempts (
    id          INTEGER     NOT NULL PRIMARY KEY AUTOINCREMENT,
    delivery_id TEXT        NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    attempt     INTEGER      NOT NULL,
    at          TEXT        NOT NULL,
    http_status INTEGER,                        -- NULL: no answer (or e-mail)
    error       TEXT,                          -- NULL: delivered
    millis      INTEGER      NOT NULL
) STRICT;
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, id);

-- A follow-up case; one per alert.
CREATE TABLE cases (
    id          TEXT        NOT NULL PRIMARY KEY,
    alert_id    TEXT        NOT NULL UNIQUE REFERENCES alerts (id),
    branch      TEXT        NOT NULL,
    owner       TEXT        NOT NULL,          -- users.id
    due         TEXT        NOT NULL,
    status      TEXT        NOT NULL
                CHECK (status IN ('open', 'in_progress', 'resolved', 'customer_informed')),
    created_at  TEXT        NOT NULL,
    updated_at  TEXT        NOT NULL,
    resolved_at TEXT       ,                   -- the first resolution (time to resolve)
    informed_at TEXT                           -- closed
) STRICT;
CREATE INDEX cases_branch_status ON cases (branch, status);
CREATE INDEX cases_owner ON cases (owner);

-- A case's notes and changes, kept (besides the audit log).
CREATE TABLE case_events (
    id      INTEGER     NOT NULL PRIMARY KEY AUTOINCREMENT,
    case_id TEXT        NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    at      TEXT        NOT NULL,
    by_user TEXT        NOT NULL,              -- user name
    what    TEXT        NOT NULL,              -- created, status, owner, due, note
    text    TEXT        NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX case_events_case ON case_events (case_id, id);

-- Contact details a customer left at the kiosk: apart from the answers
-- (no join from any export or figure reads this table), erased a set time
-- after the case closes, and with the response by the purge.
CREATE TABLE contacts (
    id          TEXT        NOT NULL PRIMARY KEY, -- the kiosk's TEXT
    response_id TEXT        NOT NULL UNIQUE,
    branch      TEXT        NOT NULL,
    way         TEXT        NOT NULL CHECK (way IN ('phone', 'email')),
    value       TEXT        NOT NULL,
    locale      TEXT        NOT NULL,
    received_at TEXT        NOT NULL
) STRICT;

-- Every customer who asks to be contacted reaches someone from the start:
-- the managers of the branch and its region.
INSERT INTO alert_rules (id, kind, definition, active, created_at, updated_at)
VALUES ('6b1f3c0e-2f5a-4d7e-9c1a-0c0a7e11c0de', 'contact_request',
        '{"name":"Customer asked to be contacted","rule":{"kind":"contact_request"},"scope":{"kind":"all"},"recipients":{"roles":["manager","regional"],"webhooks":[],"emails":[]},"active":true}',
        1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

-- Issue 21, the mystery-shop programme: a visit's window and life, review
-- before a report counts, and quarterly quotas (see
-- branchpulse_core::programme).
--
-- A visit's window: `due` stays its last day; `window_from` its first,
-- `weekdays` the ISO weekdays allowed ('1,2,3'; '' any), the hours it must
-- begin in (NULL: any). `status` is a VisitStatus in snake_case.
ALTER TABLE visits ADD COLUMN window_from TEXT NOT NULL DEFAULT '';
ALTER TABLE visits ADD COLUMN weekdays TEXT NOT NULL DEFAULT '';
ALTER TABLE visits ADD COLUMN hour_from INTEGER;
ALTER TABLE visits ADD COLUMN hour_to INTEGER;
ALTER TABLE visits ADD COLUMN status TEXT NOT NULL DEFAULT 'planned'
    CHECK (status IN ('planned', 'assigned', 'in_progress', 'submitted', 'approved',
                      'returned', 'rejected', 'cancelled'));
ALTER TABLE visits ADD COLUMN cancelled_reason TEXT;
ALTER TABLE visits ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';

-- Visits planned before windows existed: any day from the one they were
-- assigned to the day they were due. One with a stored report was done;
-- its report counted, so it is approved.
UPDATE visits SET
    window_from = min(substr(created_at, 1, 10), due),
    updated_at = created_at,
    status = CASE
        WHEN EXISTS (SELECT 1 FROM responses
                     WHERE channel = 'mystery_shop'
                       AND json_extract(payload, '$.assignment') = visits.id) THEN 'approved'
        WHEN shopper IS NOT NULL THEN 'assigned'
        ELSE 'planned'
    END;
CREATE INDEX visits_status_due ON visits (status, due);

-- A held response is a mystery-shop report awaiting review, or one
-- returned or rejected: it is in no figure, export or comment list, and
-- not rolled up (`Store::backfill` skips it). Approval clears it and
-- rolls the response up in the same transaction.
ALTER TABLE responses ADD COLUMN held INTEGER NOT NULL DEFAULT 0 CHECK (held IN (0, 1));

-- One row per mystery-shop report (response), and where it stands in review.
CREATE TABLE reports (
    response_id TEXT NOT NULL PRIMARY KEY,     -- the response's UUID
    visit       TEXT,                          -- the visit it reports; NULL: ad hoc
    shopper     TEXT,                          -- the shopper whose phone sent it
    status      TEXT NOT NULL CHECK (status IN ('submitted', 'approved', 'returned', 'rejected')),
    note        TEXT,                          -- the last decision's note
    revises     TEXT,                          -- the returned report it corrects
    revised_by  TEXT,                          -- the report correcting it
    decided_at  TEXT,
    decided_by  TEXT                           -- user name; NULL before review existed
) STRICT;
CREATE INDEX reports_visit ON reports (visit);
CREATE INDEX reports_status ON reports (status);

-- Every review decision, kept: a report's history.
CREATE TABLE report_reviews (
    id          INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    response_id TEXT    NOT NULL,
    at          TEXT    NOT NULL,
    reviewer    TEXT    NOT NULL,              -- user name
    decision    TEXT    NOT NULL CHECK (decision IN ('approve', 'return', 'reject')),
    note        TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX report_reviews_response ON report_reviews (response_id, id);

-- Mystery-shop reports stored before review existed counted: approved.
INSERT INTO reports (response_id, visit, shopper, status, decided_at)
SELECT r.id,
       json_extract(r.payload, '$.assignment'),
       (SELECT d.shopper FROM devices d WHERE d.id = r.enrolled_device),
       'approved',
       r.received_at
FROM responses r WHERE r.channel = 'mystery_shop';

-- Approved visits wanted per branch and quarter ('2026-Q1').
CREATE TABLE visit_quotas (
    branch  TEXT    NOT NULL,
    quarter TEXT    NOT NULL,
    target  INTEGER NOT NULL CHECK (target BETWEEN 0 AND 1000),
    PRIMARY KEY (branch, quarter)
) STRICT;

-- The reviewer role. SQLite cannot change a CHECK: the table is rebuilt.
-- Dropping it would empty `sessions` (ON DELETE CASCADE), so they are
-- kept aside and put back: nobody is signed out by the upgrade.
CREATE TABLE users_new (
    id            TEXT    NOT NULL PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'regional', 'manager', 'reviewer')),
    branch        TEXT,
    region        TEXT,
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at    TEXT    NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  TEXT
) STRICT;
INSERT INTO users_new (id, username, password_hash, role, branch, region, active, created_at,
                       failed_logins, locked_until)
SELECT id, username, password_hash, role, branch, region, active, created_at,
       failed_logins, locked_until FROM users;
CREATE TABLE sessions_kept AS SELECT * FROM sessions;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
INSERT INTO sessions SELECT * FROM sessions_kept;
DROP TABLE sessions_kept;

-- Issue 21, the mystery-shop programme: a visit's window and life, review
-- before a report counts, and quarterly quotas (see
-- branchpulse_core::programme). The same meaning as SQLite's 0008.
--
-- A visit's window: `due` stays its last day; `window_from` its first,
-- `weekdays` the ISO weekdays allowed ('1,2,3'; '' any), the hours it must
-- begin in (NULL: any). `status` is a VisitStatus in snake_case.
ALTER TABLE visits ADD COLUMN window_from DATE;
ALTER TABLE visits ADD COLUMN weekdays TEXT NOT NULL DEFAULT '';
ALTER TABLE visits ADD COLUMN hour_from BIGINT;
ALTER TABLE visits ADD COLUMN hour_to BIGINT;
ALTER TABLE visits ADD COLUMN status TEXT NOT NULL DEFAULT 'planned'
    CHECK (status IN ('planned', 'assigned', 'in_progress', 'submitted', 'approved',
                      'returned', 'rejected', 'cancelled'));
ALTER TABLE visits ADD COLUMN cancelled_reason TEXT;
ALTER TABLE visits ADD COLUMN updated_at TIMESTAMPTZ;

-- Visits planned before windows existed: any day from the one they were
-- assigned to the day they were due. One with a stored report was done;
-- its report counted, so it is approved.
UPDATE visits SET
    window_from = LEAST((created_at AT TIME ZONE 'UTC')::date, due),
    updated_at = created_at,
    status = CASE
        WHEN EXISTS (SELECT 1 FROM responses
                     WHERE channel = 'mystery_shop'
                       AND (payload::jsonb ->> 'assignment') = visits.id::text) THEN 'approved'
        WHEN shopper IS NOT NULL THEN 'assigned'
        ELSE 'planned'
    END;
ALTER TABLE visits ALTER COLUMN window_from SET NOT NULL;
ALTER TABLE visits ALTER COLUMN updated_at SET NOT NULL;
CREATE INDEX visits_status_due ON visits (status, due);

-- A held response is a mystery-shop report awaiting review, or one
-- returned or rejected: it is in no figure, export or comment list, and
-- not rolled up (`Store::backfill` skips it). Approval clears it and
-- rolls the response up in the same transaction.
ALTER TABLE responses ADD COLUMN held BOOLEAN NOT NULL DEFAULT FALSE;

-- One row per mystery-shop report (response), and where it stands in review.
CREATE TABLE reports (
    response_id UUID        NOT NULL PRIMARY KEY,
    visit       UUID,                          -- the visit it reports; NULL: ad hoc
    shopper     TEXT,                          -- the shopper whose phone sent it
    status      TEXT        NOT NULL CHECK (status IN ('submitted', 'approved', 'returned', 'rejected')),
    note        TEXT,                          -- the last decision's note
    revises     UUID,                          -- the returned report it corrects
    revised_by  UUID,                          -- the report correcting it
    decided_at  TIMESTAMPTZ,
    decided_by  TEXT                           -- user name; NULL before review existed
);
CREATE INDEX reports_visit ON reports (visit);
CREATE INDEX reports_status ON reports (status);

-- Every review decision, kept: a report's history.
CREATE TABLE report_reviews (
    id          BIGSERIAL   NOT NULL PRIMARY KEY,
    response_id UUID        NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    reviewer    TEXT        NOT NULL,          -- user name
    decision    TEXT        NOT NULL CHECK (decision IN ('approve', 'return', 'reject')),
    note        TEXT        NOT NULL DEFAULT ''
);
CREATE INDEX report_reviews_response ON report_reviews (response_id, id);

-- Mystery-shop reports stored before review existed counted: approved.
INSERT INTO reports (response_id, visit, shopper, status, decided_at)
SELECT r.id,
       (r.payload::jsonb ->> 'assignment')::uuid,
       (SELECT d.shopper FROM devices d WHERE d.id = r.enrolled_device),
       'approved',
       r.received_at
FROM responses r WHERE r.channel = 'mystery_shop';

-- Approved visits wanted per branch and quarter ('2026-Q1').
CREATE TABLE visit_quotas (
    branch  TEXT    NOT NULL,
    quarter TEXT    NOT NULL,
    target  BIGINT  NOT NULL CHECK (target BETWEEN 0 AND 1000),
    PRIMARY KEY (branch, quarter)
);

-- The reviewer role.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('admin', 'regional', 'manager', 'reviewer'));

-- Dashboard rollups: additive sums per (day, branch, questionnaire, channel)
-- (keyed week first, so that grouping by week and branch reads in key order),
-- grown in the same transaction as each newly stored response, so a resend
-- (duplicate or conflict) never counts twice. `day` is the response's
-- submission date in the device's own offset; `week` the Monday of its ISO
-- week (both 'YYYY-MM-DD'). Sums of scores are 0–100 values (see
-- branchpulse_core::aggregate::Rollup).
CREATE TABLE rollups (
    day                      TEXT    NOT NULL,
    week                     TEXT    NOT NULL,
    branch                   TEXT    NOT NULL,
    questionnaire_id         TEXT    NOT NULL,
    channel                  TEXT    NOT NULL,
    n                        INTEGER NOT NULL,
    overall_n                INTEGER NOT NULL,
    overall_sum              REAL    NOT NULL,
    overall_sum_sq           REAL    NOT NULL,
    empathy_n                INTEGER NOT NULL,
    empathy_sum              REAL    NOT NULL,
    empathy_sum_sq           REAL    NOT NULL,
    process_convenience_n      INTEGER NOT NULL,
    process_convenience_sum    REAL    NOT NULL,
    process_convenience_sum_sq REAL    NOT NULL,
    value_n                  INTEGER NOT NULL,
    value_sum                REAL    NOT NULL,
    value_sum_sq             REAL    NOT NULL,
    trust_n                  INTEGER NOT NULL,
    trust_sum                REAL    NOT NULL,
    trust_sum_sq             REAL    NOT NULL,
    environment_n            INTEGER NOT NULL,
    environment_sum          REAL    NOT NULL,
    environment_sum_sq       REAL    NOT NULL,
    csat_n                   INTEGER NOT NULL,
    csat_top                 INTEGER NOT NULL,
    nps_promoters            INTEGER NOT NULL,
    nps_passives             INTEGER NOT NULL,
    nps_detractors           INTEGER NOT NULL,
    visits                   INTEGER NOT NULL,
    passes                   INTEGER NOT NULL,
    visit_n                  INTEGER NOT NULL,
    visit_sum                REAL    NOT NULL,
    visit_sum_sq             REAL    NOT NULL,
    PRIMARY KEY (week, branch, day, questionnaire_id, channel)
) STRICT, WITHOUT ROWID;

-- The same sums per ISO week: a dashboard reads whole weeks from here and
-- only the days of partly covered weeks from `rollups`, so a request reads
-- about one row per branch and week whatever the number of responses.
CREATE TABLE rollups_weekly (
    week                     TEXT    NOT NULL,
    branch                   TEXT    NOT NULL,
    questionnaire_id         TEXT    NOT NULL,
    channel                  TEXT    NOT NULL,
    n                        INTEGER NOT NULL,
    overall_n                INTEGER NOT NULL,
    overall_sum              REAL    NOT NULL,
    overall_sum_sq           REAL    NOT NULL,
    empathy_n                INTEGER NOT NULL,
    empathy_sum              REAL    NOT NULL,
    empathy_sum_sq           REAL    NOT NULL,
    process_convenience_n      INTEGER NOT NULL,
    process_convenience_sum    REAL    NOT NULL,
    process_convenience_sum_sq REAL    NOT NULL,
    value_n                  INTEGER NOT NULL,
    value_sum                REAL    NOT NULL,
    value_sum_sq             REAL    NOT NULL,
    trust_n                  INTEGER NOT NULL,
    trust_sum                REAL    NOT NULL,
    trust_sum_sq             REAL    NOT NULL,
    environment_n            INTEGER NOT NULL,
    environment_sum          REAL    NOT NULL,
    environment_sum_sq       REAL    NOT NULL,
    csat_n                   INTEGER NOT NULL,
    csat_top                 INTEGER NOT NULL,
    nps_promoters            INTEGER NOT NULL,
    nps_passives             INTEGER NOT NULL,
    nps_detractors           INTEGER NOT NULL,
    visits                   INTEGER NOT NULL,
    passes                   INTEGER NOT NULL,
    visit_n                  INTEGER NOT NULL,
    visit_sum                REAL    NOT NULL,
    visit_sum_sq             REAL    NOT NULL,
    PRIMARY KEY (week, branch, questionnaire_id, channel)
) STRICT, WITHOUT ROWID;

-- Mystery-shop critical failures per item.
CREATE TABLE rollup_critical (
    day              TEXT    NOT NULL,
    week             TEXT    NOT NULL,
    branch           TEXT    NOT NULL,
    questionnaire_id TEXT    NOT NULL,
    channel          TEXT    NOT NULL,
    item             TEXT    NOT NULL,
    count            INTEGER NOT NULL,
    PRIMARY KEY (day, branch, questionnaire_id, channel, item)
) STRICT;

-- Mystery-shop waiting times: how many visits waited exactly `seconds`
-- (exact medians and p90s from sums).
CREATE TABLE rollup_waits (
    day              TEXT    NOT NULL,
    week             TEXT    NOT NULL,
    branch           TEXT    NOT NULL,
    questionnaire_id TEXT    NOT NULL,
    channel          TEXT    NOT NULL,
    seconds          INTEGER NOT NULL,
    count            INTEGER NOT NULL,
    PRIMARY KEY (day, branch, questionnaire_id, channel, seconds)
) STRICT;

-- Free-text answers and comments, for the dashboard's comment list.
-- `folded` is the text lowercased by the server, searched with LIKE.
CREATE TABLE comments (
    response_id      TEXT    NOT NULL,
    item             TEXT    NOT NULL,
    branch           TEXT    NOT NULL,
    questionnaire_id TEXT    NOT NULL,
    channel          TEXT    NOT NULL,
    day              TEXT    NOT NULL,
    submitted_at     TEXT    NOT NULL,  -- as in responses: UTC text
    text             TEXT    NOT NULL,
    folded           TEXT    NOT NULL,
    PRIMARY KEY (response_id, item)
) STRICT;
CREATE INDEX comments_branch_submitted ON comments (branch, submitted_at);

-- Responses stored before rollups existed (or copied by the migration tool)
-- are rolled up at start-up; new ones are marked as they are stored.
ALTER TABLE responses ADD COLUMN rolled_up INTEGER NOT NULL DEFAULT 0;
CREATE INDEX responses_not_rolled_up ON responses (id) WHERE rolled_up = 0;
-- The responses export pages through in submission order.
CREATE INDEX responses_submitted_id ON responses (submitted_at, id);

-- Dashboard rollups: additive sums per (day, branch, questionnaire, channel)
-- (keyed week first, so that grouping by week and branch reads in key order),
-- grown in the same transaction as each newly stored response, so a resend
-- (duplicate or conflict) never counts twice. `day` is the response's
-- submission date in the device's own offset; `week` the Monday of its ISO
-- week (both DATE). Sums of scores are 0–100 values (see
-- branchpulse_core::aggregate::Rollup).
CREATE TABLE rollups (
    day                      DATE    NOT NULL,
    week                     DATE    NOT NULL,
    branch                   TEXT    NOT NULL,
    questionnaire_id         TEXT    NOT NULL,
    channel                  TEXT    NOT NULL,
    n                        BIGINT NOT NULL,
    overall_n                BIGINT NOT NULL,
    overall_sum              DOUBLE PRECISION NOT NULL,
    overall_sum_sq           DOUBLE PRECISION NOT NULL,
    empathy_n                BIGINT NOT NULL,
    empathy_sum              DOUBLE PRECISION NOT NULL,
    empathy_sum_sq           DOUBLE PRECISION NOT NULL,
    process_convenience_n      BIGINT NOT NULL,
    process_convenience_sum    DOUBLE PRECISION NOT NULL,
    process_convenience_sum_sq DOUBLE PRECISION NOT NULL,
    value_n                  BIGINT NOT NULL,
    value_sum                DOUBLE PRECISION NOT NULL,
    value_sum_sq             DOUBLE PRECISION NOT NULL,
    trust_n                  BIGINT NOT NULL,
    trust_sum                DOUBLE PRECISION NOT NULL,
    trust_sum_sq             DOUBLE PRECISION NOT NULL,
    environment_n            BIGINT NOT NULL,
    environment_sum          DOUBLE PRECISION NOT NULL,
    environment_sum_sq       DOUBLE PRECISION NOT NULL,
    csat_n                   BIGINT NOT NULL,
    csat_top                 BIGINT NOT NULL,
    nps_promoters            BIGINT NOT NULL,
    nps_passives             BIGINT NOT NULL,
    nps_detractors           BIGINT NOT NULL,
    visits                   BIGINT NOT NULL,
    passes                   BIGINT NOT NULL,
    visit_n                  BIGINT NOT NULL,
    visit_sum                DOUBLE PRECISION NOT NULL,
    visit_sum_sq             DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (week, branch, day, questionnaire_id, channel)
);

-- The same sums per ISO week: a dashboard reads whole weeks from here and
-- only the days of partly covered weeks from `rollups`, so a request reads
-- about one row per branch and week whatever the number of responses.
CREATE TABLE rollups_weekly (
    week                     DATE    NOT NULL,
    branch                   TEXT    NOT NULL,
    questionnaire_id         TEXT    NOT NULL,
    channel                  TEXT    NOT NULL,
    n                        BIGINT NOT NULL,
    overall_n                BIGINT NOT NULL,
    overall_sum              DOUBLE PRECISION NOT NULL,
    overall_sum_sq           DOUBLE PRECISION NOT NULL,
    empathy_n                BIGINT NOT NULL,
    empathy_sum              DOUBLE PRECISION NOT NULL,
    empathy_sum_sq           DOUBLE PRECISION NOT NULL,
    process_convenience_n      BIGINT NOT NULL,
    process_convenience_sum    DOUBLE PRECISION NOT NULL,
    process_convenience_sum_sq DOUBLE PRECISION NOT NULL,
    value_n                  BIGINT NOT NULL,
    value_sum                DOUBLE PRECISION NOT NULL,
    value_sum_sq             DOUBLE PRECISION NOT NULL,
    trust_n                  BIGINT NOT NULL,
    trust_sum                DOUBLE PRECISION NOT NULL,
    trust_sum_sq             DOUBLE PRECISION NOT NULL,
    environment_n            BIGINT NOT NULL,
    environment_sum          DOUBLE PRECISION NOT NULL,
    environment_sum_sq       DOUBLE PRECISION NOT NULL,
    csat_n                   BIGINT NOT NULL,
    csat_top                 BIGINT NOT NULL,
    nps_promoters            BIGINT NOT NULL,
    nps_passives             BIGINT NOT NULL,
    nps_detractors           BIGINT NOT NULL,
    visits                   BIGINT NOT NULL,
    passes                   BIGINT NOT NULL,
    visit_n                  BIGINT NOT NULL,
    visit_sum                DOUBLE PRECISION NOT NULL,
    visit_sum_sq             DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (week, branch, questionnaire_id, channel)
);

-- Mystery-shop critical failures per item.
CREATE TABLE rollup_critical (
    day              DATE    NOT NULL,
    week             DATE    NOT NULL,
    branch           TEXT    NOT NULL,
    questionnaire_id TEXT    NOT NULL,
    channel          TEXT    NOT NULL,
    item             TEXT    NOT NULL,
    count            BIGINT NOT NULL,
    PRIMARY KEY (day, branch, questionnaire_id, channel, item)
);

-- Mystery-shop waiting times: how many visits waited exactly `seconds`
-- (exact medians and p90s from sums).
CREATE TABLE rollup_waits (
    day              DATE    NOT NULL,
    week             DATE    NOT NULL,
    branch           TEXT    NOT NULL,
    questionnaire_id TEXT    NOT NULL,
    channel          TEXT    NOT NULL,
    seconds          BIGINT NOT NULL,
    count            BIGINT NOT NULL,
    PRIMARY KEY (day, branch, questionnaire_id, channel, seconds)
);

-- Free-text answers and comments, for the dashboard's comment list.
-- `folded` is the text lowercased by the server, searched with LIKE.
CREATE TABLE comments (
    response_id      UUID    NOT NULL,
    item             TEXT    NOT NULL,
    branch           TEXT    NOT NULL,
    questionnaire_id TEXT    NOT NULL,
    channel          TEXT    NOT NULL,
    day              DATE    NOT NULL,
    submitted_at     TIMESTAMPTZ NOT NULL,
    text             TEXT    NOT NULL,
    folded           TEXT    NOT NULL,
    PRIMARY KEY (response_id, item)
);
CREATE INDEX comments_branch_submitted ON comments (branch, submitted_at);

-- Responses stored before rollups existed (or copied by the migration tool)
-- are rolled up at start-up; new ones are marked as they are stored.
ALTER TABLE responses ADD COLUMN rolled_up BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX responses_not_rolled_up ON responses (id) WHERE NOT rolled_up;
-- The responses export pages through in submission order.
CREATE INDEX responses_submitted_id ON responses (submitted_at, id);

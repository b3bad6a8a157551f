-- Issue 18, the scorecard: the sums behind the overall-satisfaction mean,
-- the service commitments, the items behind each score and the waiting
-- time by hour and weekday (see branchpulse_core::scorecard).
--
-- The overall-satisfaction question's 1–5 answers, beside the other sums.
ALTER TABLE rollups ADD COLUMN satisfaction_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE rollups ADD COLUMN satisfaction_sum DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE rollups ADD COLUMN satisfaction_sum_sq DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE rollups_weekly ADD COLUMN satisfaction_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE rollups_weekly ADD COLUMN satisfaction_sum DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE rollups_weekly ADD COLUMN satisfaction_sum_sq DOUBLE PRECISION NOT NULL DEFAULT 0;

-- Every scored item's scores (0–100) and, for a commitment's item, how
-- many answers met it, per (day, branch, questionnaire, channel). Keyed
-- item first: the dashboard reads the few commitment items of every
-- branch, and the drill-down every item.
CREATE TABLE rollup_items (
    item             TEXT    NOT NULL,
    week             DATE    NOT NULL,
    questionnaire_id TEXT    NOT NULL,
    channel          TEXT    NOT NULL,
    branch           TEXT    NOT NULL,
    day              DATE    NOT NULL,
    n                BIGINT  NOT NULL,
    sum              DOUBLE PRECISION NOT NULL,
    sum_sq           DOUBLE PRECISION NOT NULL,
    met              BIGINT  NOT NULL,
    PRIMARY KEY (item, week, questionnaire_id, channel, branch, day)
);

-- The same per ISO week (whole weeks are read from here, as for rollups).
CREATE TABLE rollup_items_weekly (
    item             TEXT    NOT NULL,
    week             DATE    NOT NULL,
    questionnaire_id TEXT    NOT NULL,
    channel          TEXT    NOT NULL,
    branch           TEXT    NOT NULL,
    n                BIGINT  NOT NULL,
    sum              DOUBLE PRECISION NOT NULL,
    sum_sq           DOUBLE PRECISION NOT NULL,
    met              BIGINT  NOT NULL,
    PRIMARY KEY (item, week, questionnaire_id, channel, branch)
);

-- Mystery-shop waits (seconds) by the slot of the week the visit began
-- (weekday from Monday × 24 + hour, local time), and how many were over
-- the waiting item's target.
CREATE TABLE rollup_wait_slots (
    day              DATE    NOT NULL,
    week             DATE    NOT NULL,
    branch           TEXT    NOT NULL,
    questionnaire_id TEXT    NOT NULL,
    channel          TEXT    NOT NULL,
    slot             BIGINT  NOT NULL,
    n                BIGINT  NOT NULL,
    sum              DOUBLE PRECISION NOT NULL,
    sum_sq           DOUBLE PRECISION NOT NULL,
    over_target      BIGINT  NOT NULL,
    PRIMARY KEY (day, branch, questionnaire_id, channel, slot)
);

-- The responses already stored have none of these sums: every rollup is
-- rebuilt from them. Emptied here and marked not rolled up, they are added
-- again at start-up, exactly as ingest adds them (`Store::backfill`, which
-- runs before the server answers). Comments stay: they are keyed by
-- response and item, so adding them again changes nothing, and a text
-- erased since is gone from the stored response too.
DELETE FROM rollups;
DELETE FROM rollups_weekly;
DELETE FROM rollup_critical;
DELETE FROM rollup_waits;
UPDATE responses SET rolled_up = FALSE WHERE rolled_up;

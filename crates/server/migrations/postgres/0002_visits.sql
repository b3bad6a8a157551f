-- Mystery-shop visit assignments: which branch to visit, with which scenario
-- and questionnaire, by when. Created through POST /api/v1/visits.
CREATE TABLE visits (
    id               UUID        NOT NULL PRIMARY KEY,
    branch           TEXT        NOT NULL,  -- branch code
    scenario         TEXT        NOT NULL,
    questionnaire_id TEXT        NOT NULL,  -- of kind mystery_shop
    due              DATE        NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL
);

-- Shoppers list the visits of a branch, soonest due first.
CREATE INDEX visits_branch_due ON visits (branch, due);
CREATE INDEX visits_due ON visits (due, created_at);

-- One row per response. The client-made UUID is the key, so a resend is
-- harmless: the server compares payload_hash to tell a duplicate from a conflict.
CREATE TABLE responses (
    id                    UUID        NOT NULL PRIMARY KEY,
    questionnaire_id      TEXT        NOT NULL,
    questionnaire_version BIGINT      NOT NULL,
    branch                TEXT        NOT NULL,  -- branch code
    device_id             TEXT        NOT NULL,
    channel               TEXT        NOT NULL,  -- kiosk | mystery_shop
    locale                TEXT        NOT NULL,  -- BCP 47 tag
    started_at            TIMESTAMPTZ NOT NULL,
    submitted_at          TIMESTAMPTZ NOT NULL,
    received_at           TIMESTAMPTZ NOT NULL,  -- the server's clock
    payload               TEXT        NOT NULL,  -- canonical JSON of the whole response
    payload_hash          TEXT        NOT NULL   -- lowercase hex SHA-256 of payload
);

-- Dashboards compare branches over time, per questionnaire.
CREATE INDEX responses_branch_submitted ON responses (branch, submitted_at);
CREATE INDEX responses_questionnaire_submitted
    ON responses (questionnaire_id, questionnaire_version, submitted_at);

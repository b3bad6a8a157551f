-- One row per response. The client-made UUID is the key, so a resend is
-- harmless: the server compares payload_hash to tell a duplicate from a conflict.
CREATE TABLE responses (
    id                    TEXT    NOT NULL PRIMARY KEY,  -- client UUID, lowercase, hyphenated
    questionnaire_id      TEXT    NOT NULL,
    questionnaire_version INTEGER NOT NULL,
    branch                TEXT    NOT NULL,              -- branch code
    device_id             TEXT    NOT NULL,
    channel               TEXT    NOT NULL,              -- kiosk | mystery_shop
    locale                TEXT    NOT NULL,              -- BCP 47 tag
    started_at            TEXT    NOT NULL,              -- UTC, 'YYYY-MM-DDTHH:MM:SS.sssZ'
    submitted_at          TEXT    NOT NULL,
    received_at           TEXT    NOT NULL,              -- the server's clock
    payload               TEXT    NOT NULL,              -- canonical JSON of the whole response
    payload_hash          TEXT    NOT NULL               -- lowercase hex SHA-256 of payload
) STRICT;

-- Dashboards compare branches over time, per questionnaire.
CREATE INDEX responses_branch_submitted ON responses (branch, submitted_at);
CREATE INDEX responses_questionnaire_submitted
    ON responses (questionnaire_id, questionnaire_version, submitted_at);

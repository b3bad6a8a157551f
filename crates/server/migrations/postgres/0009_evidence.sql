-- Issue 21, evidence: photos (a receipt, a queue ticket, signage) that a
-- mystery shopper attaches to an item or a stage of a report. The phone
-- makes the id, announces the photo (size, SHA-256) once the report is
-- stored, then sends it in chunks; a chunk is kept in `evidence_chunks`
-- until the last one arrives, when the whole photo is checked, cleaned of
-- metadata and moved into `data`.
CREATE TABLE evidence (
    id           UUID    NOT NULL PRIMARY KEY,            -- the phone's UUID
    report_id    UUID    NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    item         TEXT,                                    -- an item id, or
    stage        TEXT,                                    -- a section id
    content_type TEXT    NOT NULL,
    size         BIGINT  NOT NULL,                        -- bytes announced
    sha256       TEXT    NOT NULL,                        -- lowercase hex, of the bytes sent
    received     BIGINT  NOT NULL DEFAULT 0,              -- bytes received so far
    complete     BOOLEAN NOT NULL DEFAULT FALSE,
    data         BYTEA,                                   -- the cleaned photo, once complete
    created_at   TIMESTAMPTZ NOT NULL,
    CHECK ((item IS NULL) <> (stage IS NULL))
);

CREATE INDEX evidence_report ON evidence (report_id);

-- Chunks received of a photo not yet complete, by where they start.
CREATE TABLE evidence_chunks (
    evidence_id UUID    NOT NULL REFERENCES evidence (id) ON DELETE CASCADE,
    start       BIGINT  NOT NULL,
    data        BYTEA   NOT NULL,
    PRIMARY KEY (evidence_id, start)
);

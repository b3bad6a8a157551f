-- Branches and questionnaires, managed by admins. The questionnaires folder
-- only seeds them at start-up (insert-if-absent), so an admin's change
-- (a closed branch, an activated version) survives restarts.
CREATE TABLE branches (
    code       TEXT    NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    region     TEXT    NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,   -- 0: closed (never deleted: responses name it)
    position   INTEGER NOT NULL,             -- list order: branches.json's, then creation
    updated_at TEXT    NOT NULL              -- UTC, 'YYYY-MM-DDTHH:MM:SS.sssZ'
) STRICT;

-- Every version ever known: a response is always checked against the exact
-- version it answered, so none is removed.
CREATE TABLE questionnaires (
    id          TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    kind        TEXT    NOT NULL,            -- kiosk | mystery_shop
    json        TEXT    NOT NULL,            -- the file as uploaded
    active      INTEGER NOT NULL DEFAULT 0,  -- the version devices are given
    uploaded_at TEXT,                        -- NULL: seeded from the questionnaires folder
    PRIMARY KEY (id, version)
) STRICT;
CREATE UNIQUE INDEX questionnaires_one_active ON questionnaires (id) WHERE active = 1;

-- Bumped in the same transaction as every change to the two tables above,
-- so that other servers on the same database notice it and reload.
CREATE TABLE catalog_generation (
    id         INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
) STRICT;
INSERT INTO catalog_generation (id, generation) VALUES (1, 0);

-- When an admin removed the response's free texts (NULL: never).
ALTER TABLE responses ADD COLUMN purged_at TEXT;

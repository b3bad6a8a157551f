-- Branches and questionnaires, managed by admins. The questionnaires folder
-- only seeds them at start-up (insert-if-absent), so an admin's change
-- (a closed branch, an activated version) survives restarts.
CREATE TABLE branches (
    code       TEXT        NOT NULL PRIMARY KEY,
    name       TEXT        NOT NULL,
    region     TEXT        NOT NULL,
    active     BOOLEAN     NOT NULL DEFAULT TRUE,  -- FALSE: closed (never deleted: responses name it)
    position   BIGINT      NOT NULL,               -- list order: branches.json's, then creation
    updated_at TIMESTAMPTZ NOT NULL
);

-- Every version ever known: a response is always checked against the exact
-- version it answered, so none is removed.
CREATE TABLE questionnaires (
    id          TEXT        NOT NULL,
    version     BIGINT      NOT NULL,
    kind        TEXT        NOT NULL,                -- kiosk | mystery_shop
    json        TEXT        NOT NULL,                -- the file as uploaded
    active      BOOLEAN     NOT NULL DEFAULT FALSE,  -- the version devices are given
    uploaded_at TIMESTAMPTZ,                         -- NULL: seeded from the questionnaires folder
    PRIMARY KEY (id, version)
);
CREATE UNIQUE INDEX questionnaires_one_active ON questionnaires (id) WHERE active;

-- Bumped in the same transaction as every change to the two tables above,
-- so that other replicas notice it and reload. Its row lock also puts
-- concurrent catalog changes one after the other.
CREATE TABLE catalog_generation (
    id         SMALLINT NOT NULL PRIMARY KEY CHECK (id = 1),
    generation BIGINT   NOT NULL
);
INSERT INTO catalog_generation (id, generation) VALUES (1, 0);

-- When an admin removed the response's free texts (NULL: never).
ALTER TABLE responses ADD COLUMN purged_at TIMESTAMPTZ;

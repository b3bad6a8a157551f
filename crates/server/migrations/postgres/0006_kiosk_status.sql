-- Issue 17, the lobby kiosk.
--
-- Completed responses beside every count of responses: a partial response
-- (a customer who walked away) adds to `n` but not to `completed`, so the
-- dashboard shows a completion rate. Every response stored before partial
-- ones existed was complete.
ALTER TABLE rollups ADD COLUMN completed BIGINT NOT NULL DEFAULT 0;
UPDATE rollups SET completed = n;
ALTER TABLE rollups_weekly ADD COLUMN completed BIGINT NOT NULL DEFAULT 0;
UPDATE rollups_weekly SET completed = n;

-- A kiosk's last status report (the `DeviceReport` JSON as received) and
-- when it came, by the server's clock; its staff PIN as the kiosk checks
-- it offline: a random hex salt and hex SHA-256 of salt ":" PIN, never the
-- PIN itself.
ALTER TABLE devices ADD COLUMN report TEXT;
ALTER TABLE devices ADD COLUMN reported_at TIMESTAMPTZ;
ALTER TABLE devices ADD COLUMN pin_salt TEXT;
ALTER TABLE devices ADD COLUMN pin_hash TEXT;

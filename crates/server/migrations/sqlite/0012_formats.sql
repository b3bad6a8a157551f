-- Issue 19, peer groups: the formats (kinds) of branch an admin keeps, and
-- each branch's format. A branch is compared with the selected branches of
-- its format when the dashboard asks for peers (against=peers).
CREATE TABLE formats (
    code       TEXT    NOT NULL PRIMARY KEY,  -- a-z, 0-9, _ (core access::check_format_code)
    name       TEXT    NOT NULL,              -- JSON {"zh-CN": …, "en": …, "es": …}
    position   INTEGER NOT NULL,              -- list order: seeded, then creation
    updated_at TEXT    NOT NULL               -- UTC, 'YYYY-MM-DDTHH:MM:SS.sssZ'
) STRICT;

INSERT INTO formats (code, name, position, updated_at) VALUES
    ('community', '{"en":"Community","es":"Comunitaria","zh-CN":"社区网点"}', 0, '2026-12-06T00:00:00.000Z'),
    ('business_district', '{"en":"Business district","es":"Zona de negocios","zh-CN":"商务区网点"}', 1, '2026-12-06T00:00:00.000Z'),
    ('loan_centre', '{"en":"Loan centre","es":"Centro de crédito","zh-CN":"贷款中心"}', 2, '2026-12-06T00:00:00.000Z'),
    ('flagship', '{"en":"Flagship","es":"Sucursal insignia","zh-CN":"旗舰网点"}', 3, '2026-12-06T00:00:00.000Z');

-- NULL: no format (compared with the network only). A format that branches
-- have is not removed (the server refuses; the key would too).
ALTER TABLE branches ADD COLUMN format TEXT REFERENCES formats (code);

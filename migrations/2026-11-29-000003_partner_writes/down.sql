DROP TABLE history;
ALTER TABLE organizations DROP COLUMN version;
ALTER TABLE locations DROP COLUMN version;
ALTER TABLE services DROP COLUMN version;
ALTER TABLE services_at_locations DROP COLUMN version;
DROP TABLE api_tokens;

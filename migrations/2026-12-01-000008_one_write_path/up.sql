-- One write path for every writer (partner API, admin API, importers, geocoder).
--
-- 1. History names the actor in one column: `token:<token name>`, `import:kirkanta`,
--    `import:ptv`, `geocode`. Writes by the system carry no token.
ALTER TABLE history ADD COLUMN actor text;
UPDATE history SET actor = 'token:' || token_name WHERE actor IS NULL;
ALTER TABLE history ALTER COLUMN actor SET NOT NULL;
-- Events (dated digital-help sessions) are recorded like the other records.
ALTER TABLE history DROP CONSTRAINT IF EXISTS history_entity_type_check;
ALTER TABLE history ADD CONSTRAINT history_entity_type_check
  CHECK (entity_type IN ('organization', 'location', 'service', 'service_at_location', 'event'));

-- 2. A row version changes with every change of the row, whoever writes it. The application
--    bumps versions itself; this trigger is the safety net that makes a stale ETag fail (412)
--    even after a writer that forgot to, e.g. SQL run by hand.
CREATE OR REPLACE FUNCTION bump_row_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.version = OLD.version AND row(NEW.*) IS DISTINCT FROM row(OLD.*) THEN
    NEW.version := OLD.version + 1;
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER organizations_bump_version BEFORE UPDATE ON organizations
  FOR EACH ROW EXECUTE FUNCTION bump_row_version();
CREATE TRIGGER locations_bump_version BEFORE UPDATE ON locations
  FOR EACH ROW EXECUTE FUNCTION bump_row_version();
CREATE TRIGGER services_bump_version BEFORE UPDATE ON services
  FOR EACH ROW EXECUTE FUNCTION bump_row_version();
CREATE TRIGGER services_at_locations_bump_version BEFORE UPDATE ON services_at_locations
  FOR EACH ROW EXECUTE FUNCTION bump_row_version();

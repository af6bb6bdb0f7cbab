-- Which rows each directory version changed, so that an instance can update its snapshot for
-- a few changed places instead of reloading everything (src/directory/store.rs).
--
-- Every statement on a directory table bumps directory_state.version (directory_changed(),
-- fired first: triggers of one kind fire in name order, and these are named "…_zz_log…").
-- These triggers then record, under that version, the ids of the locations the statement
-- touched: for locations, location_languages, services_at_locations, opening_hours and contacts.
-- A statement on any other directory table (organizations, services, events, reference data)
-- is recorded with location_id NULL: its version needs a full rebuild. A statement that touched
-- no rows of a location table records nothing (it changed nothing). Versions above
-- directory_state.changes_from are fully recorded; older entries are pruned.
CREATE TABLE directory_changes (
  version bigint NOT NULL,
  table_name text NOT NULL,
  location_id text
);
CREATE INDEX directory_changes_version ON directory_changes (version);

ALTER TABLE directory_state ADD COLUMN changes_from bigint;
UPDATE directory_state SET changes_from = version;
ALTER TABLE directory_state ALTER COLUMN changes_from SET NOT NULL;

-- The statement's rows are in the transition table `changed` (new rows, or old ones for
-- DELETE); TG_ARGV[0] is the SQL expression of a row's location id, or absent.
CREATE FUNCTION directory_log() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE v bigint;
BEGIN
  SELECT version INTO v FROM directory_state;
  IF TG_OP = 'TRUNCATE' THEN
    INSERT INTO directory_changes VALUES (v, TG_TABLE_NAME, NULL);
  ELSIF TG_NARGS = 0 THEN
    -- Not a place table: a full rebuild, if the statement changed any row.
    INSERT INTO directory_changes SELECT v, TG_TABLE_NAME, NULL WHERE EXISTS (SELECT 1 FROM changed);
  ELSE
    EXECUTE format('INSERT INTO directory_changes SELECT DISTINCT $1, $2, %s FROM changed', TG_ARGV[0])
      USING v, TG_TABLE_NAME;
  END IF;
  -- Keep the last 100,000 versions.
  IF v % 1000 = 0 THEN
    DELETE FROM directory_changes WHERE version <= v - 100000;
    UPDATE directory_state SET changes_from = greatest(changes_from, v - 100000);
  END IF;
  RETURN NULL;
END $$;

DO $$
DECLARE
  t text;
  expr text;
  arg text;
  tables text[] := ARRAY(
    SELECT DISTINCT c.relname::text FROM pg_trigger g
      JOIN pg_class c ON c.oid = g.tgrelid
      JOIN pg_proc p ON p.oid = g.tgfoid
     WHERE p.proname = 'directory_changed' AND NOT g.tgisinternal);
BEGIN
  FOREACH t IN ARRAY tables LOOP
    expr := CASE t
      WHEN 'locations' THEN 'id'
      WHEN 'location_languages' THEN 'location_id'
      WHEN 'services_at_locations' THEN 'location_id'
      WHEN 'contacts' THEN 'location_id'
      WHEN 'opening_hours' THEN
        'coalesce(location_id, (SELECT s.location_id FROM services_at_locations s WHERE s.id = changed.service_at_location_id))'
      ELSE NULL
    END;
    -- Place tables pass the expression of a row's location id; the others nothing.
    arg := CASE WHEN expr IS NULL THEN '' ELSE quote_literal(expr) END;
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS changed
                    FOR EACH STATEMENT EXECUTE FUNCTION directory_log(%s)', t || '_zz_log_insert', t, arg);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS changed
                    FOR EACH STATEMENT EXECUTE FUNCTION directory_log(%s)', t || '_zz_log_update', t, arg);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS changed
                    FOR EACH STATEMENT EXECUTE FUNCTION directory_log(%s)', t || '_zz_log_delete', t, arg);
    EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I
                    FOR EACH STATEMENT EXECUTE FUNCTION directory_log()', t || '_zz_log_truncate', t);
  END LOOP;
END $$;

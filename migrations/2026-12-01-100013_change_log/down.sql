DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT g.tgname, c.relname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
            JOIN pg_proc p ON p.oid = g.tgfoid WHERE p.proname = 'directory_log' LOOP
    EXECUTE format('DROP TRIGGER %I ON %I', r.tgname, r.relname);
  END LOOP;
END $$;
DROP FUNCTION directory_log();
ALTER TABLE directory_state DROP COLUMN changes_from;
DROP TABLE directory_changes;

CREATE SEQUENCE directory_version;
SELECT setval('directory_version', (SELECT version FROM directory_state));
CREATE OR REPLACE FUNCTION directory_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM nextval('directory_version');
  PERFORM pg_notify('directory_changed', TG_TABLE_NAME);
  RETURN NULL;
END $$;
DROP TABLE directory_state;

DROP INDEX locations_kirkanta_external_id;
ALTER TABLE locations DROP COLUMN import_state;

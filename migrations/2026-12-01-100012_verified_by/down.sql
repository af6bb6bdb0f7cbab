ALTER TABLE locations DROP COLUMN verified_by;

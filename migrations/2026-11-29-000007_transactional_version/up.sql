-- The directory version must count committed changes only. A sequence does not: its bump is
-- visible before the writing transaction commits, so a snapshot could be labelled with a
-- version whose rows it does not hold yet. A one-row table updated inside the writing
-- transaction is read consistently with the rows (same REPEATABLE READ snapshot). Writers
-- serialize on that row for the rest of their transaction; writes are rare here.
CREATE TABLE directory_state (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  version bigint NOT NULL
);
INSERT INTO directory_state (version) SELECT last_value FROM directory_version;

-- The notification carries the new version, so that an instance whose snapshot already holds it
-- (it rebuilt right after its own write) need not rebuild again.
CREATE OR REPLACE FUNCTION directory_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE v bigint;
BEGIN
  UPDATE directory_state SET version = version + 1 RETURNING version INTO v;
  PERFORM pg_notify('directory_changed', v::text);
  RETURN NULL;
END $$;

DROP SEQUENCE directory_version;

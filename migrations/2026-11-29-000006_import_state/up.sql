-- What the last import wrote into a location (`{"source", "scope", "fields": {column: value},
-- "imported_at"}`), so that the next import can tell a partner's edit (current value differs
-- from what the import wrote) from an upstream change, and report conflicts instead of
-- silently overwriting. NULL for records no import manages.
ALTER TABLE locations ADD COLUMN import_state jsonb;

-- One location per upstream record of an import source.
CREATE UNIQUE INDEX locations_kirkanta_external_id ON locations (external_id) WHERE source = 'kirkanta';

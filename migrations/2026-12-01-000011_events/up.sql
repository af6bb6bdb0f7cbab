-- Digital-help events: dated sessions organised by partners (see src/events). Keys, ownership,
-- the place and provenance are columns; the description, times, recurrence (RFC 5545 RRULE),
-- and per-occurrence overrides are one validated JSON document (`events::EventDoc`).
CREATE TABLE events (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
  organization_id text NOT NULL REFERENCES organizations (id),
  location_id text REFERENCES locations (id),
  status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
  document jsonb NOT NULL,
  source text NOT NULL DEFAULT 'manual',
  external_id text,
  confidence text NOT NULL DEFAULT 'verified' CHECK (confidence IN ('verified', 'approximate', 'assumed')),
  sources jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  verified_at timestamptz,
  version bigint NOT NULL DEFAULT 1,
  deleted_at timestamptz
);
CREATE INDEX events_location ON events (location_id);

CREATE TRIGGER events_bump_version BEFORE UPDATE ON events
  FOR EACH ROW EXECUTE FUNCTION bump_row_version();
-- Every committed change of an event is a change of the directory (snapshot rebuild).
CREATE TRIGGER events_changed AFTER INSERT OR UPDATE OR DELETE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION directory_changed();

-- Opening hours. One document per location (its own hours) and optionally one per service at a
-- location (narrower hours, e.g. "digiopastus Tuesdays 10-12"). The document is the hours
-- engine's JSON form (src/hours): weekly periods (a default one plus dated ones), each range
-- typed staffed or self_service, dated exceptions with a reason in fi/sv/en, and whether the
-- place keeps its regular hours on Finnish public holidays. Times are Europe/Helsinki
-- wall-clock. The service validates documents before storing them (no reversed or
-- overlapping ranges).
CREATE TABLE opening_hours (
  id bigserial PRIMARY KEY,
  location_id text REFERENCES locations (id) ON DELETE CASCADE,
  service_at_location_id text REFERENCES services_at_locations (id) ON DELETE CASCADE,
  document jsonb NOT NULL CHECK (jsonb_typeof(document) = 'object'),
  confidence text NOT NULL DEFAULT 'assumed' CHECK (confidence IN ('verified', 'approximate', 'assumed')),
  source_note text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (num_nonnulls(location_id, service_at_location_id) = 1),
  UNIQUE (location_id),
  UNIQUE (service_at_location_id)
);

-- "By appointment" with booking instructions: {by_appointment, phone, url, text{fi,sv,en}}.
ALTER TABLE services_at_locations ADD COLUMN appointment jsonb;

CREATE TRIGGER opening_hours_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON opening_hours
  FOR EACH STATEMENT EXECUTE FUNCTION directory_changed();

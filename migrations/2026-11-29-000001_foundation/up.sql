-- Foundation schema of the Digituki directory.
-- Multilingual texts are stored as *_fi / *_sv / *_en columns; Finnish is required where a text is.
-- Every public record carries provenance (source, external_id, confidence, sources) and
-- freshness (created_at, updated_at, verified_at).

-- Every committed change bumps this sequence (statement-level triggers below) and notifies
-- listeners, so that every service instance can tell which snapshot version it serves.
CREATE SEQUENCE directory_version;

CREATE FUNCTION directory_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM nextval('directory_version');
  PERFORM pg_notify('directory_changed', TG_TABLE_NAME);
  RETURN NULL;
END $$;

CREATE TABLE municipalities (
  code text PRIMARY KEY CHECK (code ~ '^[0-9]{3}$'),
  name_fi text NOT NULL,
  name_sv text NOT NULL,
  centre_latitude double precision NOT NULL,
  centre_longitude double precision NOT NULL,
  centre_confidence text NOT NULL
);

CREATE TABLE postal_codes (
  code text PRIMARY KEY CHECK (code ~ '^[0-9]{5}$'),
  name_fi text NOT NULL,
  name_sv text NOT NULL,
  municipality_code text NOT NULL REFERENCES municipalities (code),
  posti_type text NOT NULL,
  latitude double precision,
  longitude double precision,
  coordinate_confidence text NOT NULL
);

CREATE TABLE sources (
  key text PRIMARY KEY,
  title text NOT NULL,
  url text,
  licence text
);

-- Controlled topic vocabulary (taxonomy).
CREATE TABLE topics (
  code text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]*$'),
  label_fi text NOT NULL,
  label_sv text NOT NULL,
  label_en text NOT NULL,
  description_fi text,
  description_sv text,
  description_en text,
  sort_order integer NOT NULL
);

-- Languages of service, ISO 639-1.
CREATE TABLE languages (
  code text PRIMARY KEY CHECK (code ~ '^[a-z]{2}$'),
  name_fi text NOT NULL,
  name_sv text NOT NULL,
  name_en text NOT NULL
);

CREATE TABLE organizations (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
  kind text NOT NULL,
  name_fi text NOT NULL,
  name_sv text,
  name_en text,
  description_fi text,
  description_sv text,
  description_en text,
  parent_id text REFERENCES organizations (id),
  network text,
  website text,
  email text,
  phone text,
  notes text,
  source text NOT NULL DEFAULT 'manual',
  external_id text,
  confidence text NOT NULL DEFAULT 'assumed' CHECK (confidence IN ('verified', 'approximate', 'assumed')),
  sources jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  verified_at timestamptz,
  deleted_at timestamptz
);

CREATE TABLE locations (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
  organization_id text NOT NULL REFERENCES organizations (id),
  kind text NOT NULL,
  name_fi text NOT NULL,
  name_sv text,
  name_en text,
  description_fi text,
  description_sv text,
  description_en text,
  street_address text,
  postal_code text,
  post_office text,
  municipality_code text REFERENCES municipalities (code),
  latitude double precision CHECK (latitude BETWEEN -90 AND 90),
  longitude double precision CHECK (longitude BETWEEN -180 AND 180),
  coordinate_method text,
  accessibility_fi text,
  accessibility_sv text,
  accessibility_en text,
  transit_fi text,
  transit_sv text,
  transit_en text,
  phone text,
  email text,
  website text,
  -- Remote locations (phone or video help) serve areas, not a point.
  served_municipalities text[] NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'active',
  hours_notes text,
  notes text,
  source text NOT NULL DEFAULT 'manual',
  external_id text,
  confidence text NOT NULL DEFAULT 'assumed' CHECK (confidence IN ('verified', 'approximate', 'assumed')),
  confidence_detail jsonb NOT NULL DEFAULT '{}',
  sources jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  verified_at timestamptz,
  deleted_at timestamptz,
  CHECK ((latitude IS NULL) = (longitude IS NULL))
);
CREATE INDEX locations_organization ON locations (organization_id);

CREATE TABLE location_languages (
  location_id text NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
  language_code text NOT NULL REFERENCES languages (code),
  PRIMARY KEY (location_id, language_code)
);

CREATE TABLE services (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
  organization_id text NOT NULL REFERENCES organizations (id),
  name_fi text NOT NULL,
  name_sv text,
  name_en text,
  description_fi text,
  description_sv text,
  description_en text,
  -- drop_in, by_appointment, phone, video, group_course, event
  delivery_modes text[] NOT NULL DEFAULT '{}',
  -- everyone, seniors, immigrants, job_seekers, ...
  audience text[] NOT NULL DEFAULT '{everyone}',
  cost_fi text,
  cost_sv text,
  cost_en text,
  -- DVV guidelines: guidance (the customer acts), authorized_assistance (may act with a formal
  -- authorization), information_only (advises and refers).
  assistance_level text NOT NULL CHECK (assistance_level IN ('guidance', 'authorized_assistance', 'information_only')),
  source text NOT NULL DEFAULT 'manual',
  external_id text,
  confidence text NOT NULL DEFAULT 'assumed' CHECK (confidence IN ('verified', 'approximate', 'assumed')),
  sources jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  verified_at timestamptz,
  deleted_at timestamptz
);

CREATE TABLE service_topics (
  service_id text NOT NULL REFERENCES services (id) ON DELETE CASCADE,
  topic_code text NOT NULL REFERENCES topics (code),
  PRIMARY KEY (service_id, topic_code)
);

CREATE TABLE service_languages (
  service_id text NOT NULL REFERENCES services (id) ON DELETE CASCADE,
  language_code text NOT NULL REFERENCES languages (code),
  PRIMARY KEY (service_id, language_code)
);

CREATE TABLE services_at_locations (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,127}$'),
  service_id text NOT NULL REFERENCES services (id),
  location_id text NOT NULL REFERENCES locations (id),
  note_fi text,
  note_sv text,
  note_en text,
  source text NOT NULL DEFAULT 'manual',
  external_id text,
  confidence text NOT NULL DEFAULT 'assumed' CHECK (confidence IN ('verified', 'approximate', 'assumed')),
  sources jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  verified_at timestamptz,
  deleted_at timestamptz,
  UNIQUE (service_id, location_id)
);
CREATE INDEX services_at_locations_location ON services_at_locations (location_id);

CREATE TABLE contacts (
  id bigserial PRIMARY KEY,
  organization_id text REFERENCES organizations (id) ON DELETE CASCADE,
  location_id text REFERENCES locations (id) ON DELETE CASCADE,
  service_id text REFERENCES services (id) ON DELETE CASCADE,
  name text,
  title_fi text,
  title_sv text,
  title_en text,
  phone text,
  email text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (num_nonnulls(organization_id, location_id, service_id) = 1)
);

-- Hours (weekly periods, exceptions, holidays) arrive in their own migration; they attach to
-- locations and to services_at_locations.

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['municipalities', 'postal_codes', 'sources', 'topics', 'languages',
      'organizations', 'locations', 'location_languages', 'services', 'service_topics',
      'service_languages', 'services_at_locations', 'contacts']
  LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I
                    FOR EACH STATEMENT EXECUTE FUNCTION directory_changed()', t || '_changed', t);
  END LOOP;
END $$;

INSERT INTO languages (code, name_fi, name_sv, name_en) VALUES
  ('fi', 'suomi', 'finska', 'Finnish'),
  ('sv', 'ruotsi', 'svenska', 'Swedish'),
  ('en', 'englanti', 'engelska', 'English'),
  ('se', 'pohjoissaame', 'nordsamiska', 'Northern Sami'),
  ('ru', 'venäjä', 'ryska', 'Russian'),
  ('uk', 'ukraina', 'ukrainska', 'Ukrainian'),
  ('et', 'viro', 'estniska', 'Estonian'),
  ('ar', 'arabia', 'arabiska', 'Arabic'),
  ('so', 'somali', 'somaliska', 'Somali'),
  ('fa', 'persia', 'persiska', 'Persian'),
  ('ku', 'kurdi', 'kurdiska', 'Kurdish'),
  ('de', 'saksa', 'tyska', 'German'),
  ('fr', 'ranska', 'franska', 'French'),
  ('es', 'espanja', 'spanska', 'Spanish'),
  ('th', 'thai', 'thailändska', 'Thai'),
  ('vi', 'vietnam', 'vietnamesiska', 'Vietnamese'),
  ('zh', 'kiina', 'kinesiska', 'Chinese');

-- The starting topic vocabulary (PRODUCT.md): what libraries and partners help with.
INSERT INTO topics (code, label_fi, label_sv, label_en, description_fi, description_sv, description_en, sort_order) VALUES
  ('online_public_services', 'Sähköiset julkiset palvelut', 'Offentliga e-tjänster', 'Online public services',
   'Suomi.fi, Kela, OmaKanta, Vero ja muut julkiset verkkopalvelut.', 'Suomi.fi, FPA, MittKanta, Skatteförvaltningen och andra offentliga e-tjänster.', 'Suomi.fi, Kela, OmaKanta, the Tax Administration and other public online services.', 10),
  ('strong_identification', 'Vahva sähköinen tunnistautuminen', 'Stark elektronisk identifiering', 'Strong electronic identification',
   'Vain opastusta: auttaja ei koskaan käytä asiakkaan tunnuksia.', 'Endast handledning: hjälparen använder aldrig kundens koder.', 'Guidance only: helpers never use the customer''s credentials.', 20),
  ('library_devices', 'Kirjaston laitteet', 'Bibliotekets apparater', 'Library devices',
   'Asiakastietokoneet, tulostus, skannaus ja langaton verkko.', 'Kunddatorer, utskrift, skanning och trådlöst nätverk.', 'Public computers, printing, scanning and wifi.', 30),
  ('phone_tablet_basics', 'Puhelimen ja tabletin perusteet', 'Grunderna i telefon och surfplatta', 'Basic use of phones and tablets', NULL, NULL, NULL, 40),
  ('computer_basics', 'Tietokoneen perusteet', 'Grunderna i datoranvändning', 'Computer basics', NULL, NULL, NULL, 50),
  ('information_search', 'Tiedonhaku', 'Informationssökning', 'Information search', NULL, NULL, NULL, 60),
  ('email_messaging', 'Sähköposti ja viestintä', 'E-post och meddelanden', 'E-mail and messaging', NULL, NULL, NULL, 70),
  ('video_calls', 'Videopuhelut', 'Videosamtal', 'Video calls', NULL, NULL, NULL, 80),
  ('online_safety', 'Tietoturva ja huijaukset', 'Säkerhet på nätet och bedrägerier', 'Online safety and scams', NULL, NULL, NULL, 90),
  ('e_library', 'E-kirjasto', 'E-biblioteket', 'E-library', NULL, NULL, NULL, 100),
  ('online_banking', 'Verkkopankki', 'Nätbank', 'Online banking',
   'Vain opastusta: auttaja ei tee maksuja eikä siirtoja asiakkaan puolesta.', 'Endast handledning: hjälparen gör inga betalningar för kunden.', 'Guidance only: helpers never make payments or transfers for the customer.', 110),
  ('health_services_online', 'Sähköiset terveyspalvelut', 'Hälsotjänster på nätet', 'Health services online', NULL, NULL, NULL, 120),
  ('job_seeking_online', 'Työnhaku verkossa', 'Jobbsökning på nätet', 'Job seeking online', NULL, NULL, NULL, 130),
  ('photos_files', 'Valokuvat ja tiedostot', 'Foton och filer', 'Photos and files', NULL, NULL, NULL, 140);

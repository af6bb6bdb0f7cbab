-- Partner write API: tokens, row versions (ETags), history of every write.

-- Bearer tokens. Only the SHA-256 of a token is stored; the token itself is shown once.
CREATE TABLE api_tokens (
  id bigserial PRIMARY KEY,
  organization_id text NOT NULL REFERENCES organizations (id),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  token_sha256 text NOT NULL UNIQUE CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
  -- The first characters of the token, to recognise it in listings.
  token_prefix text NOT NULL,
  is_admin boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);

-- Row versions: the ETag of a resource names its version; PATCH/PUT/DELETE compare it under a
-- row lock, so of two updates made from the same version exactly one wins.
ALTER TABLE organizations ADD COLUMN version bigint NOT NULL DEFAULT 1;
ALTER TABLE locations ADD COLUMN version bigint NOT NULL DEFAULT 1;
ALTER TABLE services ADD COLUMN version bigint NOT NULL DEFAULT 1;
ALTER TABLE services_at_locations ADD COLUMN version bigint NOT NULL DEFAULT 1;

-- Every write: who (token name and organization), when, and the record before and after.
CREATE TABLE history (
  id bigserial PRIMARY KEY,
  entity_type text NOT NULL CHECK (entity_type IN ('organization', 'location', 'service', 'service_at_location')),
  entity_id text NOT NULL,
  action text NOT NULL,
  token_id bigint REFERENCES api_tokens (id),
  token_name text NOT NULL,
  organization_id text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  before jsonb,
  after jsonb
);
CREATE INDEX history_entity ON history (entity_type, entity_id, id);

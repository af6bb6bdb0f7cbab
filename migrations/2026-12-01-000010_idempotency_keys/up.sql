-- Idempotency-Key on POST: a retried create (the answer was lost on the way) returns the record
-- the first attempt made instead of making a second one. One row per token and key, written in
-- the same transaction as the record it names, so that of two concurrent attempts one creates
-- and the other is refused (unique key) and rolled back whole.
CREATE TABLE idempotency_keys (
  token_id bigint NOT NULL REFERENCES api_tokens (id),
  key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
  -- The operation and a hash of its body: the same key with another request is refused.
  request text NOT NULL,
  request_sha256 text NOT NULL,
  entity_type text NOT NULL,
  entity_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (token_id, key)
);

-- Sessions of the partner editor (/partner). The browser's cookie holds a random secret; only
-- its SHA-256 is stored here. A session acts for one API token: revoking the token ends its
-- sessions (they are looked up through the token and must find it unrevoked). Each session
-- has its own CSRF secret, put in every form the editor renders and checked on every POST.
CREATE TABLE editor_sessions (
  secret_sha256 text PRIMARY KEY,
  token_id bigint NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
  csrf text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX editor_sessions_expires_at ON editor_sessions (expires_at);

-- 0006_sessions: browser sign-in sessions (issue 10).
--
-- A person signs in by pasting an API key once (POST /api/v1/session); the browser then
-- holds only a random session token in an HttpOnly cookie. Like API keys, only the token's
-- SHA-256 is stored, so a copy of this table signs no one in. Sessions live in PostgreSQL
-- so every server of several accepts them. A session belongs to the key it was opened
-- with: revoking the key ends its sessions (server/session.c joins api_keys and checks
-- revoked_at). State-changing requests made with the cookie must send csrf_token back in
-- an X-CSRF-Token header; the token is handed to the page by POST/GET /api/v1/session.

CREATE TABLE sessions (
    id          bigserial PRIMARY KEY,
    token_hash  bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    api_key_id  bigint NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    csrf_token  text NOT NULL CHECK (length(csrf_token) = 64),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
-- expired sessions are deleted when new ones are made
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX sessions_api_key ON sessions (api_key_id);

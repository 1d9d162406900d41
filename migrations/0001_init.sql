-- 0001_init: customers and their API keys and apps; uploaded snapshots; analyses (which
-- are also the job queue); what an analysis finds (findings, class statistics, top
-- retainers, the report document).
--
-- Applied by `leaktriage migrate` inside one transaction (no BEGIN/COMMIT here).
-- Every row that belongs to a customer carries customer_id, and composite foreign keys
-- (x_id, customer_id) make a row's customer agree with its parent's, so a query scoped by
-- customer_id can never see another customer's rows through a join.

CREATE TABLE customers (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (name <> ''),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- An API key is `lt_` + 40 random characters. Only its SHA-256 is stored, and its prefix
-- (the first 8 random characters) so an admin can tell keys apart and revoke one.
CREATE TABLE api_keys (
    id          bigserial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    prefix      text NOT NULL UNIQUE,
    hash        bytea NOT NULL UNIQUE CHECK (octet_length(hash) = 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
CREATE INDEX api_keys_customer ON api_keys (customer_id);

CREATE TABLE apps (
    id          bigserial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (name ~ '^[A-Za-z0-9._-]+$'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (customer_id, name),
    UNIQUE (id, customer_id)
);

CREATE TABLE snapshots (
    id                 bigserial PRIMARY KEY,
    app_id             bigint NOT NULL,
    customer_id        bigint NOT NULL,
    sha256             bytea NOT NULL CHECK (octet_length(sha256) = 32),
    spool_path         text NOT NULL,
    compressed_bytes   bigint NOT NULL CHECK (compressed_bytes >= 0),
    uncompressed_bytes bigint,
    node_count         bigint,
    edge_count         bigint,
    total_size         bigint,
    version            text,
    host               text,
    commit_sha         text,
    uploaded_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (app_id, sha256),
    UNIQUE (id, customer_id),
    FOREIGN KEY (app_id, customer_id) REFERENCES apps (id, customer_id) ON DELETE CASCADE
);
-- the snapshots of an app, newest first (paged)
CREATE INDEX snapshots_customer_app ON snapshots (customer_id, app_id, uploaded_at DESC, id DESC);

-- One analysis of a snapshot; its state makes it a job: workers claim the oldest queued
-- one with SELECT ... WHERE state = 'queued' ORDER BY id FOR UPDATE SKIP LOCKED, beat
-- heartbeat_at while running, and a running job with a stale heartbeat is put back.
CREATE TABLE analyses (
    id           bigserial PRIMARY KEY,
    snapshot_id  bigint NOT NULL,
    customer_id  bigint NOT NULL,
    state        text NOT NULL DEFAULT 'queued'
                 CHECK (state IN ('queued', 'running', 'done', 'failed')),
    phase        text,
    percent      real NOT NULL DEFAULT 0 CHECK (percent >= 0 AND percent <= 100),
    attempts     int NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts int NOT NULL DEFAULT 3 CHECK (max_attempts > 0),
    heartbeat_at timestamptz,
    worker       text,
    error        text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    started_at   timestamptz,
    finished_at  timestamptz,
    UNIQUE (id, customer_id),
    FOREIGN KEY (snapshot_id, customer_id) REFERENCES snapshots (id, customer_id) ON DELETE CASCADE
);
CREATE INDEX analyses_queue ON analyses (id) WHERE state = 'queued';
CREATE INDEX analyses_running ON analyses (heartbeat_at) WHERE state = 'running';
CREATE INDEX analyses_snapshot ON analyses (snapshot_id);
CREATE INDEX analyses_customer ON analyses (customer_id, id);

CREATE TABLE findings (
    id               bigserial PRIMARY KEY,
    analysis_id      bigint NOT NULL,
    customer_id      bigint NOT NULL,
    app_id           bigint NOT NULL,
    rank             int NOT NULL,
    kind             text NOT NULL,
    fingerprint      text NOT NULL,
    title            text NOT NULL,
    retained_size    bigint NOT NULL,
    retained_percent real NOT NULL,
    details          jsonb NOT NULL DEFAULT '{}',
    UNIQUE (analysis_id, rank),
    FOREIGN KEY (analysis_id, customer_id) REFERENCES analyses (id, customer_id) ON DELETE CASCADE,
    FOREIGN KEY (app_id, customer_id) REFERENCES apps (id, customer_id) ON DELETE CASCADE
);
-- the dashboard: an app's findings grouped by fingerprint
CREATE INDEX findings_customer_app_fingerprint ON findings (customer_id, app_id, fingerprint);

-- DevTools' Summary view of an analysis (the top classes by retained size).
CREATE TABLE class_stats (
    analysis_id   bigint NOT NULL REFERENCES analyses (id) ON DELETE CASCADE,
    class         text NOT NULL,
    key           text NOT NULL,
    count         bigint NOT NULL,
    shallow_size  bigint NOT NULL,
    retained_size bigint NOT NULL,
    distance      int NOT NULL,
    PRIMARY KEY (analysis_id, key)
);

CREATE TABLE top_retainers (
    analysis_id   bigint NOT NULL REFERENCES analyses (id) ON DELETE CASCADE,
    rank          int NOT NULL,
    node_id       bigint NOT NULL,
    type          text NOT NULL,
    name          text NOT NULL,
    class         text NOT NULL,
    self_size     bigint NOT NULL,
    retained_size bigint NOT NULL,
    distance      int NOT NULL,
    dominator_id  bigint NOT NULL,
    PRIMARY KEY (analysis_id, rank)
);

-- The document `leaktriage analyze --json --top 200` prints, served as the report.
CREATE TABLE reports (
    analysis_id bigint PRIMARY KEY REFERENCES analyses (id) ON DELETE CASCADE,
    document    jsonb NOT NULL
);

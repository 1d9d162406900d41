-- 0003_leaks: leak records across an app's snapshots (issue 9).
--
-- A leak is one fingerprint of one app: every finding kind but large_retainer (a size, never
-- a leak) makes one. An occurrence is one analysed snapshot whose findings hold the leak's
-- fingerprint. Statuses follow the app's snapshots in upload order (uploaded_at, id), not
-- the order analyses finish: server/store_leaks.c recomputes them, under a row lock on the
-- app, each time an analysis of the app finishes or a user changes a choice; the transition
-- rules are server/leak_status.h's (and the README's table). Every status change is an event.
-- Labels branch and environment join version, host and commit on snapshots.
-- The functions at the end choose an analysis's baseline and compare two analyses; the
-- report, compare and verdict routes (server/api_leaks.c) call them.

ALTER TABLE apps ADD COLUMN resolve_after int NOT NULL DEFAULT 3 CHECK (resolve_after BETWEEN 1 AND 1000);
ALTER TABLE snapshots ADD COLUMN branch text, ADD COLUMN environment text;
-- an app's snapshots in upload order, and those of one branch
CREATE INDEX snapshots_app_upload_order ON snapshots (app_id, uploaded_at, id);
CREATE INDEX snapshots_app_branch ON snapshots (app_id, branch, uploaded_at, id) WHERE branch IS NOT NULL;

CREATE TABLE leaks (
    id                      bigserial PRIMARY KEY,
    customer_id             bigint NOT NULL,
    app_id                  bigint NOT NULL,
    fingerprint             text NOT NULL,
    kind                    text NOT NULL CHECK (kind <> 'large_retainer'),
    title                   text NOT NULL,                 -- of the latest occurrence (upload order)
    status                  text NOT NULL DEFAULT 'new'
                            CHECK (status IN ('new', 'recurring', 'resolved', 'regressed', 'ignored')),
    user_status             text CHECK (user_status IN ('resolved', 'ignored')), -- the user's choice
    user_status_at          timestamptz,                   -- when it was made
    user_status_by          text,                          -- the API key prefix that made it
    occurrences             int NOT NULL DEFAULT 0,
    first_snapshot_id       bigint,
    first_analysis_id       bigint,
    first_seen_at           timestamptz,                   -- the first occurrence's upload time
    last_snapshot_id        bigint,
    last_analysis_id        bigint,
    last_seen_at            timestamptz,
    latest_retained_size    bigint,
    latest_retained_percent real,
    peak_retained_size      bigint,
    peak_retained_percent   real,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    UNIQUE (app_id, fingerprint),
    UNIQUE (id, customer_id),
    FOREIGN KEY (app_id, customer_id) REFERENCES apps (id, customer_id) ON DELETE CASCADE
);
CREATE INDEX leaks_customer_last_seen ON leaks (customer_id, last_seen_at DESC, id DESC);

CREATE TABLE leak_occurrences (
    leak_id          bigint NOT NULL,
    customer_id      bigint NOT NULL,
    snapshot_id      bigint NOT NULL,
    analysis_id      bigint NOT NULL,
    finding_id       bigint NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
    retained_size    bigint NOT NULL,
    retained_percent real NOT NULL,
    levels           bigint,          -- chains: the finding's levels
    count            bigint,          -- clusters and holders: the finding's count
    status           text,            -- the leak's status as of this snapshot (upload order)
    PRIMARY KEY (leak_id, snapshot_id),
    FOREIGN KEY (leak_id, customer_id) REFERENCES leaks (id, customer_id) ON DELETE CASCADE,
    FOREIGN KEY (snapshot_id, customer_id) REFERENCES snapshots (id, customer_id) ON DELETE CASCADE,
    FOREIGN KEY (analysis_id, customer_id) REFERENCES analyses (id, customer_id) ON DELETE CASCADE
);
CREATE INDEX leak_occurrences_analysis ON leak_occurrences (analysis_id);

CREATE TABLE leak_events (
    id          bigserial PRIMARY KEY,
    leak_id     bigint NOT NULL,
    customer_id bigint NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text NOT NULL,        -- 'system', or the API key prefix of the user
    from_status text,                 -- NULL when the leak was created
    to_status   text NOT NULL,
    analysis_id bigint,               -- the analysis whose finishing caused it, if one did
    reason      text NOT NULL,
    FOREIGN KEY (leak_id, customer_id) REFERENCES leaks (id, customer_id) ON DELETE CASCADE
);
CREATE INDEX leak_events_leak ON leak_events (leak_id, id);

-- The baseline of an analysis: the latest done analysis of the snapshot uploaded last before
-- its own, in the same app, on the same branch when its snapshot has one. NULL when none.
CREATE FUNCTION lt_baseline_analysis(p_analysis bigint, p_customer bigint) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT b.id
    FROM analyses a
    JOIN snapshots s ON s.id = a.snapshot_id AND s.customer_id = a.customer_id
    JOIN snapshots bs ON bs.app_id = s.app_id AND bs.customer_id = s.customer_id
         AND (bs.uploaded_at, bs.id) < (s.uploaded_at, s.id)
         AND (s.branch IS NULL OR bs.branch = s.branch)
    JOIN analyses b ON b.snapshot_id = bs.id AND b.customer_id = bs.customer_id AND b.state = 'done'
    WHERE a.id = p_analysis AND a.customer_id = p_customer
    ORDER BY bs.uploaded_at DESC, bs.id DESC, b.id DESC
    LIMIT 1
$$;

-- The findings of an analysis that are leaks (one per fingerprint, the highest ranked),
-- with their leak's id in the analysis's app.
CREATE FUNCTION lt_analysis_leaks(p_analysis bigint, p_customer bigint)
RETURNS TABLE (fingerprint text, kind text, title text, retained_size bigint, leak_id bigint)
LANGUAGE sql STABLE AS $$
    SELECT DISTINCT ON (f.fingerprint) f.fingerprint, f.kind, f.title, f.retained_size, l.id
    FROM findings f LEFT JOIN leaks l ON l.app_id = f.app_id AND l.fingerprint = f.fingerprint
    WHERE f.analysis_id = p_analysis AND f.customer_id = p_customer AND f.kind <> 'large_retainer'
    ORDER BY f.fingerprint, f.rank
$$;

-- Analysis p_after against p_before (NULL: no baseline) as the report's `comparison`:
-- heap (sum of self sizes) before/after/change, classes (only the classes each analysis
-- stored, its top by retained size; a class missing on one side is null there and counts
-- as 0 in `change`), sorted by retained growth; leaks new/still/gone by fingerprint.
CREATE FUNCTION lt_comparison(p_after bigint, p_before bigint, p_customer bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    WITH heap AS (
        SELECT sb.total_size AS before, sa.total_size AS after
        FROM analyses a JOIN snapshots sa ON sa.id = a.snapshot_id AND sa.customer_id = a.customer_id,
             analyses b JOIN snapshots sb ON sb.id = b.snapshot_id AND sb.customer_id = b.customer_id
        WHERE a.id = p_after AND a.customer_id = p_customer AND b.id = p_before AND b.customer_id = p_customer
    ), cls AS (
        SELECT coalesce(x.key, y.key) AS key, coalesce(x.class, y.class) AS class,
               y.count AS count_before, x.count AS count_after,
               y.shallow_size AS shallow_before, x.shallow_size AS shallow_after,
               y.retained_size AS retained_before, x.retained_size AS retained_after
        FROM (SELECT * FROM class_stats WHERE analysis_id = p_after) x
        FULL JOIN (SELECT * FROM class_stats WHERE analysis_id = p_before) y ON x.key = y.key
        WHERE p_before IS NOT NULL
    ), lk AS (
        SELECT coalesce(x.fingerprint, y.fingerprint) AS fingerprint, coalesce(x.kind, y.kind) AS kind,
               coalesce(x.title, y.title) AS title, coalesce(x.leak_id, y.leak_id) AS leak_id,
               y.retained_size AS retained_before, x.retained_size AS retained_after,
               CASE WHEN y.fingerprint IS NULL THEN 'new' WHEN x.fingerprint IS NULL THEN 'gone' ELSE 'still' END AS bucket
        FROM lt_analysis_leaks(p_after, p_customer) x
        FULL JOIN (SELECT * FROM lt_analysis_leaks(p_before, p_customer) WHERE p_before IS NOT NULL) y
             ON x.fingerprint = y.fingerprint
    )
    SELECT jsonb_build_object(
        'baseline_analysis_id', p_before,
        'heap', (SELECT jsonb_build_object('before', before, 'after', after, 'change', after - before,
                        'change_percent', CASE WHEN before > 0 THEN round(100.0 * (after - before) / before, 2) END)
                 FROM heap),
        'classes_compared', 'the classes each analysis stored (its top by retained size); a class missing on one side is null there',
        'classes', coalesce((SELECT jsonb_agg(jsonb_build_object(
                'class', class, 'key', key,
                'count', jsonb_build_object('before', count_before, 'after', count_after,
                                            'change', coalesce(count_after, 0) - coalesce(count_before, 0)),
                'shallow_size', jsonb_build_object('before', shallow_before, 'after', shallow_after,
                                            'change', coalesce(shallow_after, 0) - coalesce(shallow_before, 0)),
                'retained_size', jsonb_build_object('before', retained_before, 'after', retained_after,
                                            'change', coalesce(retained_after, 0) - coalesce(retained_before, 0)))
                ORDER BY coalesce(retained_after, 0) - coalesce(retained_before, 0) DESC, key) FROM cls), '[]'::jsonb),
        'leaks', jsonb_build_object(
            'new', coalesce((SELECT jsonb_agg(to_jsonb(lk) - 'bucket' ORDER BY retained_after DESC, fingerprint)
                             FROM lk WHERE bucket = 'new'), '[]'::jsonb),
            'still', coalesce((SELECT jsonb_agg(to_jsonb(lk) - 'bucket' ORDER BY retained_after DESC, fingerprint)
                               FROM lk WHERE bucket = 'still'), '[]'::jsonb),
            'gone', coalesce((SELECT jsonb_agg(to_jsonb(lk) - 'bucket' ORDER BY retained_before DESC, fingerprint)
                              FROM lk WHERE bucket = 'gone'), '[]'::jsonb)))
$$;

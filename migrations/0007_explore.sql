-- 0007_explore: what a report page explores, per analysis (analysis/include/explore.h):
-- every class of DevTools' Summary view (class_stats keeps the report's top classes), and
-- the summary of the dominator tree with its retainer-path links. Written by
-- server/store_explore.c with COPY in the transaction that stores the results; read by
-- server/api_explore.c (/classes, /tree, /path). Rows belong to their analysis: every read
-- joins analyses on the caller's customer_id.

CREATE TABLE analysis_classes (
    analysis_id   bigint NOT NULL REFERENCES analyses (id) ON DELETE CASCADE,
    ord           int NOT NULL,    -- DevTools' order of first appearance (ties in keyset paging)
    class         text NOT NULL,
    key           text NOT NULL,   -- ',Name' or 'script_id,line,column,Name'
    count         bigint NOT NULL,
    shallow_size  bigint NOT NULL,
    retained_size bigint NOT NULL,
    distance      int NOT NULL,
    script        text,            -- the allocation site's script, when known
    line          int,             -- 1-based, with an allocation site
    col           int,
    PRIMARY KEY (analysis_id, ord)
);
-- one index per order the class table is served in (GET .../classes?sort=)
CREATE INDEX analysis_classes_retained ON analysis_classes (analysis_id, retained_size DESC, ord);
CREATE INDEX analysis_classes_shallow ON analysis_classes (analysis_id, shallow_size DESC, ord);
CREATE INDEX analysis_classes_count ON analysis_classes (analysis_id, count DESC, ord);
CREATE INDEX analysis_classes_distance ON analysis_classes (analysis_id, distance, ord);
CREATE INDEX analysis_classes_name ON analysis_classes (analysis_id, class COLLATE "C", ord);

-- One row per summary row: a node ('node'), folded siblings ('more'), collapsed levels of a
-- repeating period ('chain'), or a node that is only on a retainer path ('path').
-- tree_parent is the row it hangs under (NULL: the root, row 0, and 'path' rows); rows of
-- one parent are in display order by row_no. path_parent is the row of the previous node on
-- the retainer path from the GC roots, reached through the edge named `edge`, with
-- path_skipped nodes of a collapsed chain between them.
CREATE TABLE analysis_tree (
    analysis_id   bigint NOT NULL REFERENCES analyses (id) ON DELETE CASCADE,
    row_no        int NOT NULL,
    tree_parent   int,
    child_count   int NOT NULL,
    path_parent   int,
    path_skipped  int NOT NULL DEFAULT 0,
    kind          text NOT NULL CHECK (kind IN ('node', 'more', 'chain', 'path')),
    node_id       bigint,          -- the node's id (a chain's first node); NULL for 'more'
    type          text,
    class         text NOT NULL,   -- '' for a 'more' row of mixed classes
    name          text NOT NULL,   -- a chain's period: 'system / Context → Promise → ...'
    edge          text NOT NULL,   -- the edge from path_parent ('' when none)
    self_size     bigint,
    retained_size bigint NOT NULL, -- 'more': of its objects together
    distance      int,
    count         bigint NOT NULL, -- 'more': objects folded; 'chain': levels; else 1
    PRIMARY KEY (analysis_id, row_no)
);
CREATE INDEX analysis_tree_children ON analysis_tree (analysis_id, tree_parent, row_no);
CREATE INDEX analysis_tree_node ON analysis_tree (analysis_id, node_id) WHERE kind IN ('node', 'path');

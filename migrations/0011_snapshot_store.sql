-- 0011_snapshot_store: several machines on one database, with no shared disk
-- (server/snapshot_store.h). A snapshot's bytes are either in the spool folder of one
-- machine (store 'local': machine_id names the data folder holding the file, NULL for rows
-- from before this migration, readable wherever they are found) or in a PostgreSQL large
-- object (store 'postgres': large_object, readable by every machine). spool_path becomes
-- the file's name in a spool folder (its SHA-256 in hex), never a path only one machine
-- understands.
--
-- Jobs: not_before holds a retried or released job back (exponential back-off); releases
-- counts how often a machine that could not read the snapshot gave the job back.

ALTER TABLE snapshots
    ADD COLUMN store text NOT NULL DEFAULT 'local' CHECK (store IN ('local', 'postgres')),
    ADD COLUMN machine_id text,
    ADD COLUMN large_object oid,
    ADD CONSTRAINT snapshots_store_object CHECK (store = 'local' OR large_object IS NOT NULL
                                                 OR bytes_removed_at IS NOT NULL);
UPDATE snapshots SET spool_path = regexp_replace(spool_path, '^.*/', '') WHERE spool_path LIKE '%/%';

ALTER TABLE analyses
    ADD COLUMN not_before timestamptz,
    ADD COLUMN releases int NOT NULL DEFAULT 0 CHECK (releases >= 0);

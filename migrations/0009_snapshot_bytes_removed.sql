-- Raw snapshot files can go while their results stay: `serve --keep-snapshots DAYS`
-- removes the spool files of snapshots uploaded more than DAYS days ago and records here
-- when (the row, its analyses and findings stay; a job of such a snapshot fails at once).
ALTER TABLE snapshots ADD COLUMN bytes_removed_at timestamptz;
-- the retention sweep: snapshots whose bytes are still kept, oldest first
CREATE INDEX snapshots_bytes_kept ON snapshots (uploaded_at) WHERE bytes_removed_at IS NULL;

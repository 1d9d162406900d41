-- 0004_failed_analyses: why a failed analysis failed, so clients can tell the user's input
-- from the service's trouble (`leaktriage upload` exits 2 for the first, 3 for the second).
--
-- error_kind is set with error by server/jobs.c: 'bad_input' when the snapshot cannot be
-- analysed (bad, truncated or not a snapshot: failed at once, another attempt would read
-- the same bytes), 'internal' for everything else (out of memory, the spool file missing,
-- a worker that died; failed once its attempts are used up). NULL while it has no error.
-- POST /api/v1/analyses/{id}/retry clears both and queues the analysis again.

ALTER TABLE analyses ADD COLUMN error_kind text CHECK (error_kind IN ('bad_input', 'internal'));

-- 0002_jobs_notify: wake the analysis workers when a job becomes queued.
--
-- server/jobs.c LISTENs on the channel leaktriage_jobs (LT_JOBS_CHANNEL) and claims a job
-- as soon as an upload inserts a queued analysis or a failed attempt puts one back; it
-- also polls, so this only saves the polling delay. Notifications of one transaction are
-- delivered at its commit, one per transaction (same channel, same payload).

CREATE FUNCTION analyses_notify_queued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('leaktriage_jobs', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER analyses_queued AFTER INSERT OR UPDATE OF state ON analyses
    FOR EACH ROW WHEN (NEW.state = 'queued') EXECUTE FUNCTION analyses_notify_queued();

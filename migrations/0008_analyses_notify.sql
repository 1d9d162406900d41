-- 0008_analyses_notify: wake the requests waiting on an analysis (`?wait=`) when it changes state.
--
-- server/http_guard.c LISTENs on the channel leaktriage_analyses (LT_HTTP_GUARD_CHANNEL) with
-- one connection per server and resumes the suspended requests waiting for the analysis
-- whose id is the payload; it also rechecks every few seconds, so this only saves the delay.

CREATE FUNCTION analyses_notify_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('leaktriage_analyses', NEW.id::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER analyses_state AFTER UPDATE OF state ON analyses
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION analyses_notify_state();

-- 0010_fair_claim: the indexes of server/jobs.c's fair claim. A worker takes the queued job
-- of the customer whose latest analysis started longest ago, among customers with fewer
-- than --per-customer analyses running: both lookups are per customer.

CREATE INDEX analyses_customer_started ON analyses (customer_id, started_at);
CREATE INDEX analyses_customer_running ON analyses (customer_id) WHERE state = 'running';

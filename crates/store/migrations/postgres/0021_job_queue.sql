-- The fair lease walks the tenants with queued jobs (a skip scan) and takes each one's first
-- few in order: queued jobs by tenant (jobs of no tenant as ''), then by time.
CREATE INDEX jobs_queue ON jobs ((COALESCE(org_id, '')), run_at, id) WHERE status = 'queued';

-- The fair lease walks the tenants with queued jobs (a skip scan) and takes each one's first
-- few of each kind it runs, in order: queued jobs by tenant (jobs of no tenant as ''), kind
-- and time. The kind is in the key so that a node that does not run a kind (no SMTP: no
-- send_mail) never walks a backlog of it.
CREATE INDEX jobs_queue ON jobs ((COALESCE(org_id, '')), kind, run_at, id) WHERE status = 'queued';
-- Leases that ran out (a dead worker's jobs), and finished jobs for pruning. They replace
-- (status, run_at), which no query needs any more and which tempted the planner, on a young
-- table without statistics, to read every queued job for a lease of eight.
DROP INDEX jobs_due;
CREATE INDEX jobs_leased ON jobs (leased_until) WHERE status = 'running';
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE status IN ('done', 'failed');

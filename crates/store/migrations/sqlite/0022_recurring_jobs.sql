-- Recurring work as jobs (issue 17): housekeeping and the monitoring schedule are queued once
-- per time slot by whichever node claims the slot first, so several nodes never run them
-- twice, and they are visible, retried and leased like any other job.
CREATE TABLE recurring_jobs (
    name       TEXT PRIMARY KEY,
    -- The last slot (start time in ms divided by the period) a node claimed.
    last_slot  BIGINT NOT NULL
);

-- SQLite cannot alter a CHECK: the job table is rebuilt with the two new kinds, and its
-- indexes with it.
CREATE TABLE jobs_next (
    id            INTEGER PRIMARY KEY,
    org_id        TEXT REFERENCES orgs(id),
    kind          TEXT NOT NULL CHECK (kind IN ('send_mail', 'screen_case', 'assess_risk', 'process_document',
                                                'review_case', 'dispatch_idv', 'monitor_case', 'housekeeping',
                                                'schedule_monitoring')),
    payload       TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL,
    run_at        BIGINT NOT NULL,
    leased_until  BIGINT,
    last_error    TEXT,
    created_at    BIGINT NOT NULL,
    finished_at   BIGINT
);
INSERT INTO jobs_next SELECT id, org_id, kind, payload, status, attempts, max_attempts, run_at, leased_until,
       last_error, created_at, finished_at FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_next RENAME TO jobs;
CREATE INDEX jobs_org ON jobs (org_id, id);
CREATE INDEX jobs_queue ON jobs ((COALESCE(org_id, '')), kind, run_at, id) WHERE status = 'queued';
CREATE INDEX jobs_leased ON jobs (leased_until) WHERE status = 'running';
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE status IN ('done', 'failed');

-- The portal's way back in (issue 18): a customer who asks for a new link by email finds their
-- open cases in every tenant by that address, compared without regard to ASCII letter case.
-- SQLite's lower() folds ASCII letters only; PostgreSQL's twin index folds under the C
-- collation, which does the same, so both backends match the same addresses.
CREATE INDEX cases_customer_email ON cases (lower(customer_email));
-- A new link also ends the confirmation link of the application that opened the case.
CREATE INDEX public_applications_case ON public_applications (case_id);

-- The request for new links runs as a job (`send_portal_links`), so the answer takes the same
-- time whether or not the address has a case. SQLite cannot alter a CHECK: the job table is
-- rebuilt with the new kind, and its indexes with it.
CREATE TABLE jobs_next (
    id            INTEGER PRIMARY KEY,
    org_id        TEXT REFERENCES orgs(id),
    kind          TEXT NOT NULL CHECK (kind IN ('send_mail', 'screen_case', 'assess_risk', 'process_document',
                                                'review_case', 'dispatch_idv', 'monitor_case', 'housekeeping',
                                                'schedule_monitoring', 'send_portal_links')),
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

-- One durable job table for background work (fml_domain::jobs): leased with a deadline, so a
-- job whose worker died runs again; retried with backoff; visible with `fml jobs list`.
CREATE TABLE jobs (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id        TEXT REFERENCES orgs(id),
    kind          TEXT NOT NULL CHECK (kind IN ('send_mail')),
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
CREATE INDEX jobs_due ON jobs (status, run_at);
CREATE INDEX jobs_org ON jobs (org_id, id);

-- Mail waiting in the outbox becomes send_mail jobs; the outbox keeps the messages.
INSERT INTO jobs (org_id, kind, payload, status, attempts, max_attempts, run_at, created_at)
SELECT org_id, 'send_mail', '{"kind":"send_mail","mailId":' || CAST(id AS TEXT) || '}', 'queued', attempts, 8,
       next_attempt_at, created_at
FROM mail_outbox WHERE status IN ('pending', 'sending');

-- Bulk recovery (issue 19): `POST /v1/webhook-endpoints/{id}/recover` re-queues every failed
-- delivery of a window as a durable job (`recover_deliveries`). Its row is the progress the
-- console and `fml endpoint recover` show, and the cursor a resumed run goes on from; one runs
-- per endpoint at a time.
CREATE TABLE delivery_recoveries (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs(id),
    endpoint_id   TEXT NOT NULL REFERENCES webhook_endpoints(id),
    since_at      BIGINT NOT NULL,
    until_at      BIGINT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('running', 'done')),
    -- Failed deliveries in the window when it began, and how many are re-queued so far.
    total         BIGINT NOT NULL,
    requeued      BIGINT NOT NULL,
    -- The last delivery id looked at: a resumed run goes on after it.
    last_id       BIGINT NOT NULL,
    requested_by  TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    finished_at   BIGINT
);
CREATE UNIQUE INDEX delivery_recoveries_running ON delivery_recoveries (endpoint_id) WHERE status = 'running';
CREATE INDEX delivery_recoveries_endpoint ON delivery_recoveries (org_id, endpoint_id, created_at);
-- A recovery walks an endpoint's failed deliveries in id order.
CREATE INDEX deliveries_failed ON deliveries (endpoint_id, id) WHERE status = 'failed';

ALTER TABLE jobs DROP CONSTRAINT IF EXISTS jobs_kind_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_kind_check
    CHECK (kind IN ('send_mail', 'screen_case', 'assess_risk', 'process_document', 'review_case', 'dispatch_idv',
                    'monitor_case', 'housekeeping', 'schedule_monitoring', 'send_portal_links',
                    'recover_deliveries'));

-- Automatic disabling (issue 19): an endpoint that failed every attempt for days is disabled
-- by housekeeping; the console says why and when, beside the button that enables it again.
-- A 410 Gone disables at once and says so too.
ALTER TABLE webhook_endpoints ADD COLUMN disabled_reason TEXT;
ALTER TABLE webhook_endpoints ADD COLUMN disabled_at BIGINT;
-- Since when it has been enabled (NULL: since it was created): enabling it again gives it a
-- fresh start, so the failures that disabled it cannot disable it again at once.
ALTER TABLE webhook_endpoints ADD COLUMN enabled_at BIGINT;

-- Trace export (issue 19): an event keeps the W3C traceparent of the request that caused it
-- (when traces are exported), so its delivery attempts join that trace.
ALTER TABLE events ADD COLUMN trace_parent TEXT;

-- `fml listen` (issue 19): a session streams its tenant's events to a developer's laptop.
-- Sample events (`fml trigger`) are written for one session only, never to the outbox, so
-- no endpoint receives them.
CREATE TABLE listen_sessions (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs(id),
    client_id     TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL
);
CREATE INDEX listen_sessions_client ON listen_sessions (org_id, client_id, last_seen_at);
CREATE TABLE listen_samples (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES listen_sessions(id),
    event_type  TEXT NOT NULL,
    payload     TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX listen_samples_session ON listen_samples (session_id, id);

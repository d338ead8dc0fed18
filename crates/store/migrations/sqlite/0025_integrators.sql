-- Test pings are deliveries (issue 19): the pre-save ping and an endpoint's Test each get a
-- delivery row of their own, so the id sent as `X-FML-Delivery-Id` is a real one that support
-- can look up, and Recent Deliveries lists them. A pre-save ping has no endpoint yet, so
-- `endpoint_id` may be NULL; `test` marks these rows (sent once, never claimed or redelivered)
-- and `target_url` keeps the address a test was sent to. An attempt keeps the receiver's whole
-- response body up to 64 KiB; `response_truncated` says it was longer.
--
-- SQLite cannot make a column nullable in place: both tables are rebuilt, the attempts first
-- so that no row ever points at a missing delivery (foreign keys stay on in a migration).
CREATE TABLE deliveries_next (
    id               INTEGER PRIMARY KEY,
    org_id           TEXT NOT NULL REFERENCES orgs(id),
    endpoint_id      TEXT REFERENCES webhook_endpoints(id),
    event_row        BIGINT NOT NULL REFERENCES events(id),
    event_id         TEXT NOT NULL,
    event_type       TEXT NOT NULL,
    case_id          TEXT,
    -- pending | delivered | failed
    status           TEXT NOT NULL,
    attempt_count    INTEGER NOT NULL,
    -- Failed automatic attempts: the position in the retry schedule.
    auto_failures    INTEGER NOT NULL,
    -- A manual redelivery of a finished delivery: one attempt, no schedule.
    manual           BOOLEAN NOT NULL,
    -- When a pending delivery is next due; while an attempt is in flight, when its lease ends.
    next_attempt_at  BIGINT,
    last_http_status INTEGER,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    leased_until     BIGINT,
    test             BOOLEAN NOT NULL DEFAULT FALSE,
    target_url       TEXT
);
INSERT INTO deliveries_next SELECT id, org_id, endpoint_id, event_row, event_id, event_type, case_id, status,
       attempt_count, auto_failures, manual, next_attempt_at, last_http_status, created_at, updated_at,
       leased_until, FALSE, NULL FROM deliveries;
CREATE TABLE delivery_attempts_next (
    id             INTEGER PRIMARY KEY,
    delivery_id    BIGINT NOT NULL REFERENCES deliveries_next(id),
    attempt        INTEGER NOT NULL,
    manual         BOOLEAN NOT NULL,
    started_at     BIGINT NOT NULL,
    -- 0 when there was no response (timeout, network error).
    http_status    INTEGER NOT NULL,
    duration_ms    BIGINT NOT NULL,
    error          TEXT,
    response_body  TEXT,
    response_truncated BOOLEAN NOT NULL DEFAULT FALSE
);
-- Bodies recorded before this were cut at 500 bytes: the 500-byte ones are marked cut.
INSERT INTO delivery_attempts_next SELECT id, delivery_id, attempt, manual, started_at, http_status, duration_ms,
       error, response_body, length(CAST(response_body AS BLOB)) >= 500 FROM delivery_attempts;
DROP TABLE delivery_attempts;
DROP TABLE deliveries;
-- Renaming also rewrites delivery_attempts_next's reference to name `deliveries`.
ALTER TABLE deliveries_next RENAME TO deliveries;
ALTER TABLE delivery_attempts_next RENAME TO delivery_attempts;
CREATE INDEX deliveries_due ON deliveries (endpoint_id, next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_org ON deliveries (org_id, id);
CREATE INDEX deliveries_event ON deliveries (event_row);
CREATE INDEX deliveries_case ON deliveries (case_id, id);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, attempt);

-- "Email sent" means sent (issue 19): an email that announces an event (outreach.email.sent,
-- idv.dispatched, edd.requested) carries it here, timed when the message is handed to SMTP,
-- and it is emitted in the transaction that marks the message sent. A message that fails for
-- good announces nothing.
ALTER TABLE mail_outbox ADD COLUMN announce TEXT;
-- The case page lists a case's emails, failed ones included.
CREATE INDEX mail_outbox_case ON mail_outbox (case_id, id);

-- Signing per endpoint (issue 19): the guide's scheme or Standard Webhooks, and a rotation's
-- grace period, during which the previous secret (sealed like the current one) signs too.
ALTER TABLE webhook_endpoints ADD COLUMN signature_scheme TEXT NOT NULL DEFAULT 'fml-v1'
    CHECK (signature_scheme IN ('fml-v1', 'standard-webhooks'));
ALTER TABLE webhook_endpoints ADD COLUMN previous_secret_sealed BLOB;
ALTER TABLE webhook_endpoints ADD COLUMN previous_secret_until BIGINT;

-- Endpoint health (issue 19): attempts, successes and total latency per endpoint and hour,
-- added to in the same statement or transaction that records each batch of attempts, so the
-- last day's and week's success rate and latency are a read of at most 168 rows an endpoint.
CREATE TABLE endpoint_stats (
    endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints(id),
    -- The hour's start, in milliseconds.
    hour             BIGINT NOT NULL,
    attempts         BIGINT NOT NULL,
    successes        BIGINT NOT NULL,
    duration_ms_sum  BIGINT NOT NULL,
    PRIMARY KEY (endpoint_id, hour)
);

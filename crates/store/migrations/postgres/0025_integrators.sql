-- Test pings are deliveries (issue 19): the pre-save ping and an endpoint's Test each get a
-- delivery row of their own, so the id sent as `X-FML-Delivery-Id` is a real one that support
-- can look up, and Recent Deliveries lists them. A pre-save ping has no endpoint yet, so
-- `endpoint_id` may be NULL; `test` marks these rows (sent once, never claimed or redelivered)
-- and `target_url` keeps the address a test was sent to. An attempt keeps the receiver's whole
-- response body up to 64 KiB; `response_truncated` says it was longer. (SQLite rebuilds the two
-- tables; a constant default is a catalog change here.)
ALTER TABLE deliveries ALTER COLUMN endpoint_id DROP NOT NULL;
ALTER TABLE deliveries ADD COLUMN test BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE deliveries ADD COLUMN target_url TEXT;
ALTER TABLE delivery_attempts ADD COLUMN response_truncated BOOLEAN NOT NULL DEFAULT FALSE;
-- Bodies recorded before this were cut at 500 bytes: the 500-byte ones are marked cut.
UPDATE delivery_attempts SET response_truncated = TRUE WHERE octet_length(response_body) >= 500;

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
ALTER TABLE webhook_endpoints ADD COLUMN previous_secret_sealed BYTEA;
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

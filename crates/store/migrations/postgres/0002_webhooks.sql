-- Outbound webhooks: endpoints and their subscriptions, one delivery per (event, endpoint),
-- and every attempt of every delivery.

CREATE TABLE webhook_endpoints (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES orgs(id),
    url            TEXT NOT NULL,
    label          TEXT NOT NULL,
    -- The shared secret sealed under the master key (never stored readable).
    secret_sealed  BYTEA NOT NULL,
    enabled        BOOLEAN NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    -- Deleted endpoints keep their delivery history readable.
    deleted_at     BIGINT
);
CREATE INDEX webhook_endpoints_org ON webhook_endpoints (org_id, created_at);

CREATE TABLE endpoint_subscriptions (
    endpoint_id  TEXT NOT NULL REFERENCES webhook_endpoints(id),
    event_type   TEXT NOT NULL,
    PRIMARY KEY (endpoint_id, event_type)
);

CREATE TABLE deliveries (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id           TEXT NOT NULL REFERENCES orgs(id),
    endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints(id),
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
    updated_at       BIGINT NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (endpoint_id, next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_org ON deliveries (org_id, id);
CREATE INDEX deliveries_event ON deliveries (event_row);

CREATE TABLE delivery_attempts (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id    BIGINT NOT NULL REFERENCES deliveries(id),
    attempt        INTEGER NOT NULL,
    manual         BOOLEAN NOT NULL,
    started_at     BIGINT NOT NULL,
    -- 0 when there was no response (timeout, network error).
    http_status    INTEGER NOT NULL,
    duration_ms    BIGINT NOT NULL,
    error          TEXT,
    response_body  TEXT
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, attempt);

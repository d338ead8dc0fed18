-- Foundation: tenants, API clients and tokens, cases, invites, the mail and event outboxes,
-- idempotency keys. Instants are BIGINT milliseconds since the Unix epoch on both backends.

CREATE TABLE orgs (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE api_clients (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES orgs(id),
    name         TEXT NOT NULL,
    secret_hash  TEXT NOT NULL,
    scopes       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX api_clients_org ON api_clients (org_id, created_at);

CREATE TABLE access_tokens (
    token_hash  TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    client_id   TEXT NOT NULL REFERENCES api_clients(id),
    scopes      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX access_tokens_expiry ON access_tokens (expires_at);
CREATE INDEX access_tokens_client ON access_tokens (client_id);

CREATE TABLE case_counters (
    org_id  TEXT NOT NULL REFERENCES orgs(id),
    year    INTEGER NOT NULL,
    last    BIGINT NOT NULL,
    PRIMARY KEY (org_id, year)
);

CREATE TABLE cases (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES orgs(id),
    reference       TEXT NOT NULL,
    status          TEXT NOT NULL,
    source          TEXT NOT NULL,
    customer_email  TEXT,
    customer_name   TEXT,
    company_name    TEXT,
    company_number  TEXT,
    country         TEXT,
    entity_type     TEXT,
    crm_record_id   TEXT,
    crm_source      TEXT,
    invite_sent_at  BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX cases_org_reference ON cases (org_id, reference);
-- The (orgId, crmRecordId) dedup: NULLs are distinct, so cases without a CRM id never collide.
CREATE UNIQUE INDEX cases_org_crm_record ON cases (org_id, crm_record_id);
CREATE INDEX cases_org_id ON cases (org_id, id);

CREATE TABLE case_invites (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    case_id     TEXT NOT NULL REFERENCES cases(id),
    email       TEXT NOT NULL,
    token_hash  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE UNIQUE INDEX case_invites_token ON case_invites (token_hash);
CREATE INDEX case_invites_case ON case_invites (case_id);

CREATE TABLE mail_outbox (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id           TEXT NOT NULL REFERENCES orgs(id),
    case_id          TEXT,
    kind             TEXT NOT NULL,
    recipient        TEXT NOT NULL,
    subject          TEXT NOT NULL,
    -- The message (it carries the magic link) sealed under the master key; emptied once sent.
    body_sealed      BYTEA,
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    next_attempt_at  BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    sent_at          BIGINT
);
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);
CREATE INDEX mail_outbox_org ON mail_outbox (org_id, id);

CREATE TABLE events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id    TEXT NOT NULL,
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    event_type  TEXT NOT NULL,
    case_id     TEXT,
    payload     TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX events_event_id ON events (event_id);
CREATE INDEX events_org ON events (org_id, id);

CREATE TABLE idempotency_keys (
    org_id         TEXT NOT NULL REFERENCES orgs(id),
    key            TEXT NOT NULL,
    route          TEXT NOT NULL,
    fingerprint    TEXT NOT NULL,
    status_code    INTEGER,
    response_body  TEXT,
    locked_at      BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    PRIMARY KEY (org_id, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

-- Public applications: off until a tenant's admin turns them on, and limited per client
-- address per hour (the limit is the tenant's).
ALTER TABLE org_settings ADD COLUMN public_applications BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE org_settings ADD COLUMN public_applications_per_hour INTEGER NOT NULL DEFAULT 5
    CHECK (public_applications_per_hour BETWEEN 1 AND 1000);

-- An application through the public link, waiting for its applicant to confirm their email.
-- The case opens when they follow the link (case_id then set); the same link later starts a
-- new portal session for that case, until it expires.
CREATE TABLE public_applications (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES orgs(id),
    token_hash      TEXT NOT NULL UNIQUE,
    customer_email  TEXT NOT NULL,
    details         TEXT NOT NULL,
    address         TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    confirmed_at    BIGINT,
    case_id         TEXT REFERENCES cases(id)
);
CREATE INDEX public_applications_expiry ON public_applications (expires_at);

-- Each tenant's mail per hour is capped: a message's latest send attempt is counted.
ALTER TABLE mail_outbox ADD COLUMN last_attempt_at BIGINT;
CREATE INDEX mail_outbox_attempts ON mail_outbox (org_id, last_attempt_at);

-- The blob collector asks which stored files documents still name.
CREATE INDEX documents_sha256 ON documents (sha256);

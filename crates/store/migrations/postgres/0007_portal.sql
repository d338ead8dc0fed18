-- The customer portal: sessions from redeemed magic links, and the customer's application.

CREATE TABLE portal_sessions (
    token_hash  TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    case_id     TEXT NOT NULL REFERENCES cases(id),
    email       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX portal_sessions_expiry ON portal_sessions (expires_at);
CREATE INDEX portal_sessions_case ON portal_sessions (case_id);

-- The application as the customer last saved it (JSON, fml_domain::application).
CREATE TABLE case_applications (
    case_id     TEXT PRIMARY KEY REFERENCES cases(id),
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    data        TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);


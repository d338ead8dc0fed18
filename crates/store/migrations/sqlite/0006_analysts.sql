-- Analysts and their sessions, tenant settings, the audit log, and what the case lifecycle
-- adds to cases. Every enumerated column is checked against the domain's spellings.

CREATE TABLE analysts (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES orgs(id),
    -- Lower-cased. Unique across tenants: a login names only the email.
    email           TEXT NOT NULL,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('analyst', 'senior', 'admin')),
    -- Argon2id, as a PHC string.
    password_hash   TEXT NOT NULL,
    -- SHA-256 of the personal API token (random, 256 bits).
    api_token_hash  TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    disabled_at     BIGINT
);
CREATE UNIQUE INDEX analysts_email ON analysts (email);
CREATE UNIQUE INDEX analysts_api_token ON analysts (api_token_hash);
CREATE INDEX analysts_org ON analysts (org_id, email);

CREATE TABLE analyst_sessions (
    token_hash  TEXT PRIMARY KEY,
    analyst_id  TEXT NOT NULL REFERENCES analysts(id),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX analyst_sessions_expiry ON analyst_sessions (expires_at);
CREATE INDEX analyst_sessions_analyst ON analyst_sessions (analyst_id);

-- What every email and the portal show of a tenant.
CREATE TABLE org_settings (
    org_id         TEXT PRIMARY KEY REFERENCES orgs(id),
    display_name   TEXT,
    logo_url       TEXT,
    support_email  TEXT,
    updated_at     BIGINT NOT NULL
);

-- Who did what, when. org_id is null only for a failed login naming no known account.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    org_id      TEXT REFERENCES orgs(id),
    case_id     TEXT,
    actor_kind  TEXT NOT NULL CHECK (actor_kind IN ('analyst', 'customer', 'client', 'system', 'anonymous')),
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    detail      TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX audit_log_org ON audit_log (org_id, id);
CREATE INDEX audit_log_case ON audit_log (case_id, id);

ALTER TABLE cases ADD COLUMN owner_id TEXT REFERENCES analysts(id);
ALTER TABLE cases ADD COLUMN created_by TEXT;
ALTER TABLE cases ADD COLUMN decision_notes TEXT;
ALTER TABLE cases ADD COLUMN decided_by TEXT;
ALTER TABLE cases ADD COLUMN decided_at BIGINT;
CREATE INDEX cases_org_status ON cases (org_id, status, id);
CREATE INDEX cases_org_owner ON cases (org_id, owner_id, id);

CREATE TABLE escalations (
    id              INTEGER PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES orgs(id),
    case_id         TEXT NOT NULL REFERENCES cases(id),
    note            TEXT NOT NULL,
    raised_by       TEXT NOT NULL,
    raised_at       BIGINT NOT NULL,
    recommendation  TEXT CHECK (recommendation IN ('approve', 'decline', 'refer')),
    response_note   TEXT,
    responded_by    TEXT,
    responded_at    BIGINT
);
CREATE INDEX escalations_case ON escalations (case_id, id);

-- A case's timeline is its events, newest first.
CREATE INDEX events_case ON events (case_id, id);

-- SQLite cannot add a CHECK to an existing table; these triggers enforce the same rule.
CREATE TRIGGER cases_status_check_insert BEFORE INSERT ON cases
WHEN NEW.status NOT IN ('in_progress', 'in_review', 'pending_senior', 'returned', 'approved', 'declined')
  OR NEW.source NOT IN ('api', 'manual', 'doc_upload', 'application_form')
BEGIN SELECT RAISE(ABORT, 'cases_status_check'); END;
CREATE TRIGGER cases_status_check_update BEFORE UPDATE OF status, source ON cases
WHEN NEW.status NOT IN ('in_progress', 'in_review', 'pending_senior', 'returned', 'approved', 'declined')
  OR NEW.source NOT IN ('api', 'manual', 'doc_upload', 'application_form')
BEGIN SELECT RAISE(ABORT, 'cases_status_check'); END;

-- Decision controls (four eyes). Maker-checker: a tenant may require a second, different senior
-- or admin to complete every high-risk approval (off by default).
ALTER TABLE org_settings ADD COLUMN second_approval BOOLEAN NOT NULL DEFAULT FALSE;

-- A first approval of a high-risk case under maker-checker, waiting for a second person. The
-- case stays in its status (no event) until the second approval decides it; a decline or an
-- escalation withdraws it. At most one is pending per case.
CREATE TABLE pending_approvals (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs(id),
    case_id       TEXT NOT NULL REFERENCES cases(id),
    requested_by  TEXT NOT NULL,
    notes         TEXT NOT NULL,
    concerns      TEXT NOT NULL,
    requested_at  BIGINT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'completed', 'withdrawn')),
    closed_by     TEXT,
    closed_at     BIGINT
);
CREATE UNIQUE INDEX pending_approvals_one_open ON pending_approvals (case_id) WHERE state = 'pending';
CREATE INDEX pending_approvals_case ON pending_approvals (org_id, case_id);

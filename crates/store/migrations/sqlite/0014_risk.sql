-- Risk scoring and routing (issue 9): a tenant's risk models and decision policies as
-- versioned rows (the highest version is in force; an assessment names the row it used), and
-- each assessment and routing with the inputs and attributes it was computed from.
CREATE TABLE risk_models (
    id          INTEGER PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    version     INTEGER NOT NULL,
    config      TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (org_id, version)
);

CREATE TABLE decision_policies (
    id          INTEGER PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    version     INTEGER NOT NULL,
    name        TEXT NOT NULL,
    config      TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (org_id, version)
);

CREATE TABLE risk_assessments (
    id               INTEGER PRIMARY KEY,
    org_id           TEXT NOT NULL REFERENCES orgs(id),
    case_id          TEXT NOT NULL REFERENCES cases(id),
    config_id        BIGINT NOT NULL REFERENCES risk_models(id),
    composite_score  DOUBLE PRECISION NOT NULL,
    band             TEXT NOT NULL CHECK (band IN ('low', 'medium', 'high', 'prohibited')),
    band_label       TEXT NOT NULL,
    factors          TEXT NOT NULL,
    inputs           TEXT NOT NULL,
    override_reason  TEXT,
    assessed_by      TEXT NOT NULL,
    assessed_at      BIGINT NOT NULL
);
CREATE INDEX risk_assessments_case ON risk_assessments (org_id, case_id, id);

CREATE TABLE routing_evaluations (
    id                  INTEGER PRIMARY KEY,
    org_id              TEXT NOT NULL REFERENCES orgs(id),
    case_id             TEXT NOT NULL REFERENCES cases(id),
    assessment_id       BIGINT NOT NULL REFERENCES risk_assessments(id),
    policy_id           BIGINT NOT NULL REFERENCES decision_policies(id),
    policy_name         TEXT NOT NULL,
    matched_rule_index  INTEGER,
    outcome             TEXT NOT NULL,
    attributes          TEXT NOT NULL,
    decided             TEXT CHECK (decided IN ('approved', 'declined')),
    evaluated_at        BIGINT NOT NULL
);
CREATE INDEX routing_evaluations_case ON routing_evaluations (org_id, case_id, id);

-- Perpetual monitoring (issue 9): approved cases re-screened on a tenant's interval and on
-- demand; a run raises alerts only for what no earlier screening or alert of the case had.
ALTER TABLE engine_settings ADD COLUMN monitoring_interval_hours INTEGER NOT NULL DEFAULT 24;

-- One scheduled run per case per slot (the interval's count since the epoch), claimed by the
-- node that queues it: several nodes never queue the same slot twice.
CREATE TABLE monitoring_slots (
    case_id    TEXT NOT NULL REFERENCES cases(id),
    slot       BIGINT NOT NULL,
    queued_at  BIGINT NOT NULL,
    PRIMARY KEY (case_id, slot)
);

CREATE TABLE monitoring_runs (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id            TEXT NOT NULL REFERENCES orgs(id),
    case_id           TEXT NOT NULL REFERENCES cases(id),
    triggered_by      TEXT NOT NULL,
    slot              BIGINT,
    checks            TEXT NOT NULL,
    alerts_generated  INTEGER NOT NULL,
    list_version      BIGINT NOT NULL,
    completed_at      BIGINT NOT NULL,
    UNIQUE (case_id, slot)
);
CREATE INDEX monitoring_runs_case ON monitoring_runs (org_id, case_id, id);

CREATE TABLE monitoring_alerts (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id           TEXT NOT NULL REFERENCES orgs(id),
    case_id          TEXT NOT NULL REFERENCES cases(id),
    run_id           BIGINT NOT NULL REFERENCES monitoring_runs(id),
    alert_type       TEXT NOT NULL CHECK (alert_type IN ('sanctions_hit', 'pep_change', 'adverse_media')),
    severity         TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
    title            TEXT NOT NULL,
    detail           TEXT NOT NULL,
    subject_name     TEXT NOT NULL,
    entity_id        TEXT NOT NULL,
    standing         TEXT NOT NULL CHECK (standing IN ('sanctioned', 'pep', 'match')),
    entity           TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
    resolution_note  TEXT,
    resolved_by      TEXT,
    resolved_at      BIGINT,
    created_at       BIGINT NOT NULL
);
CREATE INDEX monitoring_alerts_case ON monitoring_alerts (org_id, case_id, id);
CREATE INDEX monitoring_alerts_open ON monitoring_alerts (org_id, status, id);

-- Screening (issue 9): the watch list, screening runs and their hits, the engines' settings,
-- and the job kinds of the engines.

-- Every engine's job kind.
ALTER TABLE jobs DROP CONSTRAINT IF EXISTS jobs_kind_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_kind_check
    CHECK (kind IN ('send_mail', 'screen_case', 'assess_risk', 'process_document', 'review_case', 'dispatch_idv',
                    'monitor_case'));

-- The watch list, shared by every tenant: people and organisations of FtM lists and
-- adverse-media articles (`am:` ids). `seq` is the key the in-memory index holds; `tokens`
-- are the comparable tokens of every name, so the index is rebuilt without re-reading names;
-- `hash` tells an incremental re-import what changed.
CREATE TABLE watchlist_entities (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    list        TEXT NOT NULL,
    schema      TEXT NOT NULL,
    standing    TEXT NOT NULL CHECK (standing IN ('sanctioned', 'pep', 'match')),
    data        TEXT NOT NULL,
    tokens      TEXT NOT NULL,
    hash        TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX watchlist_list ON watchlist_entities (list);

-- Bumped by every import that changed the list: each node rebuilds its index when it differs.
CREATE TABLE watchlist_state (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    version     BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
INSERT INTO watchlist_state (id, version, updated_at) VALUES (1, 0, 0);

-- The engines' settings of a tenant (defaults when there is no row).
CREATE TABLE engine_settings (
    org_id               TEXT PRIMARY KEY REFERENCES orgs(id),
    screening_threshold  DOUBLE PRECISION NOT NULL CHECK (screening_threshold >= 0.5 AND screening_threshold <= 1.0),
    updated_at           BIGINT NOT NULL
);

-- One screening of a case: who asked, against which version of the list, what each subject got.
CREATE TABLE screening_runs (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs(id),
    case_id       TEXT NOT NULL REFERENCES cases(id),
    triggered_by  TEXT NOT NULL,
    list_version  BIGINT NOT NULL,
    threshold     DOUBLE PRECISION NOT NULL,
    screened      INTEGER NOT NULL,
    summary       TEXT NOT NULL,
    source        TEXT NOT NULL CHECK (source IN ('local', 'yente')),
    completed_at  BIGINT NOT NULL
);
CREATE INDEX screening_runs_case ON screening_runs (org_id, case_id, id);

-- A hit: the subject, the entity as it was listed when matched, the features that explain the
-- score, the triage (rules or model) and the analyst's override.
CREATE TABLE screening_hits (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id             BIGINT NOT NULL REFERENCES screening_runs(id),
    org_id             TEXT NOT NULL REFERENCES orgs(id),
    case_id            TEXT NOT NULL REFERENCES cases(id),
    subject_name       TEXT NOT NULL,
    subject_role       TEXT,
    person_key         TEXT,
    entity_id          TEXT NOT NULL,
    entity             TEXT NOT NULL,
    standing           TEXT NOT NULL CHECK (standing IN ('sanctioned', 'pep', 'match')),
    score              DOUBLE PRECISION NOT NULL,
    features           TEXT NOT NULL,
    confidence         DOUBLE PRECISION NOT NULL,
    disposition        TEXT NOT NULL CHECK (disposition IN ('false_positive', 'true_match', 'escalate')),
    short_reason       TEXT NOT NULL,
    model              TEXT NOT NULL,
    prompt_version     TEXT NOT NULL,
    review_disposition TEXT CHECK (review_disposition IN ('false_positive', 'true_match', 'escalate')),
    review_note        TEXT,
    reviewed_by        TEXT,
    reviewed_at        BIGINT
);
CREATE INDEX screening_hits_run ON screening_hits (run_id, id);
CREATE INDEX screening_hits_case ON screening_hits (org_id, case_id, entity_id);

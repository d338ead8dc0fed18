-- Document processing (issue 9): what the processor read from each document, kept beside the
-- row: the extraction as JSON (fields, warnings, missing fields, engine), its confidence, or
-- why the document could not be processed.
ALTER TABLE documents ADD COLUMN confidence TEXT CHECK (confidence IN ('High', 'Medium', 'Low'));
ALTER TABLE documents ADD COLUMN extraction TEXT;
ALTER TABLE documents ADD COLUMN processing_error TEXT;
ALTER TABLE documents ADD COLUMN processed_at BIGINT;

-- Identity verification: one check per real person (personKey) of a case. `token_hash` is the
-- built-in page's link (hashed); `session_id` the vendor's session.
CREATE TABLE idv_checks (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id             TEXT NOT NULL REFERENCES orgs(id),
    case_id            TEXT NOT NULL REFERENCES cases(id),
    person_key         TEXT NOT NULL,
    person_name        TEXT NOT NULL,
    person_email       TEXT,
    roles              TEXT NOT NULL,
    position           INTEGER NOT NULL,
    vendor             TEXT NOT NULL CHECK (vendor IN ('Didit', 'FML')),
    session_id         TEXT,
    token_hash         TEXT UNIQUE,
    status             TEXT NOT NULL CHECK (status IN ('dispatched', 'satisfied', 'pass', 'fail', 'manual_review')),
    vendor_status      TEXT,
    satisfied_by_doc   BIGINT,
    document_id        BIGINT,
    dispatched_by      TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    completed_at       BIGINT,
    UNIQUE (case_id, person_key)
);
CREATE INDEX idv_checks_session ON idv_checks (org_id, session_id);
-- Every processed document asks whether a check waits on it.
CREATE INDEX idv_checks_document ON idv_checks (org_id, document_id);

-- Documents uploaded before processing existed are processed now.
INSERT INTO jobs (org_id, kind, payload, status, attempts, max_attempts, run_at, created_at)
SELECT org_id, 'process_document',
       '{"kind":"process_document","caseId":"' || case_id || '","documentId":' || CAST(id AS TEXT) || '}',
       'queued', 0, 6, created_at, created_at
FROM documents WHERE status = 'uploaded';

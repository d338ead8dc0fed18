-- Documents on a case. The bytes live in the content-addressed blob store on disk (by their
-- SHA-256); a row is the upload: who, when, under which name and type.
CREATE TABLE documents (
    id                INTEGER PRIMARY KEY,
    org_id            TEXT NOT NULL REFERENCES orgs(id),
    case_id           TEXT NOT NULL REFERENCES cases(id),
    filename          TEXT NOT NULL,
    content_type      TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/png', 'image/jpeg')),
    size              BIGINT NOT NULL,
    sha256            TEXT NOT NULL,
    uploaded_by_kind  TEXT NOT NULL CHECK (uploaded_by_kind IN ('analyst', 'customer')),
    uploaded_by       TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('uploaded', 'complete', 'error', 'approved', 'escalated')),
    document_type     TEXT,
    created_at        BIGINT NOT NULL
);
CREATE INDEX documents_case ON documents (case_id, id);

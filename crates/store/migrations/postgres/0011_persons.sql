-- People: tenant-wide Person records, each case's roster (fml_domain::persons), and identity
-- documents attached to a Person for reuse.
CREATE TABLE persons (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES orgs(id),
    display_name   TEXT NOT NULL,
    name_key       TEXT NOT NULL,
    email          TEXT,
    date_of_birth  TEXT,
    created_by     TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX persons_org_email ON persons (org_id, email);
CREATE INDEX persons_org_name ON persons (org_id, name_key);

CREATE TABLE case_persons (
    case_id            TEXT NOT NULL REFERENCES cases(id),
    org_id             TEXT NOT NULL REFERENCES orgs(id),
    person_key         TEXT NOT NULL,
    position           INTEGER NOT NULL,
    display_name       TEXT NOT NULL,
    email              TEXT,
    date_of_birth      TEXT,
    roles              TEXT NOT NULL,
    ownership_percent  TEXT,
    person_id          BIGINT REFERENCES persons(id),
    resolution         TEXT NOT NULL CHECK (resolution IN ('unresolved', 'linked', 'new', 'unlinked')),
    unlink_reason      TEXT,
    PRIMARY KEY (case_id, person_key)
);

CREATE TABLE person_documents (
    person_id      BIGINT NOT NULL REFERENCES persons(id),
    org_id         TEXT NOT NULL REFERENCES orgs(id),
    document_id    BIGINT NOT NULL REFERENCES documents(id),
    case_id        TEXT NOT NULL REFERENCES cases(id),
    document_type  TEXT NOT NULL,
    attached_by    TEXT NOT NULL,
    attached_at    BIGINT NOT NULL,
    valid_until    BIGINT NOT NULL,
    PRIMARY KEY (person_id, document_id)
);

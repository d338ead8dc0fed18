-- Enhanced due diligence: the requirements an analyst tracks on a case.
CREATE TABLE edd_requirements (
    case_id     TEXT NOT NULL REFERENCES cases(id),
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    req_key     TEXT NOT NULL,
    label       TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('outstanding', 'received', 'waived')),
    note        TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (case_id, req_key)
);

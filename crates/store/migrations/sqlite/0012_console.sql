-- The console's "Public Pull API" page shows when each client last obtained a token.
ALTER TABLE api_clients ADD COLUMN last_used_at BIGINT;

-- A case's deliveries (the case view's panel, `GET /v1/webhook-deliveries?caseId=`): without it
-- they were found by walking all of the tenant's deliveries.
CREATE INDEX deliveries_case ON deliveries (case_id, id);

-- The dashboard's orders other than newest/oldest (which use cases_org_id): each page is an
-- index walk, not a sort of every case of the tenant.
CREATE INDEX cases_org_updated ON cases (org_id, updated_at, id);
CREATE INDEX cases_org_company ON cases (org_id, (LOWER(COALESCE(company_name, ''))), id);

-- The case lists' text search (company name, reference, customer email, any case, as a literal
-- substring): an FTS5 trigram index, so a search does not read every case of the tenant, kept in
-- step with `cases` by triggers. Its rows are keyed by `case_search_ids`, whose INTEGER PRIMARY
-- KEY is stable (the implicit rowid of `cases`, a TEXT-keyed table, may be renumbered by VACUUM).
CREATE TABLE case_search_ids (
    rowid   INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL UNIQUE
);
CREATE VIRTUAL TABLE cases_search USING fts5(company_name, reference, customer_email, tokenize = 'trigram');
INSERT INTO case_search_ids (case_id) SELECT id FROM cases;
INSERT INTO cases_search (rowid, company_name, reference, customer_email)
    SELECT k.rowid, c.company_name, c.reference, c.customer_email FROM cases c JOIN case_search_ids k ON k.case_id = c.id;
CREATE TRIGGER cases_search_insert AFTER INSERT ON cases BEGIN
    INSERT INTO case_search_ids (case_id) VALUES (new.id);
    INSERT INTO cases_search (rowid, company_name, reference, customer_email)
    VALUES ((SELECT rowid FROM case_search_ids WHERE case_id = new.id), new.company_name, new.reference, new.customer_email);
END;
CREATE TRIGGER cases_search_delete AFTER DELETE ON cases BEGIN
    DELETE FROM cases_search WHERE rowid = (SELECT rowid FROM case_search_ids WHERE case_id = old.id);
    DELETE FROM case_search_ids WHERE case_id = old.id;
END;
CREATE TRIGGER cases_search_update AFTER UPDATE OF company_name, reference, customer_email ON cases BEGIN
    UPDATE cases_search SET company_name = new.company_name, reference = new.reference, customer_email = new.customer_email
    WHERE rowid = (SELECT rowid FROM case_search_ids WHERE case_id = new.id);
END;

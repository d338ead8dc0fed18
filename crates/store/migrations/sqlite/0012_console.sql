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
-- substring): a trigram index, so a search does not read every case of the tenant. Kept in step
-- with `cases` by triggers; the contentless rows point at the cases' rowids.
CREATE VIRTUAL TABLE cases_search USING fts5(
    company_name, reference, customer_email,
    content = 'cases', content_rowid = 'rowid', tokenize = 'trigram'
);
INSERT INTO cases_search (cases_search) VALUES ('rebuild');
CREATE TRIGGER cases_search_insert AFTER INSERT ON cases BEGIN
    INSERT INTO cases_search (rowid, company_name, reference, customer_email)
    VALUES (new.rowid, new.company_name, new.reference, new.customer_email);
END;
CREATE TRIGGER cases_search_delete AFTER DELETE ON cases BEGIN
    INSERT INTO cases_search (cases_search, rowid, company_name, reference, customer_email)
    VALUES ('delete', old.rowid, old.company_name, old.reference, old.customer_email);
END;
CREATE TRIGGER cases_search_update AFTER UPDATE OF company_name, reference, customer_email ON cases BEGIN
    INSERT INTO cases_search (cases_search, rowid, company_name, reference, customer_email)
    VALUES ('delete', old.rowid, old.company_name, old.reference, old.customer_email);
    INSERT INTO cases_search (rowid, company_name, reference, customer_email)
    VALUES (new.rowid, new.company_name, new.reference, new.customer_email);
END;

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
-- substring): a trigram index on the three joined by a control character (which no stored
-- text contains, so no match spans two of them). pg_trgm is a trusted extension (PostgreSQL 13+):
-- the database owner may install it; where it is already installed (in whatever schema) that
-- one is used. Concurrent migrations (several nodes or test schemas starting at once) take turns
-- installing it. The index is built in this migration's transaction: on a large existing
-- `cases` table, writes to it wait for the build.
DO $$
DECLARE
    trgm_schema text;
BEGIN
    PERFORM pg_advisory_xact_lock(7270451);
    SELECT n.nspname INTO trgm_schema
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'pg_trgm';
    IF trgm_schema IS NULL THEN
        CREATE EXTENSION pg_trgm SCHEMA public;
        trgm_schema := 'public';
    END IF;
    EXECUTE format(
        'CREATE INDEX cases_search ON cases USING gin ('
        '(LOWER(COALESCE(company_name, %L) || CHR(31) || reference || CHR(31) || COALESCE(customer_email, %L))) '
        '%I.gin_trgm_ops)',
        '', '', trgm_schema
    );
END
$$;

-- The portal's way back in (issue 18): a customer who asks for a new link by email finds their
-- open cases in every tenant by that address, compared without regard to ASCII letter case.
-- lower() under the C collation folds ASCII letters only, as SQLite's twin index does, so both
-- backends match the same addresses.
CREATE INDEX cases_customer_email ON cases (lower(customer_email COLLATE "C"));
-- A new link also ends the confirmation link of the application that opened the case.
CREATE INDEX public_applications_case ON public_applications (case_id);

-- The request for new links runs as a job (`send_portal_links`), so the answer takes the same
-- time whether or not the address has a case.
ALTER TABLE jobs DROP CONSTRAINT IF EXISTS jobs_kind_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_kind_check
    CHECK (kind IN ('send_mail', 'screen_case', 'assess_risk', 'process_document', 'review_case', 'dispatch_idv',
                    'monitor_case', 'housekeeping', 'schedule_monitoring', 'send_portal_links'));

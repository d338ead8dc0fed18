-- Recurring work as jobs (issue 17): housekeeping and the monitoring schedule are queued once
-- per time slot by whichever node claims the slot first, so several nodes never run them
-- twice, and they are visible, retried and leased like any other job.
CREATE TABLE recurring_jobs (
    name       TEXT PRIMARY KEY,
    -- The last slot (start time in ms divided by the period) a node claimed.
    last_slot  BIGINT NOT NULL
);

ALTER TABLE jobs DROP CONSTRAINT IF EXISTS jobs_kind_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_kind_check
    CHECK (kind IN ('send_mail', 'screen_case', 'assess_risk', 'process_document', 'review_case', 'dispatch_idv',
                    'monitor_case', 'housekeeping', 'schedule_monitoring'));

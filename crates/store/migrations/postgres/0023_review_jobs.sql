-- Which job wrote a review (issue 17: an analyst's streamed review runs as a `review_case`
-- job, and the stream ends with the review its job stored, even when it missed the job's live
-- progress). Reviews run on request, and those written before this column, have none. One
-- review per job: a retry of a job whose review committed finds it instead of writing another.
-- Job ids are never reused (PostgreSQL identities never repeat; SQLite's pruning never removes
-- the newest job, since the housekeeping job that prunes is newer than what it removes).
ALTER TABLE case_ai_reviews ADD COLUMN job_id BIGINT;
CREATE UNIQUE INDEX case_ai_reviews_job ON case_ai_reviews (job_id);

-- The case review (issue 9's "AI case review"): each review with the inputs it read, so every
-- recommendation can be audited against what the case held at the time.
CREATE TABLE case_ai_reviews (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES orgs(id),
    case_id         TEXT NOT NULL REFERENCES cases(id),
    triggered_by    TEXT NOT NULL,
    recommendation  TEXT NOT NULL CHECK (recommendation IN ('Approve', 'Refer', 'Decline')),
    confidence      TEXT NOT NULL CHECK (confidence IN ('High', 'Medium', 'Low')),
    risk_factors    TEXT NOT NULL,
    inputs          TEXT NOT NULL,
    model           TEXT NOT NULL,
    prompt_version  TEXT NOT NULL,
    completed_at    BIGINT NOT NULL
);
CREATE INDEX case_ai_reviews_case ON case_ai_reviews (org_id, case_id, id);

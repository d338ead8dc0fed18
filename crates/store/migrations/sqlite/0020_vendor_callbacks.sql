-- Each vendor callback (identified by the digest of its signed body, which carries its own
-- timestamp) is processed once: a replay inside the freshness window changes nothing.
-- Rows older than a day are purged; by then the window has long refused the body anyway.
CREATE TABLE vendor_callbacks (
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    vendor      TEXT NOT NULL,
    digest      TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, vendor, digest)
);
CREATE INDEX vendor_callbacks_received ON vendor_callbacks (received_at);

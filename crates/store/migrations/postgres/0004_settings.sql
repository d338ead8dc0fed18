-- Deployment-wide settings, e.g. the fingerprint of the master key that sealed this
-- database's secrets (checked at start, so a node with another key is refused).
CREATE TABLE settings (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

-- The console's "Public Pull API" page shows when each client last obtained a token.
ALTER TABLE api_clients ADD COLUMN last_used_at BIGINT;

-- PostgreSQL tunes the deliveries table's page fill and vacuum here; SQLite has neither
-- setting (it rewrites pages in place), so this migration only keeps the folders mirrored.
SELECT 1;

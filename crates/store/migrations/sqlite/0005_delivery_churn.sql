-- PostgreSQL tunes page fill, vacuum and analyze of busy tables here; SQLite has neither
-- setting (it rewrites pages in place), so this migration only keeps the folders mirrored.
SELECT 1;

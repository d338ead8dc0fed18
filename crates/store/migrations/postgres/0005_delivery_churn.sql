-- Deliveries are updated twice in their short life (claimed, then recorded). Room on each
-- page lets the claim (which changes no indexed column) be a HOT update that writes no new
-- index entries, and a lower vacuum threshold keeps the partial due index, which every
-- claim walks, free of the entries of deliveries that are no longer pending.
ALTER TABLE deliveries SET (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
-- The tables the pipeline looks rows up in by key grow fast from empty: analysed at the
-- default 10 % growth, a young table's statistics lag far behind it and the planner keeps
-- choosing sequential scans for lookups the unique indexes answer.
ALTER TABLE cases SET (autovacuum_analyze_scale_factor = 0.01);
ALTER TABLE idempotency_keys SET (autovacuum_analyze_scale_factor = 0.01);

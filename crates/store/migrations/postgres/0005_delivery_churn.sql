-- Deliveries are updated twice in their short life (claimed, then recorded). Room on each
-- page lets the claim (which changes no indexed column) be a HOT update that writes no new
-- index entries, and a lower vacuum threshold keeps the partial due index, which every
-- claim walks, free of the entries of deliveries that are no longer pending.
ALTER TABLE deliveries SET (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);

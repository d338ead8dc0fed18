-- A claimed delivery's lease, apart from its due time: the due time stays what the schedule
-- says (the API shows it), the lease is not indexed (so claiming is a cheap update), and a
-- single-process deployment can release every lease at start.
ALTER TABLE deliveries ADD COLUMN leased_until BIGINT;

-- Similarity search checks whether its cached copy of a library is current by counting and
-- summing the caller's updated_at stamps; this index makes that an index-only scan.
create index samples_user_id_updated_at_idx on app.samples (user_id, updated_at);

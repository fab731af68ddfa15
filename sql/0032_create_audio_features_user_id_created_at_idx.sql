-- Similarity search checks whether its cached embeddings are current by counting and summing the
-- caller's created_at stamps (rewritten on every analysis); this makes that an index-only scan.
create index audio_features_user_id_created_at_idx on app.audio_features (user_id, created_at);

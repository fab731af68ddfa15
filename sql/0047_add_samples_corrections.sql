-- Corrections (issue 19): which of a sample's tempo, key and loop flag the producer set. The
-- columns bpm, musical_key and is_loop keep the value everything uses (the correction when
-- there is one, else the analysis'), the analysis' own value stays in audio_features.features,
-- and a re-analysis leaves a corrected column alone. Recorded per sample, so the engine can be
-- scored against producers (app.audit_engine_accuracy). Samples corrected before this column
-- carry "bpm_corrected"/"key_corrected" in extra_metadata, which the worker still honours.
alter table app.samples add column corrections text[] not null default '{}';
alter table app.samples add column corrected_at timestamptz;
alter table app.samples add constraint samples_corrections_check
    check (corrections <@ array['bpm', 'musical_key', 'is_loop']::text[]);

-- Waveform peaks for the library rows and the sample page (issue 18): min/max pairs as signed
-- bytes (analysis_engine/features/waveform.py), about 2 KB a sample. Null until the sample is
-- analysed by an engine that draws them (older rows: `sp404 admin backfill-waveforms`).
alter table app.audio_features add column waveform bytea;
alter table app.audio_features add constraint audio_features_waveform_check
    check (waveform is null or (octet_length(waveform) % 2 = 0
                                and octet_length(waveform) between 2 and 4000));

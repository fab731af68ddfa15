-- audio_features: tenant rows, visible and writable only to their owner.
alter table app.audio_features enable row level security;
alter table app.audio_features force row level security;

drop policy if exists audio_features_owner on app.audio_features;
create policy audio_features_owner on app.audio_features
    for all to sp404_app
    using (user_id = (select app.current_user_id()))
    with check (user_id = (select app.current_user_id()));

revoke all on app.audio_features from sp404_app;
grant select, insert, update, delete on app.audio_features to sp404_app;

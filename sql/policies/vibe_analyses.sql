-- vibe_analyses: tenant rows, visible and writable only to their owner.
alter table app.vibe_analyses enable row level security;
alter table app.vibe_analyses force row level security;

drop policy if exists vibe_analyses_owner on app.vibe_analyses;
create policy vibe_analyses_owner on app.vibe_analyses
    for all to sp404_app
    using (user_id = (select app.current_user_id()))
    with check (user_id = (select app.current_user_id()));

revoke all on app.vibe_analyses from sp404_app;
grant select, insert, update, delete on app.vibe_analyses to sp404_app;

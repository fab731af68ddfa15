-- users: a user sees and changes only their own row (id is the tenant key here).
alter table app.users enable row level security;
alter table app.users force row level security;

drop policy if exists users_owner on app.users;
create policy users_owner on app.users
    for all to sp404_app
    using (id = (select app.current_user_id()))
    with check (id = (select app.current_user_id()));

-- The runtime role writes only what sign-up and the profile page own. Plan, verification, the
-- password hash and the token cut-off change through app.set_user_tier, app.mark_email_verified
-- and app.set_password_hash, so no UPDATE the services can be talked into (nor a DELETE and a
-- fresh INSERT of the row) can raise a plan or skip verification. Omitted INSERT columns take
-- their defaults: Free, unverified.
revoke all on app.users from sp404_app;
grant select, delete on app.users to sp404_app;
grant insert (id, email, email_normalized, password_hash, first_name, last_name)
    on app.users to sp404_app;
grant update (first_name, last_name, avatar_key, updated_at) on app.users to sp404_app;

-- Sign-in and password reset look a user up by e-mail before anyone is signed in
-- (app.find_user_for_login, app.user_id_for_email).
revoke all on app.users from sp404_definer;
drop policy if exists users_definer_select on app.users;
create policy users_definer_select on app.users for select to sp404_definer using (true);
grant select on app.users to sp404_definer;
-- The security columns' functions change the signed-in user's own row and nobody else's.
drop policy if exists users_definer_update on app.users;
create policy users_definer_update on app.users
    for update to sp404_definer
    using (id = (select app.current_user_id()))
    with check (id = (select app.current_user_id()));
grant update (tier, email_verified_at, password_hash, tokens_valid_after, updated_at)
    on app.users to sp404_definer;

-- users: a user sees and changes only their own row (id is the tenant key here).
alter table app.users enable row level security;
alter table app.users force row level security;

drop policy if exists users_owner on app.users;
create policy users_owner on app.users
    for all to sp404_app
    using (id = (select app.current_user_id()))
    with check (id = (select app.current_user_id()));

revoke all on app.users from sp404_app;
grant select, insert, update, delete on app.users to sp404_app;

-- Sign-in and password reset look a user up by e-mail before anyone is signed in
-- (app.find_user_for_login, app.user_id_for_email).
drop policy if exists users_definer_select on app.users;
create policy users_definer_select on app.users for select to sp404_definer using (true);
grant select on app.users to sp404_definer;

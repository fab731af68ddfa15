-- Append-only for the services (INSERT is their only grant). user_id is the user the event is
-- about; it is NULL for events with no known user (a login attempt for an unknown e-mail) and
-- deliberately has no foreign key, so entries survive the deletion of their user.
create table app.audit_log (
    id          bigint      generated always as identity,
    user_id     uuid,
    action      text        not null,
    target_type text,
    target_id   text,
    ip          inet,
    request_id  text,
    details     jsonb       not null default '{}',
    occurred_at timestamptz not null default now(),
    constraint audit_log_pkey primary key (id)
);
create index audit_log_user_id_occurred_at_idx on app.audit_log (user_id, occurred_at desc);
create index audit_log_action_occurred_at_idx on app.audit_log (action, occurred_at desc);

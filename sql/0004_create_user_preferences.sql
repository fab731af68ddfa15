create table app.user_preferences (
    user_id                     uuid        not null,
    auto_analyze_enabled        boolean     not null default true,
    selected_model              text        not null default 'qwen/qwen3-7b-it',
    notification_email_enabled  boolean     not null default true,
    created_at                  timestamptz not null default now(),
    updated_at                  timestamptz not null default now(),
    constraint user_preferences_pkey primary key (user_id),
    constraint user_preferences_user_id_fkey foreign key (user_id)
        references app.users (id) on delete cascade
);

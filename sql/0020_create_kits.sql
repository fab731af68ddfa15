create table app.kits (
    id          uuid        not null default gen_random_uuid(),
    user_id     uuid        not null,
    name        text        not null,
    bpm         double precision,
    musical_key text,
    description text,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    constraint kits_pkey primary key (id),
    constraint kits_user_id_id_key unique (user_id, id),
    constraint kits_user_id_name_key unique (user_id, name),
    constraint kits_name_length_check check (char_length(name) between 1 and 100),
    constraint kits_user_id_fkey foreign key (user_id)
        references app.users (id) on delete cascade
);

-- Nested (parent_id) and smart (rules) collections. The parent key is composite with user_id, so a
-- collection can never hang under another tenant's collection.
create table app.collections (
    id          uuid        not null default gen_random_uuid(),
    user_id     uuid        not null,
    parent_id   uuid,
    name        text        not null,
    description text,
    smart_rules jsonb,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    constraint collections_pkey primary key (id),
    constraint collections_user_id_id_key unique (user_id, id),
    constraint collections_user_id_parent_id_name_key unique nulls not distinct (user_id, parent_id, name),
    constraint collections_name_length_check check (char_length(name) between 1 and 100),
    constraint collections_parent_fkey foreign key (user_id, parent_id)
        references app.collections (user_id, id) on delete cascade,
    constraint collections_user_id_fkey foreign key (user_id)
        references app.users (id) on delete cascade
);

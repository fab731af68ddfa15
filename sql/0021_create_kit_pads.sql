-- One row per assigned pad of the SP-404MK2 grid: bank A..J x pad 1..16.
create table app.kit_pads (
    user_id     uuid        not null,
    kit_id      uuid        not null,
    bank        char(1)     not null,
    pad         smallint    not null,
    sample_id   uuid        not null,
    volume      smallint    not null default 127,
    pitch       smallint    not null default 0,
    gate        boolean     not null default false,
    loop        boolean     not null default false,
    one_shot    boolean     not null default true,
    mute_group  smallint    not null default 0,
    updated_at  timestamptz not null default now(),
    constraint kit_pads_pkey primary key (user_id, kit_id, bank, pad),
    constraint kit_pads_bank_check check (bank between 'A' and 'J'),
    constraint kit_pads_pad_check check (pad between 1 and 16),
    constraint kit_pads_volume_check check (volume between 0 and 127),
    constraint kit_pads_pitch_check check (pitch between -12 and 12),
    constraint kit_pads_mute_group_check check (mute_group between 0 and 16),
    constraint kit_pads_kit_fkey foreign key (user_id, kit_id)
        references app.kits (user_id, id) on delete cascade,
    constraint kit_pads_sample_fkey foreign key (user_id, sample_id)
        references app.samples (user_id, id) on delete cascade
);
create index kit_pads_user_id_sample_id_idx on app.kit_pads (user_id, sample_id);

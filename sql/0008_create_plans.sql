-- The one plan table every service reads. NULL limit = unlimited. Stripe price ids are not here:
-- they differ per Stripe account and come from settings.
create table app.plans (
    id                      text    not null,
    name                    text    not null,
    price_usd               integer not null,
    trial_days              integer not null default 0,
    storage_bytes           bigint,
    analyses_per_month      integer,
    api_calls_per_day       integer,
    collections             integer,
    concurrent_uploads      integer not null,
    queue_priority          integer not null,
    sort_order              integer not null,
    constraint plans_pkey primary key (id)
);

insert into app.plans
    (id, name, price_usd, trial_days, storage_bytes, analyses_per_month, api_calls_per_day,
     collections, concurrent_uploads, queue_priority, sort_order)
values
    ('free', 'Free', 0, 0, 100 * 1024 * 1024, 10, 100, 5, 1, 1, 1),
    ('pro', 'Pro', 29, 14, 5::bigint * 1024 * 1024 * 1024, 500, 10000, null, 5, 5, 2),
    ('enterprise', 'Enterprise', 99, 0, null, null, null, null, 10, 10, 3);

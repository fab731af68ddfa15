-- A number per producer that every write to their library moves (issue 23). Similar sounds and
-- kit recommendations keep a copy of the library in each engine process and asked, on every
-- call, whether it was still current by counting and summing the write times of every sample
-- and feature row: two index scans that grew with the library (~20 ms at 50,000 samples). Now
-- one row says it: an unchanged version means an unchanged library; a moved one sends them to
-- their exact check and refresh as before.
-- The same row counts the producer's samples, so the library list's unfiltered total is one read
-- instead of a scan of every index entry (~20-30 ms at 50,000 samples).
create table app.library_versions (
    user_id        uuid   not null references app.users (id) on delete cascade,
    version        bigint not null,
    samples_count  bigint not null default 0,
    constraint library_versions_pkey primary key (user_id)
);

-- Versions come from one sequence, so a number never comes back: a row deleted and written
-- again, or any other rewind, cannot make an old cached copy look current.
create sequence app.library_version_seq as bigint;

-- Written by the database itself: every producer has a row from sign-up on, and a trigger on
-- each table the caches read moves the version in the writer's transaction (as the writer, under
-- its policy). A statement that writes many rows moves it once per row; counts stay exact.
create function app.create_library_version() returns trigger
    language plpgsql
as $$
begin
    insert into app.library_versions (user_id, version)
    values (new.id, nextval('app.library_version_seq'));
    return null;
end
$$;

create trigger users_create_library_version
    after insert on app.users
    for each row execute function app.create_library_version();

create function app.bump_library_version() returns trigger
    language plpgsql
as $$
declare
    owner uuid := case when tg_op = 'DELETE' then old.user_id else new.user_id end;
    added bigint := case when tg_table_name <> 'samples' then 0
                         when tg_op = 'INSERT' then 1
                         when tg_op = 'DELETE' then -1
                         else 0 end;
begin
    -- No row: the producer is being deleted (the rows go by cascade from app.users, the version
    -- row with them), and there is nothing left to version.
    update app.library_versions l
       set version = nextval('app.library_version_seq'), samples_count = l.samples_count + added
     where l.user_id = owner;
    return null;
end
$$;

create trigger samples_bump_library_version
    after insert or update or delete on app.samples
    for each row execute function app.bump_library_version();
create trigger audio_features_bump_library_version
    after insert or update or delete on app.audio_features
    for each row execute function app.bump_library_version();
create trigger vibe_analyses_bump_library_version
    after insert or update or delete on app.vibe_analyses
    for each row execute function app.bump_library_version();

-- Every producer there is starts with their count. Row-level security hides every
-- tenant row from the owner that runs migrations, so forcing is lifted inside this transaction
-- only (nobody else sees the tables until it commits, forced again).
alter table app.samples no force row level security;
alter table app.library_versions no force row level security;
alter table app.users no force row level security;
insert into app.library_versions (user_id, version, samples_count)
select u.id, nextval('app.library_version_seq'),
       (select count(*) from app.samples s where s.user_id = u.id)
from app.users u;
alter table app.users force row level security;
alter table app.samples force row level security;
alter table app.library_versions force row level security;

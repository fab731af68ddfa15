-- Not a tenant table: one row per e-mail identity that has had Pro's free trial, so a new account
-- (or one re-created after deletion) with the same address gets no second trial. Only a SHA-256 of
-- the canonical address is kept (lower case, no "+tag", Gmail's dots ignored), which answers
-- "seen before?" and nothing else. Reached only through app.trial_taken().
create table app.trial_claims (
    identity_hash  text        not null,
    claimed_at     timestamptz not null default now(),
    constraint trial_claims_pkey primary key (identity_hash)
);

-- The canonical identity of an e-mail address for the one-trial rule, hashed.
create function app.trial_identity(p_email text) returns text
language sql immutable strict set search_path = pg_catalog
as $$
    with parts as (
        select split_part(split_part(lower(p_email), '@', 1), '+', 1) as local,
               split_part(lower(p_email), '@', 2) as domain
    )
    select encode(sha256(convert_to(
        case when domain in ('gmail.com', 'googlemail.com')
             then replace(local, '.', '') || '@gmail.com'
             else local || '@' || domain end, 'UTF8')), 'hex')
    from parts
$$;

-- Accounts that already had their trial keep it counted.
insert into app.trial_claims (identity_hash)
select distinct app.trial_identity(u.email)
from app.users u
join app.subscriptions s on s.user_id = u.id
where s.had_trial
on conflict on constraint trial_claims_pkey do nothing;

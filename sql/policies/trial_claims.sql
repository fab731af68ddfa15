-- trial_claims: not tenant data and not readable by the services at all; subscribing asks
-- app.trial_taken() whether the caller's e-mail identity already had a trial.
alter table app.trial_claims enable row level security;
alter table app.trial_claims force row level security;

revoke all on app.trial_claims from sp404_app;

drop policy if exists trial_claims_definer_select on app.trial_claims;
create policy trial_claims_definer_select on app.trial_claims
    for select to sp404_definer using (true);
drop policy if exists trial_claims_definer_insert on app.trial_claims;
create policy trial_claims_definer_insert on app.trial_claims
    for insert to sp404_definer with check (true);
grant select, insert on app.trial_claims to sp404_definer;

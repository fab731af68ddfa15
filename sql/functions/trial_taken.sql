-- Subscribing: whether the caller's e-mail identity (app.trial_identity) already had Pro's free
-- trial on any account, past or present; with p_claim, a first trial is recorded as taken.
create or replace function app.trial_taken(p_claim boolean)
returns boolean
language plpgsql volatile security definer set search_path = pg_catalog, app
as $$
declare
    v_identity text;
    v_new boolean;
begin
    select app.trial_identity(u.email) into v_identity
      from app.users u where u.id = app.current_user_id();
    if v_identity is null then
        return true;  -- no account bound to the transaction: no trial
    end if;
    if not p_claim then
        return exists (select 1 from app.trial_claims where identity_hash = v_identity);
    end if;
    insert into app.trial_claims (identity_hash) values (v_identity)
    on conflict on constraint trial_claims_pkey do nothing;
    get diagnostics v_new = row_count;
    return not v_new;
end
$$;

alter function app.trial_taken(boolean) owner to sp404_definer;
revoke all on function app.trial_taken(boolean) from public;
grant execute on function app.trial_taken(boolean) to sp404_app;

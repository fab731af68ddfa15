#!/usr/bin/env bash
# Create the roles and databases the services use, with passwords kept in .env (generated on first
# run, never committed). Safe to run again: it fills in what is missing, re-sets passwords and
# brings roles made by earlier versions up to date (ALTER, not only CREATE).
set -euo pipefail
cd "$(dirname "$0")/.."

PG_PORT=${SP404_PG_PORT:-5432}
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

gen() { python3 -c 'import secrets; print(secrets.token_urlsafe(24))'; }
if [ ! -f .env ]; then
    migrator_pw=$(gen); app_pw=$(gen); auditor_pw=$(gen)
    umask 077
    cat > .env <<ENV
# Development settings written by scripts/bootstrap_db.sh. Never commit this file.
SP404_DB_MIGRATOR_PASSWORD=$migrator_pw
SP404_DB_APP_PASSWORD=$app_pw
SP404_DB_AUDITOR_PASSWORD=$auditor_pw
SP404_DATABASE_URL=postgresql://sp404_app:$app_pw@127.0.0.1:$PG_PORT/sp404
SP404_DATABASE_OWNER_URL=postgresql://sp404_migrator:$migrator_pw@127.0.0.1:$PG_PORT/sp404
SP404_DATABASE_AUDITOR_URL=postgresql://sp404_auditor:$auditor_pw@127.0.0.1:$PG_PORT/sp404
SP404_REDIS_URL=redis://127.0.0.1:6379/0
ENV
    echo "[db] wrote .env with fresh development passwords"
elif ! grep -q '^SP404_DB_MIGRATOR_PASSWORD=' .env; then
    # An .env from before the migrator signed migrations in as the owner itself; the owner can no
    # longer log in, so its URL moves to the migrator (with a password of its own).
    SP404_NEW_MIGRATOR_PW=$(gen) python3 - <<'PY'
import os
import re
from pathlib import Path

env = Path(".env")
password = os.environ["SP404_NEW_MIGRATOR_PW"]
lines = []
for line in env.read_text().splitlines():
    if line.startswith("SP404_DB_OWNER_PASSWORD="):
        line = f"SP404_DB_MIGRATOR_PASSWORD={password}"
    elif line.startswith("SP404_DATABASE_OWNER_URL="):
        line = re.sub(r"//sp404_owner(:[^@]*)?@", f"//sp404_migrator:{password}@", line)
    lines.append(line)
if not any(line.startswith("SP404_DB_MIGRATOR_PASSWORD=") for line in lines):
    lines.insert(1, f"SP404_DB_MIGRATOR_PASSWORD={password}")
env.write_text("\n".join(lines) + "\n")
PY
    echo "[db] .env: migrations now sign in as sp404_migrator"
fi
# shellcheck disable=SC1091
set -a; . ./.env; set +a

if command -v psql >/dev/null 2>&1 \
    && PGCONNECT_TIMEOUT=3 psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1; then
    admin_psql() { psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -q "$@"; }
else
    admin_psql() { as_root runuser -u postgres -- psql -p "$PG_PORT" -d postgres -v ON_ERROR_STOP=1 -q "$@"; }
fi

admin_psql -v migrator_pw="$SP404_DB_MIGRATOR_PASSWORD" -v app_pw="$SP404_DB_APP_PASSWORD" \
    -v auditor_pw="$SP404_DB_AUDITOR_PASSWORD" <<'SQL'
select format('create role %I', r)
  from unnest(array['sp404_owner', 'sp404_migrator', 'sp404_app', 'sp404_auditor', 'sp404_definer']) r
 where not exists (select 1 from pg_roles where rolname = r) \gexec
-- The schema owner (who could disable row-level security) has no login and no password: earlier
-- versions gave it both, so they are taken away here, not only left out of `create role`.
alter role sp404_owner    nologin nosuperuser nocreatedb nocreaterole nobypassrls password null;
-- Migrations sign in as the migrator and SET ROLE sp404_owner (platform/sp404/core/migrations.py). CREATEDB:
-- tests, benchmarks and drills create throwaway databases (migrate hands them to the owner).
alter role sp404_migrator login nosuperuser createdb nocreaterole nobypassrls inherit
    password :'migrator_pw';
alter role sp404_app      login nosuperuser nocreatedb nocreaterole nobypassrls password :'app_pw';
alter role sp404_auditor  login nosuperuser nocreatedb nocreaterole bypassrls password :'auditor_pw';
alter role sp404_auditor set default_transaction_read_only = on;
alter role sp404_definer  nologin nosuperuser nocreatedb nocreaterole nobypassrls;
-- Membership lets the migration owner hand SECURITY DEFINER functions to sp404_definer.
grant sp404_definer to sp404_owner;
grant sp404_owner to sp404_migrator;
-- Only the migrator may become the owner: no runtime credential can alter or drop a policy.
select format('revoke %I from %I', g.rolname, m.rolname)
  from pg_auth_members a
  join pg_roles g on g.oid = a.roleid
  join pg_roles m on m.oid = a.member
 where (m.rolname in ('sp404_app', 'sp404_auditor')
        and g.rolname in ('sp404_owner', 'sp404_migrator', 'sp404_definer', 'pg_signal_backend'))
    or (m.rolname = 'sp404_owner' and g.rolname = 'pg_signal_backend') \gexec
-- Development and test machines only (the compose and production migrator lacks it): lets tests
-- drop a database that a crashed earlier run still holds connections to (DROP DATABASE ...
-- WITH (FORCE) must be able to end the services' sessions).
grant pg_signal_backend to sp404_migrator;
select 'create database sp404 owner sp404_owner'
 where not exists (select 1 from pg_database where datname = 'sp404') \gexec
select 'create database sp404_test owner sp404_owner'
 where not exists (select 1 from pg_database where datname = 'sp404_test') \gexec
SQL
echo "[db] roles and databases ready"

#!/usr/bin/env bash
# Create the roles and databases the services use, with passwords kept in .env (generated on first
# run, never committed). Safe to run again: it only fills in what is missing and re-sets passwords.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_PORT=${SP404_PG_PORT:-5432}
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ ! -f .env ]; then
    gen() { python3 -c 'import secrets; print(secrets.token_urlsafe(24))'; }
    owner_pw=$(gen); app_pw=$(gen); auditor_pw=$(gen)
    umask 077
    cat > .env <<ENV
# Development settings written by scripts/bootstrap_db.sh. Never commit this file.
SP404_DB_OWNER_PASSWORD=$owner_pw
SP404_DB_APP_PASSWORD=$app_pw
SP404_DB_AUDITOR_PASSWORD=$auditor_pw
SP404_DATABASE_URL=postgresql://sp404_app:$app_pw@127.0.0.1:$PG_PORT/sp404
SP404_DATABASE_OWNER_URL=postgresql://sp404_owner:$owner_pw@127.0.0.1:$PG_PORT/sp404
SP404_DATABASE_AUDITOR_URL=postgresql://sp404_auditor:$auditor_pw@127.0.0.1:$PG_PORT/sp404
SP404_REDIS_URL=redis://127.0.0.1:6379/0
ENV
    echo "[db] wrote .env with fresh development passwords"
fi
# shellcheck disable=SC1091
set -a; . ./.env; set +a

if command -v psql >/dev/null 2>&1 \
    && PGCONNECT_TIMEOUT=3 psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1; then
    admin_psql() { psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -q "$@"; }
else
    admin_psql() { as_root runuser -u postgres -- psql -p "$PG_PORT" -d postgres -v ON_ERROR_STOP=1 -q "$@"; }
fi

admin_psql -v owner_pw="$SP404_DB_OWNER_PASSWORD" -v app_pw="$SP404_DB_APP_PASSWORD" \
    -v auditor_pw="$SP404_DB_AUDITOR_PASSWORD" <<'SQL'
select format('create role %I', r) from unnest(array['sp404_owner', 'sp404_app', 'sp404_auditor', 'sp404_definer']) r
 where not exists (select 1 from pg_roles where rolname = r) \gexec
alter role sp404_owner   login nosuperuser createdb nocreaterole nobypassrls password :'owner_pw';
alter role sp404_app     login nosuperuser nocreatedb nocreaterole nobypassrls password :'app_pw';
alter role sp404_auditor login nosuperuser nocreatedb nocreaterole bypassrls password :'auditor_pw';
alter role sp404_auditor set default_transaction_read_only = on;
alter role sp404_definer nologin nosuperuser nocreatedb nocreaterole nobypassrls;
-- Membership lets the migration owner hand SECURITY DEFINER functions to sp404_definer.
grant sp404_definer to sp404_owner;
-- Lets the owner drop a test database that a crashed earlier run still holds connections to
-- (DROP DATABASE ... WITH (FORCE) must be able to end the services' sessions).
grant pg_signal_backend to sp404_owner;
select 'create database sp404 owner sp404_owner'
 where not exists (select 1 from pg_database where datname = 'sp404') \gexec
select 'create database sp404_test owner sp404_owner'
 where not exists (select 1 from pg_database where datname = 'sp404_test') \gexec
SQL
echo "[db] roles and databases ready"

#!/bin/sh
# First start of the compose database: the five roles and the sp404 database, with passwords
# from the environment (never from the image). The postgres image runs this once, on an empty
# data volume; `sp404 db migrate` does everything after. Mirrors scripts/bootstrap_db.sh, except
# that the migrator gets no pg_signal_backend (only tests need to end other sessions).
set -eu
: "${SP404_DB_MIGRATOR_PASSWORD:?}" "${SP404_DB_APP_PASSWORD:?}" "${SP404_DB_AUDITOR_PASSWORD:?}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v migrator_pw="$SP404_DB_MIGRATOR_PASSWORD" \
    -v app_pw="$SP404_DB_APP_PASSWORD" \
    -v auditor_pw="$SP404_DB_AUDITOR_PASSWORD" <<'SQL'
-- The schema owner (it could disable row-level security) cannot log in: the migrator signs in
-- and runs migrations after SET ROLE sp404_owner.
create role sp404_owner    nologin nosuperuser nocreatedb nocreaterole nobypassrls;
create role sp404_migrator login nosuperuser nocreatedb nocreaterole nobypassrls inherit
    password :'migrator_pw';
create role sp404_app      login nosuperuser nocreatedb nocreaterole nobypassrls password :'app_pw';
create role sp404_auditor  login nosuperuser nocreatedb nocreaterole bypassrls password :'auditor_pw';
alter role sp404_auditor set default_transaction_read_only = on;
create role sp404_definer  nologin nosuperuser nocreatedb nocreaterole nobypassrls;
-- Membership lets the migration owner hand SECURITY DEFINER functions to sp404_definer.
grant sp404_definer to sp404_owner;
grant sp404_owner to sp404_migrator;
create database sp404 owner sp404_owner;
SQL

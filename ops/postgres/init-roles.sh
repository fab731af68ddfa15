#!/bin/sh
# First start of the compose database: the four roles and the sp404 database, with passwords
# from the environment (never from the image). The postgres image runs this once, on an empty
# data volume; `sp404 db migrate` does everything after. Mirrors scripts/bootstrap_db.sh.
set -eu
: "${SP404_DB_OWNER_PASSWORD:?}" "${SP404_DB_APP_PASSWORD:?}" "${SP404_DB_AUDITOR_PASSWORD:?}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v owner_pw="$SP404_DB_OWNER_PASSWORD" \
    -v app_pw="$SP404_DB_APP_PASSWORD" \
    -v auditor_pw="$SP404_DB_AUDITOR_PASSWORD" <<'SQL'
create role sp404_owner   login nosuperuser createdb nocreaterole nobypassrls password :'owner_pw';
create role sp404_app     login nosuperuser nocreatedb nocreaterole nobypassrls password :'app_pw';
create role sp404_auditor login nosuperuser nocreatedb nocreaterole bypassrls password :'auditor_pw';
alter role sp404_auditor set default_transaction_read_only = on;
create role sp404_definer nologin nosuperuser nocreatedb nocreaterole nobypassrls;
-- Membership lets the migration owner hand SECURITY DEFINER functions to sp404_definer.
grant sp404_definer to sp404_owner;
create database sp404 owner sp404_owner;
SQL

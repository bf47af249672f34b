#!/bin/sh
# Runs once, on a new data volume (the postgres image's /docker-entrypoint-initdb.d), or by
# hand as the superuser on a host: makes the table owner, who runs migrations, and the app's
# role, which owns nothing and has neither SUPERUSER nor BYPASSRLS, and gives the database to
# the owner. Passwords come from the environment, never from the repository.
set -eu
: "${TINNHIEM_OWNER_PASSWORD:?set TINNHIEM_OWNER_PASSWORD}"
: "${TINNHIEM_APP_PASSWORD:?set TINNHIEM_APP_PASSWORD}"

psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" \
  --dbname "${POSTGRES_DB:-tinnhiem}" \
  -v database="${POSTGRES_DB:-tinnhiem}" \
  -v owner="${TINNHIEM_OWNER_ROLE:-tinnhiem_owner}" \
  -v app="${TINNHIEM_APP_ROLE:-tinnhiem_app}" \
  -v owner_password="$TINNHIEM_OWNER_PASSWORD" \
  -v app_password="$TINNHIEM_APP_PASSWORD" <<'SQL'
CREATE ROLE :"owner" LOGIN PASSWORD :'owner_password' NOSUPERUSER NOBYPASSRLS NOCREATEDB
  NOCREATEROLE;
CREATE ROLE :"app" LOGIN PASSWORD :'app_password' NOSUPERUSER NOBYPASSRLS NOCREATEDB
  NOCREATEROLE;
ALTER DATABASE :"database" OWNER TO :"owner";
-- Only these two roles may connect; the migrations grant the app role its tables.
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"database" TO :"app";
-- Before PostgreSQL 15 anyone could create tables in public; the app role must own nothing.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL

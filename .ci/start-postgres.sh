#!/usr/bin/env bash
# Starts the machine's PostgreSQL 15 and makes the role the tests use.
# Idempotent: safe to run when it is already up.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
pg_ctlcluster 15 main start 2>/dev/null || true
for i in $(seq 1 30); do
  pg_isready -h 127.0.0.1 -p 5432 -q && break
  sleep 1
done
su postgres -c "psql -q -v ON_ERROR_STOP=1" <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'relaylab') THEN
    CREATE ROLE relaylab LOGIN PASSWORD 'relaylab' CREATEDB;
  END IF;
END $$;
SELECT 'CREATE DATABASE relaylab OWNER relaylab' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'relaylab')\gexec
SQL
echo "postgres ready at postgres://relaylab:relaylab@127.0.0.1:5432/relaylab"

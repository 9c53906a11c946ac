#!/usr/bin/env bash
# The whole suite on PostgreSQL, then everything that does not need PostgreSQL on SQLite.
set -uo pipefail
cd "$(dirname "$0")/.."
export PGPASSWORD=postgres
pg_url="${TEST_PG_URL:-postgresql+psycopg://postgres:postgres@127.0.0.1:5432/appeals_test}"

echo "== PostgreSQL =="
TEST_DATABASE_URL="$pg_url" .venv/bin/python -m pytest -p no:cacheprovider "$@"
pg=$?
echo "== SQLite =="
TEST_DATABASE_URL= .venv/bin/python -m pytest -p no:cacheprovider -m "not pg_only and not e2e and not chaos" "$@"
lite=$?
[ "$pg" = 0 ] && [ "$lite" = 0 ]

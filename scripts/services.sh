#!/usr/bin/env bash
# Make sure Redis (and, with --postgres, PostgreSQL and the test database) are running on
# 127.0.0.1, installing them from Debian's packages when they are missing.
set -euo pipefail
want_postgres=0
[ "${1:-}" = "--postgres" ] && want_postgres=1

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for() {
  for _ in $(seq 1 50); do listening "$1" && return 0; sleep 0.2; done
  echo "服务未能在端口 $1 启动" >&2; return 1
}

if ! listening 6379; then
  command -v redis-server >/dev/null || apt_install redis-server
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  wait_for 6379
fi

if [ "$want_postgres" = 1 ]; then
  if ! listening 5432; then
    command -v pg_ctlcluster >/dev/null || apt_install postgresql
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
    wait_for 5432
  fi
  # pg_dump, pg_restore, psql, createdb: scripts/backup.sh and scripts/drill.sh; their test also
  # starts a Redis server of the drill's own.
  command -v pg_restore >/dev/null && command -v psql >/dev/null || apt_install postgresql-client
  command -v redis-server >/dev/null || apt_install redis-server
  # The test database; on a fresh install (password auth on TCP) give postgres a known password.
  if ! psql -h 127.0.0.1 -U postgres -d postgres -tAc 'SELECT 1' >/dev/null 2>&1 \
      && ! PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -d postgres -tAc 'SELECT 1' >/dev/null 2>&1; then
    as_root su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'postgres'\""
  fi
  export PGPASSWORD=postgres
  psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'appeals_test'" \
    | grep -q 1 || psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE appeals_test"
fi

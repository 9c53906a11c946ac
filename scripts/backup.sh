#!/usr/bin/env bash
# Logical backup of the deployment's own PostgreSQL database, the one DATABASE_URL names
# (docs/operations.md, "Backups"):
#
#   scripts/backup.sh /var/backups/appeals      # prints /var/backups/appeals/appeals-20261122T010000Z.dump
#
# pg_dump's custom format, named after the database and the UTC time the dump began (the restore
# drill judges the copy as of that time). The file is readable by its owner only (umask 077) and
# appears only when pg_dump succeeded: it is written under a temporary name, flushed to disk and
# then linked to its name, so a failed or interrupted run leaves no file, and an existing dump is
# never overwritten.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
fail() { echo "备份失败：$*" >&2; exit 1; }

dir=${1:-.}
[ -d "$dir" ] && [ -w "$dir" ] || fail "目录 $dir 不存在或不可写"
command -v pg_dump >/dev/null || fail "找不到 pg_dump：请安装 postgresql-client（主版本不低于数据库服务器）"
[ -n "${DATABASE_URL:-}" ] || fail "未设置 DATABASE_URL：请在与应用相同的环境中运行"
connection=$("$root/.venv/bin/python" "$root/scripts/pg_env.py" DATABASE_URL) || fail "无法从 DATABASE_URL 得到数据库连接"
eval "$connection"

umask 077
final="$dir/$PGDATABASE-$(date -u +%Y%m%dT%H%M%SZ).dump"
partial=$(mktemp "$dir/.$PGDATABASE.XXXXXX.partial")
trap 'rm -f "$partial"' EXIT
trap 'exit 1' INT TERM HUP
pg_dump --format=custom --file="$partial" || fail "pg_dump 出错，没有留下备份文件"
sync "$partial"
ln "$partial" "$final" || fail "$final 已存在，没有覆盖"
echo "$final"

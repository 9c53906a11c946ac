#!/usr/bin/env bash
# The restore drill of docs/operations.md ("Restore drill"), on a scratch database:
#
#   DRILL_DATABASE_URL=postgresql+psycopg://appeals:…@127.0.0.1:5432/appeals_drill \
#   DRILL_REDIS_URL=redis://127.0.0.1:6379/9 \
#   DATA_KEYS=… INDEX_KEY=… AUDIT_KEY=… SECRET_KEY=… \
#   scripts/drill.sh /var/backups/appeals/appeals-20261122T010000Z.dump
#
# 1. restores the dump into DRILL_DATABASE_URL (created when missing, refused when it has tables);
# 2. `privacy check-keys`: the production keys decrypt and find the restored data;
# 3. `audit verify --as-of <the dump's time>`: the event log's chains and checkpoints are intact;
# 4. `jobs sweep` and a burst of the workers: the jobs committed but not done when the dump was
#    taken run on the copy, in the drill's own Redis database (queue appeals-drill, and its
#    -training and -webhooks queues), with outbound deliveries disabled
#    (WEBHOOKS_DELIVERY_ENABLED=0: they stay pending, nothing reaches a partner).
# It stops at the first failure, with exit status 1. The copy runs in production mode with the
# keys of the environment, never on production's database or Redis: DRILL_DATABASE_URL must differ
# from DATABASE_URL, and DRILL_REDIS_URL must name a Redis database with no other queue in it (a
# queue name of its own is not enough: RQ's job keys are per database, and the outbox's job ids
# would collide with production's). The dump's time comes from its name (scripts/backup.sh), or
# DRILL_AS_OF.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
fail() { echo "演练失败：$*" >&2; exit 1; }
step() { echo "== $*"; }
manage() { "$root/scripts/manage" "$@"; }

dump=${1:-}
[ -n "$dump" ] && [ -r "$dump" ] || fail "用法：scripts/drill.sh 备份文件（scripts/backup.sh 生成的 .dump）"
for tool in pg_restore psql createdb; do
  command -v "$tool" >/dev/null || fail "找不到 $tool：请安装 postgresql-client"
done
[ -n "${DRILL_DATABASE_URL:-}" ] || fail "请设置 DRILL_DATABASE_URL：演练用的空数据库，不能是生产库"
[ -n "${DRILL_REDIS_URL:-}" ] || fail "请设置 DRILL_REDIS_URL：演练专用的 Redis 库，如 redis://127.0.0.1:6379/9"
[ "$DRILL_DATABASE_URL" != "${DATABASE_URL:-}" ] || fail "DRILL_DATABASE_URL 与 DATABASE_URL 相同：不能恢复到生产库"
[ "$DRILL_REDIS_URL" != "${REDIS_URL:-redis://127.0.0.1:6379/0}" ] || fail "DRILL_REDIS_URL 与生产的 REDIS_URL 相同"
queue=appeals-drill
# Another queue in that Redis database (production's, most likely): refuse, and fail early if Redis is unreachable.
"$root/.venv/bin/python" - "$queue" <<'PY' || fail "DRILL_REDIS_URL 不能用于演练"
import os
import sys

from redis import Redis
from redis.exceptions import RedisError

try:
    names = Redis.from_url(os.environ["DRILL_REDIS_URL"], socket_connect_timeout=3).smembers("rq:queues")
except (RedisError, ValueError) as error:
    sys.exit(f"无法连接 DRILL_REDIS_URL：{type(error).__name__}")
others = sorted(n.decode() for n in names if not n.decode().startswith(f"rq:queue:{sys.argv[1]}"))
if others:
    sys.exit(f"DRILL_REDIS_URL 所指的 Redis 库里已有其他队列（{', '.join(others)}），像是生产在用的库：请换一个空的库")
PY

as_of=${DRILL_AS_OF:-}
if [ -z "$as_of" ]; then
  stamp=$(basename "$dump" | sed -n 's/.*-\([0-9]\{8\}T[0-9]\{6\}Z\)\.dump$/\1/p')
  [ -n "$stamp" ] || fail "无法从文件名得知备份时间：请用 DRILL_AS_OF 给出，如 DRILL_AS_OF=2026-11-22T09:00:00+08:00"
  as_of="${stamp:0:4}-${stamp:4:2}-${stamp:6:2}T${stamp:9:2}:${stamp:11:2}:${stamp:13:2}+00:00"
fi

# From here on, every command works on the copy.
export DATABASE_URL="$DRILL_DATABASE_URL" REDIS_URL="$DRILL_REDIS_URL" RQ_QUEUE="$queue" RQ_TRAINING_QUEUE="$queue-training"
export WEBHOOKS_DELIVERY_ENABLED=0 APP_ENV=production
connection=$("$root/.venv/bin/python" "$root/scripts/pg_env.py" DATABASE_URL) || fail "DRILL_DATABASE_URL 无效"
eval "$connection"

step "1/4 恢复 $dump 到数据库 $PGDATABASE"
if tables=$(psql -XAtq -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'" 2>/dev/null); then
  [ "$tables" = 0 ] || fail "数据库 $PGDATABASE 已有 $tables 张表：演练只恢复到空库"
else
  createdb "$PGDATABASE" || fail "无法创建数据库 $PGDATABASE"
fi
pg_restore --exit-on-error --single-transaction --no-owner --no-acl --dbname="$PGDATABASE" "$dump" \
  || fail "pg_restore 出错，备份文件损坏或不完整"

step "2/4 核验密钥：DATA_KEYS 解密、INDEX_KEY 检索哈希"
manage privacy check-keys || fail "密钥核验未通过（原因见上）：DATA_KEYS 或 INDEX_KEY 与备份中的数据不符，或者缺失"

step "3/4 核验办理记录的哈希链和审计检查点（AUDIT_KEY），按备份时间 $as_of"
manage audit verify --as-of "$as_of" || fail "办理记录核验未通过（原因见上）：备份损坏或被篡改，或 AUDIT_KEY 错误"

step "4/4 在演练自己的队列 $queue 上补做备份时未完成的任务，出站推送关闭"
manage jobs sweep || fail "无法补发任务（DRILL_REDIS_URL 可达吗？）"
manage jobs worker --burst --queue main --queue training || fail "任务执行出错"
manage webhooks worker --burst || fail "推送任务执行出错"
pending=$(psql -XAtq -c "SELECT count(*) FROM webhook_deliveries WHERE state = 'pending'")
echo "演练通过：密钥正确，办理记录完整；$pending 个出站推送留在待发送状态，没有发给任何合作方"

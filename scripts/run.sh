#!/usr/bin/env bash
# Serve the app with gunicorn on 127.0.0.1:$PORT, with one RQ worker, the training worker (retraining a
# city's router, on its own queue), the webhook worker and the periodic scheduler.
set -euo pipefail
cd "$(dirname "$0")/.."
export FLASK_APP=wsgi
# Development: keys missing from the environment are generated once under instance/ (kernel/settings.py).
export APP_ENV="${APP_ENV:-development}"
port="${PORT:-8000}"

# Keys that do not fit the stored data (instance/ keys lost or replaced): stop here, not with 500s.
.venv/bin/flask privacy check-keys
# Plain http on 127.0.0.1: the session cookie cannot be Secure here (docs/operations.md).
export SESSION_COOKIE_SECURE="${SESSION_COOKIE_SECURE:-0}"

# Workers at a lower CPU priority: in a burst, intake answers first (docs/operations.md); training
# lowest: minutes of CPU that must not slow intake nor dispatch.
nice -n 10 .venv/bin/flask jobs worker & worker=$!
nice -n 15 .venv/bin/flask jobs worker --queue training & training=$!
.venv/bin/flask jobs scheduler & scheduler=$!
.venv/bin/flask webhooks worker & webhooks=$!
trap 'kill $worker $training $scheduler $webhooks 2>/dev/null; wait' EXIT INT TERM

cat <<MSG

  企业诉求接诉即办系统已启动：http://127.0.0.1:${port}/
  API 文档（OpenAPI）：http://127.0.0.1:${port}/api/openapi.json
  工作人员登录：http://127.0.0.1:${port}/login  密码均为 demo12345（仅限演示城市）
    话务员 operator · 派单员 dispatcher · 承办人 handler-gxj / handler-scjg（其他单位 handler-u<单位编号>，见用户管理）
    督查室 supervisor · 管理员 admin
  企业端（手机）：http://127.0.0.1:${port}/m/
  演示令牌见上方（每次启动换新，旧的随即失效），也已写入 instance/demo-tokens.env：
    source instance/demo-tokens.env
  按 Ctrl+C 停止。

MSG
# The access log masks api_key and other sensitive query parameters (kernel/logs.py).
.venv/bin/gunicorn --bind "127.0.0.1:${port}" --workers 2 --access-logfile - --logger-class kernel.logs.GunicornLogger wsgi:app

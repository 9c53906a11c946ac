#!/usr/bin/env bash
# Serve the app with gunicorn on 127.0.0.1:$PORT, with one RQ worker and the periodic scheduler.
set -euo pipefail
cd "$(dirname "$0")/.."
export FLASK_APP=wsgi
port="${PORT:-8000}"

.venv/bin/flask jobs worker & worker=$!
.venv/bin/flask jobs scheduler & scheduler=$!
trap 'kill $worker $scheduler 2>/dev/null; wait' EXIT INT TERM

cat <<MSG

  企业诉求接诉即办系统已启动：http://127.0.0.1:${port}/
  API 文档（OpenAPI）：http://127.0.0.1:${port}/api/openapi.json
  演示令牌见上方（每次启动重新生成）。按 Ctrl+C 停止。

MSG
.venv/bin/gunicorn --bind "127.0.0.1:${port}" --workers 2 --access-logfile - wsgi:app

#!/usr/bin/env bash
# Lint and layers, before the suite (make test): ruff (pyproject.toml [tool.ruff]) and import-linter's
# contracts (pyproject.toml [tool.importlinter]; the layers are drawn in docs/architecture.md).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== ruff =="
.venv/bin/ruff check .
echo "== import-linter =="
PYTHONPATH=. .venv/bin/lint-imports --no-cache

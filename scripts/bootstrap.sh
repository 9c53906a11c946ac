#!/usr/bin/env bash
# Create .venv with Python 3.11 and install the given requirements file, installing
# Python itself from Debian's packages when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
requirements="${1:-requirements.txt}"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; }

python=""
for candidate in python3.11 python3; do
  if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    python="$candidate"; break
  fi
done
if [ -z "$python" ]; then
  apt_install python3.11 python3.11-venv
  python=python3.11
fi
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv 2>/dev/null || { apt_install python3.11-venv; rm -rf .venv; "$python" -m venv .venv; }
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -r "$requirements"

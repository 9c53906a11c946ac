#!/usr/bin/env bash
# Headless Chromium for the end-to-end tests: Debian's package, installed when missing.
# (Never `playwright install`: the tests point Playwright at /usr/bin/chromium.)
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
as_root apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

#!/usr/bin/env bash
# The end-to-end web tests drive Debian's Chromium through Playwright (never a downloaded browser):
# install it with apt when it is missing. SP404_CHROMIUM points at another binary instead.
set -euo pipefail

CHROMIUM=${SP404_CHROMIUM:-/usr/bin/chromium}
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ -x "$CHROMIUM" ]; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "[browser] no $CHROMIUM and no apt-get to install it: install Chromium and point" \
        "SP404_CHROMIUM at its binary (the web tests need it)" >&2
    exit 1
fi
echo "[browser] installing Debian's chromium for the web tests"
as_root apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

#!/usr/bin/env bash
# Make sure the `pgbouncer` binary (Debian's package) is installed; the tests start their own
# instance on a free port. Exit 1 with the reason when it cannot be installed here.
set -euo pipefail

log() { printf '[pgbouncer] %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi; }

if command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ]; then
    log "installed: $( (command -v pgbouncer || echo /usr/sbin/pgbouncer) )"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "pgbouncer is not installed and this machine has no apt-get" >&2; exit 1
fi
log "installing pgbouncer with apt"
as_root apt-get update -qq || { echo "apt-get update failed (no root or no network)" >&2; exit 1; }
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer \
    || { echo "apt-get install pgbouncer failed" >&2; exit 1; }
# Debian's package starts a system instance on 6432; the tests never use it.

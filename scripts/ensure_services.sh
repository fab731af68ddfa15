#!/usr/bin/env bash
# Make sure PostgreSQL (>= 15) and Redis (>= 7) answer on 127.0.0.1. Reuse running ones; start
# installed-but-stopped ones; on a bare Debian/Ubuntu machine install them with apt first.
set -euo pipefail

PG_PORT=${SP404_PG_PORT:-5432}
REDIS_PORT=${SP404_REDIS_PORT:-6379}

log() { printf '[services] %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

port_open() {
    python3 - "$1" <<'PY'
import socket, sys
s = socket.socket()
s.settimeout(1)
sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)
PY
}

apt_updated=0
apt_install() {
    if [ "$apt_updated" = 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

wait_port() {
    for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 0.5; done
    return 1
}

ensure_postgres() {
    if port_open "$PG_PORT"; then log "PostgreSQL answers on 127.0.0.1:$PG_PORT"; return; fi
    if ! command -v pg_lsclusters >/dev/null 2>&1; then
        log "installing PostgreSQL with apt"
        apt_install postgresql postgresql-client
    fi
    local version
    version=$(ls /etc/postgresql | sort -n | tail -1)
    if [ -z "$version" ] || [ "$version" -lt 15 ]; then
        echo "PostgreSQL >= 15 is required (found '${version:-none}')" >&2; exit 1
    fi
    if ! pg_lsclusters -h | grep -q "^$version main"; then
        as_root pg_createcluster "$version" main
    fi
    log "starting PostgreSQL $version"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || as_root pg_ctlcluster "$version" main start
    wait_port "$PG_PORT" || { echo "PostgreSQL did not come up on $PG_PORT" >&2; exit 1; }
}

ensure_redis() {
    if port_open "$REDIS_PORT"; then log "Redis answers on 127.0.0.1:$REDIS_PORT"; return; fi
    if ! command -v redis-server >/dev/null 2>&1; then
        log "installing Redis with apt"
        apt_install redis-server
    fi
    log "starting Redis"
    as_root mkdir -p /var/lib/redis /var/log/redis
    as_root redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" \
        --appendonly no --dir /var/lib/redis --logfile /var/log/redis/sp404.log
    wait_port "$REDIS_PORT" || { echo "Redis did not come up on $REDIS_PORT" >&2; exit 1; }
}

ensure_postgres
ensure_redis

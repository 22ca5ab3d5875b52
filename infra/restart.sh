#!/usr/bin/env bash
# Restarts one of the servers infra/up.sh manages, keeping its data and loopback config; used by
# the resilience tests ("the hosts reconnect by themselves"). usage: infra/restart.sh postgres|rabbitmq|redis
set -euo pipefail
STATE=${PROMOTION_INFRA_DIR:-/var/tmp/promotion-infra}
# Servers started here inherit the working directory; / outlives the clone this was run from
# (RabbitMQ cannot even restart its app once its directory is gone).
cd /
# shellcheck disable=SC1091
. "$STATE/credentials"
# A restarted server has a new pid: keep the record infra/down.sh stops by, when up.sh started it.
rerecord() {
  local started="$STATE/started"
  [ -f "$started" ] && grep -q "^$1 " "$started" || return 0
  { grep -v "^$1 " "$started" || true; echo "$1 $2"; } > "$started.tmp"
  mv "$started.tmp" "$started"
}
case "${1:-}" in
  postgres)
    pg_ctlcluster 15 main restart -m fast
    for _ in $(seq 1 120); do pg_isready -q -h 127.0.0.1 && break; sleep 0.25; done
    rerecord postgresql "$(head -1 /var/run/postgresql/15-main.pid)"
    ;;
  rabbitmq)
    export ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_NODENAME=rabbit@localhost
    rabbitmqctl -q stop_app
    rabbitmqctl -q start_app
    rabbitmqctl -q await_startup
    ;;
  redis)
    REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli -h 127.0.0.1 shutdown nosave || true
    runuser -u redis -- redis-server "$STATE/redis/redis.conf"
    for _ in $(seq 1 120); do REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli -h 127.0.0.1 ping 2>/dev/null | grep -q PONG && break; sleep 0.25; done
    rerecord redis "$(cat "$STATE/redis/redis.pid")"
    ;;
  *) echo "usage: $0 postgres|rabbitmq|redis" >&2; exit 2 ;;
esac
echo "[infra] restarted $1"

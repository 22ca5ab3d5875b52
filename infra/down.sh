#!/usr/bin/env bash
# Stops, by pid, the servers that infra/up.sh started (and only those).
set -euo pipefail
STATE=${PROMOTION_INFRA_DIR:-/var/tmp/promotion-infra}
started="$STATE/started"
[ -s "$started" ] || { echo "[infra] nothing that up.sh started is recorded in $started"; exit 0; }
# RabbitMQ before epmd; PostgreSQL gets SIGINT (fast shutdown: aborts sessions, checkpoints).
for name in rabbitmq redis postgresql epmd; do
  pid=$(awk -v n="$name" '$1 == n { print $2 }' "$started")
  [ -n "$pid" ] || continue
  if kill -0 "$pid" 2>/dev/null; then
    sig=TERM; [ "$name" = postgresql ] && sig=INT
    echo "[infra] stopping $name (pid $pid)"
    kill -s "$sig" "$pid"
    for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$pid" 2>/dev/null; then echo "[infra] $name did not stop in 30s; killing"; kill -KILL "$pid"; fi
  fi
done
: > "$started"

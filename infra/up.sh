#!/usr/bin/env bash
# Makes PostgreSQL 15, Redis 7 and RabbitMQ 3.10 answer on 127.0.0.1 for this project.
#
# - installs missing servers from Debian's packages (services are not auto-started by apt, so
#   nothing ever listens on a public interface, not even for a moment);
# - binds every server, and RabbitMQ's Erlang distribution and epmd, to loopback only;
# - creates the project's database, role, broker vhost and user when missing;
# - waits until each answers and prints the connection strings (also written, with the
#   generated passwords, to $PROMOTION_INFRA_DIR/connection.env, mode 600; nothing secret is
#   kept in the repository).
# Idempotent: with everything up it returns within seconds. infra/down.sh stops what this
# script started, by pid.
set -euo pipefail

STATE=${PROMOTION_INFRA_DIR:-/var/tmp/promotion-infra}
# Servers started here inherit the working directory; / outlives the clone this was run from
# (RabbitMQ cannot even restart its app once its directory is gone).
cd /
PG_VERSION=15
PG_PORT=${PROMOTION_PG_PORT:-5432}
REDIS_PORT=${PROMOTION_REDIS_PORT:-6379}
AMQP_PORT=${PROMOTION_AMQP_PORT:-5672}
MGMT_PORT=${PROMOTION_RABBITMQ_MGMT_PORT:-15672}
DB_NAME=promotion
DB_USER=promotion
MQ_USER=promotion
MQ_VHOST=promotion

log() { printf '[infra] %s\n' "$*" >&2; }
die() { printf '[infra] error: %s\n' "$*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "run as root (installs packages and starts servers as their own users)"

mkdir -p "$STATE"
chmod 755 "$STATE"

# ---------------------------------------------------------------- credentials (generated once)
CRED="$STATE/credentials"
if [ ! -s "$CRED" ]; then
  umask 077
  {
    echo "PG_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
    echo "REDIS_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
    echo "MQ_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
  } > "$CRED"
  umask 022
fi
# shellcheck disable=SC1090
. "$CRED"

# ---------------------------------------------------------------- install what is missing
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
missing=()
installed "postgresql-$PG_VERSION" || missing+=("postgresql-$PG_VERSION" postgresql-client-$PG_VERSION)
installed redis-server || missing+=(redis-server redis-tools)
installed rabbitmq-server || missing+=(rabbitmq-server)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} from Debian's packages"
  # Keep apt's maintainer scripts from starting the services with their default (public) binds.
  restore_policy=""
  if [ -e /usr/sbin/policy-rc.d ]; then restore_policy=$(mktemp); cp -p /usr/sbin/policy-rc.d "$restore_policy"; fi
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [ -n "$restore_policy" ]; then mv "$restore_policy" /usr/sbin/policy-rc.d; else rm -f /usr/sbin/policy-rc.d; fi
fi

started_file="$STATE/started"   # lines "name pid" for the servers this script started
touch "$started_file"
record_started() { grep -v "^$1 " "$started_file" > "$started_file.tmp" || true; echo "$1 $2" >> "$started_file.tmp"; mv "$started_file.tmp" "$started_file"; }

wait_for() { # wait_for <what> <seconds> <command...>
  local what=$1 secs=$2; shift 2
  for _ in $(seq 1 $((secs * 4))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.25; done
  die "$what did not answer within ${secs}s"
}

# ---------------------------------------------------------------- PostgreSQL (Debian cluster)
pg_conf_dir=/etc/postgresql/$PG_VERSION/main
if [ ! -d "$pg_conf_dir" ]; then
  log "creating PostgreSQL cluster $PG_VERSION/main"
  pg_createcluster "$PG_VERSION" main >/dev/null
fi
mkdir -p "$pg_conf_dir/conf.d"
pg_settings="# written by infra/up.sh: loopback only, sized for several hosts and test databases
listen_addresses = '127.0.0.1'
port = $PG_PORT
max_connections = 400
shared_buffers = 512MB
max_wal_size = 4GB"
pg_restart=0
# $(cat) drops the final newline, so the settings are kept without one on both sides: a second run
# must find them equal and leave a running server (and the tests using it) alone.
if [ "$(cat "$pg_conf_dir/conf.d/promotion.conf" 2>/dev/null)" != "$pg_settings" ]; then
  printf '%s\n' "$pg_settings" > "$pg_conf_dir/conf.d/promotion.conf"
  pg_restart=1
fi
pg_pidfile=/var/run/postgresql/$PG_VERSION-main.pid
mkdir -p /var/run/postgresql && chown postgres:postgres /var/run/postgresql
if pg_ctlcluster "$PG_VERSION" main status >/dev/null 2>&1; then
  if [ $pg_restart -eq 1 ]; then log "restarting PostgreSQL to apply loopback settings"; pg_ctlcluster "$PG_VERSION" main restart; fi
else
  log "starting PostgreSQL $PG_VERSION on 127.0.0.1:$PG_PORT"
  pg_ctlcluster "$PG_VERSION" main start
  record_started postgresql "$(head -1 "$pg_pidfile")"
fi
wait_for PostgreSQL 60 pg_isready -q -h 127.0.0.1 -p "$PG_PORT"
psql_admin() { runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" "$@"; }
psql_admin -d postgres -v pw="$PG_PASSWORD" <<SQL
SELECT format('CREATE ROLE %I LOGIN CREATEDB', '$DB_USER')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER') \gexec
ALTER ROLE $DB_USER WITH LOGIN CREATEDB PASSWORD :'pw';
SELECT format('CREATE DATABASE %I OWNER %I', '$DB_NAME', '$DB_USER')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$DB_NAME') \gexec
SQL

# ---------------------------------------------------------------- Redis (own config, redis user)
redis_dir="$STATE/redis"
mkdir -p "$redis_dir"
cat > "$redis_dir/redis.conf" <<CONF
# written by infra/up.sh
bind 127.0.0.1
protected-mode yes
port $REDIS_PORT
daemonize yes
pidfile $redis_dir/redis.pid
logfile $redis_dir/redis.log
dir $redis_dir
requirepass $REDIS_PASSWORD
appendonly yes
appendfsync everysec
save ""
CONF
chown -R redis:redis "$redis_dir"; chmod 600 "$redis_dir/redis.conf"
redis_ping() { REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping | grep -q PONG; }
if ! redis_ping 2>/dev/null; then
  if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    die "a Redis this script did not start already listens on 127.0.0.1:$REDIS_PORT; stop it or set PROMOTION_REDIS_PORT"
  fi
  log "starting Redis on 127.0.0.1:$REDIS_PORT"
  runuser -u redis -- redis-server "$redis_dir/redis.conf"
  wait_for Redis 30 redis_ping
  record_started redis "$(cat "$redis_dir/redis.pid")"
fi

# ---------------------------------------------------------------- RabbitMQ (loopback incl. epmd and distribution)
mkdir -p /etc/rabbitmq
cat > /etc/rabbitmq/rabbitmq-env.conf <<CONF
# written by infra/up.sh: the node, epmd and Erlang distribution listen on loopback only
NODENAME=rabbit@localhost
NODE_IP_ADDRESS=127.0.0.1
NODE_PORT=$AMQP_PORT
DIST_PORT=25672
export ERL_EPMD_ADDRESS=127.0.0.1
SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
CONF
cat > /etc/rabbitmq/rabbitmq.conf <<CONF
# written by infra/up.sh
listeners.tcp.default = 127.0.0.1:$AMQP_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $MGMT_PORT
loopback_users.guest = true
CONF
export ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_NODENAME=rabbit@localhost
epmd_before=$(pgrep -x epmd || true)   # the CLI tools below start epmd when it is not running
if [ ! -f /etc/rabbitmq/enabled_plugins ] || ! grep -q rabbitmq_management /etc/rabbitmq/enabled_plugins; then
  rabbitmq-plugins --offline enable rabbitmq_management >/dev/null
fi
mq_ready() { rabbitmq-diagnostics -q check_port_connectivity >/dev/null 2>&1; }
if ! mq_ready; then
  log "starting RabbitMQ on 127.0.0.1:$AMQP_PORT"
  mkdir -p /var/log/rabbitmq && chown rabbitmq:rabbitmq /var/log/rabbitmq /var/lib/rabbitmq
  runuser -u rabbitmq -- env ERL_EPMD_ADDRESS=127.0.0.1 HOME=/var/lib/rabbitmq \
    setsid nohup /usr/lib/rabbitmq/bin/rabbitmq-server > "$STATE/rabbitmq.out" 2>&1 &
  for _ in $(seq 1 240); do mq_ready && break; sleep 0.5; done
  mq_ready || { tail -20 "$STATE/rabbitmq.out" >&2; die "RabbitMQ did not start within 120s"; }
  record_started rabbitmq "$(pgrep -u rabbitmq -x beam.smp | head -1)"
  epmd_now=$(pgrep -x epmd | head -1 || true)
  if [ -n "$epmd_now" ] && [ -z "$epmd_before" ]; then record_started epmd "$epmd_now"; fi
fi
if ! rabbitmqctl -q list_users | grep -q "^$MQ_USER\b"; then
  rabbitmqctl -q add_user "$MQ_USER" "$MQ_PASSWORD" >/dev/null
fi
rabbitmqctl -q change_password "$MQ_USER" "$MQ_PASSWORD" >/dev/null
# administrator so the test suite can create and delete a throw-away vhost per fixture
rabbitmqctl -q set_user_tags "$MQ_USER" administrator >/dev/null
rabbitmqctl -q list_vhosts | grep -qx "$MQ_VHOST" || rabbitmqctl -q add_vhost "$MQ_VHOST" >/dev/null
rabbitmqctl -q set_permissions -p "$MQ_VHOST" "$MQ_USER" '.*' '.*' '.*' >/dev/null

# ---------------------------------------------------------------- connection strings
umask 077
cat > "$STATE/connection.env" <<ENV
export ConnectionStrings__Postgres='Host=127.0.0.1;Port=$PG_PORT;Database=$DB_NAME;Username=$DB_USER;Password=$PG_PASSWORD'
export ConnectionStrings__Redis='127.0.0.1:$REDIS_PORT,password=$REDIS_PASSWORD'
export ConnectionStrings__RabbitMq='amqp://$MQ_USER:$MQ_PASSWORD@127.0.0.1:$AMQP_PORT/$MQ_VHOST'
export PROMOTION_RABBITMQ_MANAGEMENT='http://127.0.0.1:$MGMT_PORT'
ENV
umask 022
log "all three servers answer on 127.0.0.1 (passwords in $STATE/connection.env)"
sed -e 's/^export //' "$STATE/connection.env"

#!/usr/bin/env bash
# Seeds 10M members into a scratch database and times each statement of the whole-directory plan.
set -eu
. /var/tmp/promotion-infra/connection.env
pw=$(echo "$ConnectionStrings__Postgres" | sed -n 's/.*Password=\([^;]*\).*/\1/p')
export PGPASSWORD=$pw PGHOST=127.0.0.1 PGUSER=promotion
psql -q -d promotion -c "DROP DATABASE IF EXISTS plan_explain" -c "CREATE DATABASE plan_explain"
cs="Host=127.0.0.1;Port=5432;Database=plan_explain;Username=promotion;Password=$pw"
dotnet "$(dirname "$0")/../bin/Release/net10.0/Promotion.Host.dll" seed-members --count 10000000 --postgres "$cs" > /dev/null
psql -d plan_explain -c "VACUUM ANALYZE members" > /dev/null
# The first three are the plan before 2026-12-03 (a count, then row_number() over the index); the
# last is the planner's statement since (PostgresMemberDirectory.PlanAsync).
for q in "SELECT count(*) FROM members" \
         "SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM members) t WHERE (rn - 1) % 1000 = 0 ORDER BY id" \
         "SELECT max(id) FROM members" \
         "WITH RECURSIVE walk(id) AS (SELECT min(id) FROM members UNION ALL SELECT (SELECT m.id FROM members m WHERE m.id >= walk.id ORDER BY m.id OFFSET 1000 LIMIT 1) FROM walk WHERE walk.id IS NOT NULL), bounds AS MATERIALIZED (SELECT id FROM walk WHERE id IS NOT NULL) SELECT id, NULL::bigint, NULL::bigint FROM bounds UNION ALL SELECT NULL, count(*), max(m.id) FROM members m WHERE m.id >= (SELECT max(id) FROM bounds)"; do
  echo "== $q"
  psql -d plan_explain -c "EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) $q" | grep -E "Execution Time|Scan|WindowAgg|Aggregate|Workers"
done
psql -q -d promotion -c "DROP DATABASE plan_explain"

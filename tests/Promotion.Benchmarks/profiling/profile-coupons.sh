#!/usr/bin/env bash
# Runs the coupons scenario and samples one worker host's CPU stacks during the engine phase.
set -u
. /var/tmp/promotion-infra/connection.env; export ConnectionStrings__Postgres ConnectionStrings__Redis ConnectionStrings__RabbitMq
cd "$(dirname "$0")/../../.."
out=${1:-/tmp/promotion-profile}; rm -rf $out; mkdir -p $out
dotnet run -c Release --no-build --project tests/Promotion.Benchmarks -- --scenarios coupons --coupon-events 300000 --runs 1 > $out/coupons.jsonl 2> $out/coupons.log &
bench=$!
until grep -q "engine: .* login events" $out/coupons.log 2>/dev/null; do sleep 0.2; kill -0 $bench 2>/dev/null || exit 1; done
for pid in $(pgrep -f "Promotion.Host"); do
  ~/.dotnet/tools/dotnet-trace collect -p $pid --profile dotnet-sampled-thread-time --duration 00:00:00:08 --format Speedscope -o $out/host-$pid.nettrace > $out/trace-$pid.log 2>&1 &
done
date +%s > $out/engine-start
wait $bench

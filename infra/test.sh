#!/usr/bin/env bash
# The test command: makes PostgreSQL, Redis and RabbitMQ answer on 127.0.0.1 (installing them
# on a bare machine), builds, runs every test project against them, and ends with one line
# "N passed, N failed[, N skipped]" summed over all test projects. Exit code 0 only when
# nothing failed. Servers stay up afterwards for the next run; infra/down.sh stops them.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# Connection strings (with generated passwords) go to connection.env, not to the test log.
bash infra/up.sh > /dev/null
# The dashboard's browser tests drive Debian's Chromium (Playwright's own browser download cannot
# work here); installed once, idempotently.
command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium)
# shellcheck disable=SC1091
. "${PROMOTION_INFRA_DIR:-/var/tmp/promotion-infra}/connection.env"

results="$root/TestResults"
rm -rf "$results"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The dashboard tests' screenshots land beside the .trx files.
export PROMOTION_SCREENSHOTS="$results/screenshots"
dotnet build Promotion.sln -c Release -nologo -clp:ErrorsOnly

projects=$(ls tests/*/*.Tests.csproj)
rc=0
for project in $projects; do
  name=$(basename "$project" .csproj)
  echo "== $name"
  # One project at a time: the machine has two cores and the integration tests start hosts.
  dotnet test "$project" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
    --results-directory "$results" -- RunConfiguration.TestSessionTimeout=1500000 || rc=1
done

passed=0; failed=0; skipped=0; missing=0
for project in $projects; do
  name=$(basename "$project" .csproj)
  trx="$results/$name.trx"
  if [ ! -f "$trx" ]; then
    echo "no results from $name (the test host did not run or crashed)"; missing=$((missing + 1)); continue
  fi
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done
failed=$((failed + missing))

# The names of failed tests again at the very end, where a log cut to its tail still shows them.
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  grep -o '<UnitTestResult [^>]*outcome="Failed"' "$trx" | grep -o 'testName="[^"]*"' \
    | sed -e 's/^testName="/FAILED: /' -e 's/"$//' -e 's/&quot;/"/g' -e 's/&amp;/\&/g' || true
done
# Why each failed, in a few lines, so a log that shows only its tail still says what broke.
if [ "$failed" -gt 0 ] && command -v python3 >/dev/null; then
  python3 - "$results" <<'PY' || true
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for trx in sorted(glob.glob(sys.argv[1] + "/*.trx")):
    for r in ET.parse(trx).getroot().iterfind(".//t:UnitTestResult[@outcome='Failed']", ns):
        message = r.findtext("t:Output/t:ErrorInfo/t:Message", "", ns).strip().splitlines()
        # Long messages (a benchmark's progress log) end with what broke: show both ends.
        shown = message if len(message) <= 16 else message[:4] + ["..."] + message[-12:]
        stack = r.findtext("t:Output/t:ErrorInfo/t:StackTrace", "", ns).splitlines()
        where = [l.strip() for l in stack if "/tests/" in l][:3]
        print("WHY " + r.get("testName") + ":\n    " + "\n    ".join(shown + where))
PY
fi
[ "$failed" -eq 0 ] || rc=1

line="$passed passed, $failed failed"
[ "$skipped" -eq 0 ] || line="$line, $skipped skipped"
echo "$line"
exit $rc

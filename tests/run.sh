#!/usr/bin/env bash
# Runs the whole Sluice test suite against a real PostgreSQL and a real Redis.
#
#   ./tests/run.sh                                  build once (Release), start PG + Redis, test
#   ./tests/run.sh --filter 'FullyQualifiedName~Log'  extra arguments go to `dotnet test`
#   ./tests/run.sh --services-only                  only start PG + Redis, print the exports, wait
#
# PostgreSQL and Redis are started on free loopback ports in a `mktemp -d` folder and removed on
# exit, unless given:
#   SLUICE_TEST_PG     Npgsql connection string of a superuser (tests create their own databases)
#   SLUICE_TEST_REDIS  host:port
# Both are exported to the tests. The AWS CLI, boto3, Node.js and npm (Debian packages awscli,
# python3-boto3, nodejs, npm) are installed when missing, for the compatibility scripts in
# tests/compat/ (the tests run `npm ci` in tests/compat/node themselves).
# SLUICE_SKIP_BUILD=1 skips the build. A test host that makes no progress for
# SLUICE_TEST_HANG_TIMEOUT (default 5m) is killed and the hanging test named.
# The last line printed is the summary: `tests: N passed, N failed, N skipped`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=infra/lib.sh
. "$ROOT/infra/lib.sh"

services_only=0
if [[ "${1:-}" == --services-only ]]; then
  services_only=1
  shift
fi

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
# Plain console output (one `Passed!`/`Failed!` line per test project), even on a terminal.
export MSBUILDTERMINALLOGGER=off

tmp=""
cleanup() {
  stop_all
  if [[ -n "$tmp" ]]; then
    rm -rf "$tmp"
    tmp=""
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# The real Kinesis clients of tests/compat/ (run by the Kinesis RealClientTests): whichever aws
# and python3 are on PATH, from these Debian packages when missing.
need=(awscli python3-boto3)
[[ -n "${SLUICE_TEST_PG:-}" ]] || need+=(postgresql)
[[ -n "${SLUICE_TEST_REDIS:-}" ]] || need+=(redis-server)
install_if_missing "${need[@]}"
# Node.js and npm for tests/compat/node/ (the AWS SDK for JavaScript): whichever node and npm are on
# PATH, else the Debian packages. Looked for by their programs (package_present would look for
# `nodejs`, which a Node.js from elsewhere may lack), and npm only after nodejs: a nodejs package
# from NodeSource brings npm itself and conflicts with Debian's npm.
if ! command -v node >/dev/null 2>&1; then install_if_missing nodejs; fi
if ! command -v npm >/dev/null 2>&1; then install_if_missing npm; fi

if ((!services_only)); then
  build_solution
fi

if [[ -z "${SLUICE_TEST_PG:-}" || -z "${SLUICE_TEST_REDIS:-}" ]]; then
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/sluice-tests.XXXXXX")"
  # The postgres system user (see start_postgres) must be able to reach its data folder.
  chmod 755 "$tmp"
fi
if [[ -z "${SLUICE_TEST_PG:-}" ]]; then
  pg_port="$(free_port)"
  start_postgres "$tmp/pg" "$pg_port" "$tmp/postgres.log"
  export SLUICE_TEST_PG="Host=127.0.0.1;Port=$pg_port;Username=sluice;Database=postgres"
fi
if [[ -z "${SLUICE_TEST_REDIS:-}" ]]; then
  redis_port="$(free_port)"
  start_redis "$tmp/redis" "$redis_port" "$tmp/redis.log"
  export SLUICE_TEST_REDIS="127.0.0.1:$redis_port"
fi

if ((services_only)); then
  cat <<EOF

PostgreSQL and Redis are up (Ctrl-C stops them and removes ${tmp:-nothing}):
  export SLUICE_TEST_PG='$SLUICE_TEST_PG'
  export SLUICE_TEST_REDIS='$SLUICE_TEST_REDIS'
EOF
  supervise
fi

log "dotnet test Service.sln -c Release --no-build $*"
out="$(mktemp "${TMPDIR:-/tmp}/sluice-dotnet-test.XXXXXX")"
# A test host (gateway, storage node) that exits without the suite asking leaves its last lines here.
SLUICE_TEST_LOGS="$(mktemp -d "${TMPDIR:-/tmp}/sluice-test-logs.XXXXXX")"
export SLUICE_TEST_LOGS
set +e
dotnet test Service.sln -c Release --no-build \
  --blame-hang-timeout "${SLUICE_TEST_HANG_TIMEOUT:-5m}" --blame-hang-dump-type none \
  "$@" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
set -e

# Sum the per-project result lines of the VSTest console logger:
#   Passed!  - Failed:     0, Passed:    12, Skipped:     0, Total:    12, Duration: 45 ms - X.dll (net10.0)
# (or, should the terminal logger be on, `Test summary: total: 12, failed: 0, succeeded: 12, skipped: 0, …`).
passed=0 failed=0 skipped=0
while read -r f p s; do
  failed=$((failed + f)) passed=$((passed + p)) skipped=$((skipped + s))
done < <(
  sed -nE 's/^[[:space:]]*(Passed|Failed)!.*Failed:[[:space:]]*([0-9]+),[[:space:]]*Passed:[[:space:]]*([0-9]+),[[:space:]]*Skipped:[[:space:]]*([0-9]+).*/\2 \3 \4/p' "$out"
)
if ((passed + failed + skipped == 0)); then
  while read -r f p s; do
    failed=$((failed + f)) passed=$((passed + p)) skipped=$((skipped + s))
  done < <(
    sed -nE 's/.*Test summary: total: [0-9]+, failed: ([0-9]+), succeeded: ([0-9]+), skipped: ([0-9]+).*/\1 \2 \3/p' "$out"
  )
fi
# A test host that crashed or hung (killed by --blame-hang-timeout) aborts its run; the test it
# was running has no result line, so each aborted run counts as one failed test.
aborted="$(grep -c '^Test Run Aborted' "$out" || true)"
failed=$((failed + aborted))
rm -f "$out"
for crash in "$SLUICE_TEST_LOGS"/*.log; do
  [[ -e "$crash" ]] || continue
  echo "==== a Sluice host exited unexpectedly during the run: $(basename "$crash")"
  tail -n 200 "$crash"
done
rm -rf "$SLUICE_TEST_LOGS"

# Stop PG/Redis now, so nothing is printed after the summary line.
cleanup
if ((aborted > 0)); then
  echo "$aborted test run(s) aborted (test host crash or hang; see above), each counted as 1 failed"
fi
if ((rc != 0 && failed == 0)); then
  echo "dotnet test exited with code $rc without a failed test (see above)"
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$rc"

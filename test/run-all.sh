#!/usr/bin/env bash
# The one test command (README "Tests"): installs what the tests need, builds, lints, typechecks,
# runs the unit tests, starts the lab DC, runs the integration tests and stops the lab (also on
# failure). Non-interactive; safe to run as root on a clean Debian 12 clone.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

bash scripts/install-packages.sh

step "npm ci"
npm ci --no-audit --no-fund --loglevel=error

step "build"
npm run -s build

step "lint"
npm run -s lint

step "typecheck"
npm run -s typecheck

RESULTS="$(mktemp -d /tmp/laps-migrate-results-XXXXXX)"
step "unit tests"
npx vitest run --project unit --reporter=default --reporter=json --outputFile.json="$RESULTS/unit.json"

step "integration tests (the lab DC starts and stops inside the run)"
export LAPS_MIGRATE_TEST_ROOT="$(mktemp -d /tmp/laps-migrate-it-XXXXXX)"
cleanup() {
  # the test run stops its lab; this only catches a run that was killed
  if [ -f "$LAPS_MIGRATE_TEST_ROOT/lab/samba.pid" ]; then
    kill "$(cat "$LAPS_MIGRATE_TEST_ROOT/lab/samba.pid")" 2>/dev/null || true
  fi
  pkill -f "$LAPS_MIGRATE_TEST_ROOT" 2>/dev/null || true
  rm -rf "$LAPS_MIGRATE_TEST_ROOT"
}
trap cleanup EXIT
npx vitest run --project integration --reporter=default --reporter=json --outputFile.json="$RESULTS/integration.json"

# one plain closing line for both runs
node -e '
  let p = 0, f = 0, s = 0;
  for (const file of process.argv.slice(1)) {
    const r = JSON.parse(require("fs").readFileSync(file, "utf8"));
    p += r.numPassedTests; f += r.numFailedTests; s += r.numPendingTests + (r.numTodoTests || 0);
  }
  console.log(`tests: ${p} passed, ${f} failed, ${s} skipped`);
' "$RESULTS/unit.json" "$RESULTS/integration.json"
rm -rf "$RESULTS"

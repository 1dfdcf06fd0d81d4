#!/usr/bin/env bash
# The one test command (README "Tests"): installs what the tests need, builds, lints, typechecks,
# runs the unit tests, starts the lab DC, runs the integration tests and stops the lab (also on
# failure). Non-interactive; safe to run as root on a clean Debian 12 clone.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

PACKAGES=(samba-ad-dc samba-ad-provision ldb-tools ldap-utils openssl python3-samba chromium tmux)
missing=()
for pair in /usr/sbin/samba:samba-ad-dc /usr/bin/samba-tool:samba-ad-provision /usr/bin/ldbadd:ldb-tools \
            /usr/bin/ldapsearch:ldap-utils /usr/bin/openssl:openssl /usr/bin/chromium:chromium /usr/bin/tmux:tmux; do
  [ -x "${pair%%:*}" ] || missing+=("${pair#*:}")
done
/usr/bin/python3 -c 'import samba' 2>/dev/null || missing+=(python3-samba)
if [ ${#missing[@]} -gt 0 ]; then
  step "installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" != 0 ] || [ ! -x /usr/bin/apt-get ]; then
    echo "missing ${missing[*]}: run as root on Debian, or install: apt-get install --no-install-recommends ${PACKAGES[*]}" >&2
    exit 2
  fi
  created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    # keep package scripts from starting smbd/nmbd; removed again below
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && created_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
  [ "$created_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
fi

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

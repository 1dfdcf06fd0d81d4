#!/usr/bin/env bash
# `npm run demo`: on a fresh Debian 12 machine, as root, from a clone: installs what the lab needs
# (the same package list as the test command), npm ci, build, then the demo itself
# (scripts/demo.mjs: a fresh lab and the whole pilot-then-broad migration). Rerunning starts
# from a fresh lab. Arguments go to scripts/demo.mjs (--dir DIR, --ip 127.0.0.N).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
printf '== laps-migrate demo: a complete legacy LAPS -> Windows LAPS migration in a lab\n'
printf '== Debian packages (Samba AD DC, LDAP tools, ...): installing only what is missing\n'
bash scripts/install-packages.sh
printf '== npm ci and build\n'
npm ci --no-audit --no-fund --loglevel=error >/dev/null
npm run -s build
printf '   ready after %s s\n\n' "$(( $(date +%s) - started ))"
exec node scripts/demo.mjs "$@"

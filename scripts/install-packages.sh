#!/usr/bin/env bash
# Installs the Debian packages the lab and the tests need, only the missing ones (as root on
# Debian 12; elsewhere it names the packages and exits 2). Shared by `npm run test:all`
# (test/run-all.sh) and `npm run demo` (scripts/demo.sh). Non-interactive.
set -euo pipefail

# libkrb5-dev (+ g++/make) lets npm build the optional "kerberos" module; krb5-user gives kinit/ktutil
PACKAGES=(samba-ad-dc samba-ad-provision ldb-tools ldap-utils openssl python3-samba chromium tmux libkrb5-dev krb5-user g++ make)
missing=()
for pair in /usr/sbin/samba:samba-ad-dc /usr/bin/samba-tool:samba-ad-provision /usr/bin/ldbadd:ldb-tools \
            /usr/bin/ldapsearch:ldap-utils /usr/bin/openssl:openssl /usr/bin/chromium:chromium /usr/bin/tmux:tmux \
            /usr/include/krb5.h:libkrb5-dev /usr/bin/kinit:krb5-user /usr/bin/g++:g++ /usr/bin/make:make; do
  [ -e "${pair%%:*}" ] || missing+=("${pair#*:}")
done
/usr/bin/python3 -c 'import samba' 2>/dev/null || missing+=(python3-samba)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
printf '\n== installing Debian packages: %s\n' "${missing[*]}"
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
if [ "$created_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi

#!/usr/bin/env bash
# Debian packages the tests use: headless Chromium + driver (web page tests), PostgreSQL and Redis servers
# (tests on the scaled-out stack and the dossier service on PostgreSQL), nginx (make run-cluster). Installs what is missing when run as
# root; otherwise prints the command, and those tests skip with the reason (they fail instead when CI=true).
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || need+=(nginx)  # make run-cluster, cluster tests
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
else
  echo "Missing Debian packages for some tests: ${need[*]}"
  echo "  sudo apt-get install ${need[*]}"
  echo "Those tests will be skipped."
fi

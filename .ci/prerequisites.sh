#!/usr/bin/env bash
# What the tests need on the machine, for a newcomer and for CI alike (the README's test command runs this first):
# the Debian packages (installed when we are root, else listed with the command that installs them), a running
# Postgres and Redis on their default local ports, and a postgres role the tests can log in as over TCP.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  libvirt-dev libvirt-clients libvirt-daemon libvirt-daemon-driver-qemu qemu-system-x86
  linux-image-cloud-amd64 busybox-static cpio ansible-core postgresql postgresql-client redis-server bubblewrap util-linux chromium
)
if ! command -v dpkg-query >/dev/null; then
  echo "prerequisites: not a Debian system; install the equivalents of: ${packages[*]}" >&2
  exit 1
fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "prerequisites: missing packages; install them with: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  echo "prerequisites: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "prerequisites: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "prerequisites: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
for _ in $(seq 1 50); do
  pg_isready -h 127.0.0.1 -p 5432 -q && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break
  sleep 0.2
done

# The tests log in as postgres:postgres (test/support/env.ts); a stock Debian cluster wants a password over TCP and
# its postgres role has none: give it that one. A cluster that trusts local TCP ignores the password.
if [ -z "${DATABASE_URL:-}" ] && ! PGPASSWORD=postgres psql -w -qAt -d postgres://postgres@127.0.0.1:5432/postgres -c 'SELECT 1' >/dev/null 2>&1; then
  echo "prerequisites: setting the password of the postgres role for the tests"
  runuser -u postgres -- psql -qAt -c "ALTER ROLE postgres PASSWORD 'postgres'" >/dev/null
fi

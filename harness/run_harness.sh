#!/usr/bin/env bash
# The validation harness on a platform of its own: builds dist/ when stale, then harness/main.ts starts a private
# Postgres (embedded-postgres, its own port) and redis-server (a unix socket), migrates, starts the API and a worker
# as separate processes, runs the scenarios and stops them. Arguments go to harness/main.ts (--suite short|full,
# --plant-bug CHECKER, --scenario NAME, --out DIR). Exit 0 pass, 1 a checker failed, 2 a harness error or unknown.
set -euo pipefail
cd "$(dirname "$0")/.."

out="harness/out/$(date -u +%Y%m%dT%H%M%SZ)-$$"
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
# A run's directory holds its own database cluster and files: never one an earlier run left behind.
if [ -e "$out" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
  echo "harness: $out is not empty; give --out a new directory" >&2
  exit 2
fi
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# Backstop for a runner that died without stopping its children (they also carry a parent-death signal): kill, by
# pid, only a process of ours still alive whose command line or environment names this run's directory.
cleanup() {
  [ -f "$out/pids" ] || return 0
  while read -r name pid; do
    [ -d "/proc/$pid" ] || continue
    if tr '\0' '\n' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF "$out" || tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qF "$out"; then
      echo "harness: stopping leftover $name (pid $pid)" >&2
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done < "$out/pids"
}
trap cleanup EXIT

node bin/ensure-build.js
node --import tsx harness/main.ts --out "$out" ${args[@]+"${args[@]}"}

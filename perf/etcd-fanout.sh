#!/usr/bin/env bash
# Push fan-out to many watching nodes: starts a throwaway etcd on loopback, opens WATCHERS
# watches on one prefix from one process (sluice-etcd-fanout, the same client the nodes use),
# writes a key ROUNDS times and prints p50/p99/max of write -> seen by a watcher, and of
# write -> seen by every watcher. Usage: perf/etcd-fanout.sh [WATCHERS=1000] [ROUNDS=20]
# CONF=release builds optimized (slower to build, closer to a deployment's client cost).
set -euo pipefail
WATCHERS=${WATCHERS:-${1:-1000}}
ROUNDS=${ROUNDS:-${2:-20}}
CONF=${CONF:-debug}
root=$(cd "$(dirname "$0")/.." && pwd)
command -v etcd >/dev/null || { echo "etcd missing: apt-get install etcd-server (scripts/install-deps.sh)"; exit 1; }
(cd "$root" && swift build -c "$CONF" --product sluice-etcd-fanout >/dev/null)
tmp=$(mktemp -d)
port=$((20000 + RANDOM % 20000)); peer=$((port + 1))
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
etcd --name fanout --data-dir "$tmp/data" \
    --listen-client-urls "http://127.0.0.1:$port" --advertise-client-urls "http://127.0.0.1:$port" \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "fanout=http://127.0.0.1:$peer" >"$tmp/etcd.log" 2>&1 &
etcd_pid=$!
trap 'kill $etcd_pid 2>/dev/null; wait $etcd_pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
echo "etcd $(etcd --version | head -1 | awk '{print $3}') on 127.0.0.1:$port; $(nproc) cores; client build $CONF"
"$root/.build/$CONF/sluice-etcd-fanout" --endpoint "http://127.0.0.1:$port" --watchers "$WATCHERS" --rounds "$ROUNDS"

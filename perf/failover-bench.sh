#!/usr/bin/env bash
# How long an inline pair's traffic stops when the daemon is killed (kill -9 of the daemon
# child of `sluice run`'s supervisor) and restarted, with `fail: open` (the supervisor bridges
# the pair in the kernel until the restarted daemon is ready) and `fail: closed` (dropped
# until the restarted daemon is ready). See docs/failover.md.
#
#   sudo perf/failover-bench.sh [--kills N] [--seconds S] [--only open,closed] [--workers N]
#
# Per mode: a fresh topology, `sluice run` inline, then per kill: `ping -i 0.01` client ->
# server for S seconds (default 8), the daemon child killed with SIGKILL 2 s in; the pings
# lost, the longest run of consecutive lost pings (the interruption, lost x 10 ms), and the
# duplicated replies (frames both the bypass and the new daemon forwarded at hand-back).
# One line per kill on stdout, then a summary line per mode.
#
# Needs root, iproute2 (ip, tc), ping (iputils), python3. Uses $SLUICE, else
# .build/release/sluice, else .build/debug/sluice (say which in the numbers you quote: the
# restart of a debug build takes longer, which shows with fail: closed only).
#
# Topology (namespaces svfb-{cli,mid,srv}-PID, removed at exit with every program in them):
#
#   cli: c0 10.98.0.1/24 ──veth── ma  [mid: sluice inline]  mb ──veth── s0 10.98.0.2/24
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

KILLS=3
SECONDS_RUN=8
ONLY=open,closed
WORKERS=1
while [ $# -gt 0 ]; do
    case $1 in
        --kills) KILLS=$2; shift 2 ;;
        --seconds) SECONDS_RUN=$2; shift 2 ;;
        --only) ONLY=$2; shift 2 ;;
        --workers) WORKERS=$2; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
for tool in ip tc ping python3; do
    command -v $tool >/dev/null || { echo "$tool missing" >&2; exit 1; }
done
BIN=${SLUICE:-}
if [ -z "$BIN" ]; then
    for b in "$ROOT/.build/release/sluice" "$ROOT/.build/debug/sluice"; do
        [ -x "$b" ] && { BIN=$b; break; }
    done
fi
[ -n "$BIN" ] && [ -x "$BIN" ] || { echo "no sluice binary: swift build -c release --product sluice (or SLUICE=PATH)" >&2; exit 1; }

CLI=svfb-cli-$$; MID=svfb-mid-$$; SRV=svfb-srv-$$
TMP=$(mktemp -d /tmp/sluice-failover-bench.XXXXXX)
PIDS=()

. "$ROOT/perf/lib/bed.sh"
trap 'bed_cleanup; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

count() { grep -c "$2" "$1" 2>/dev/null || true; }   # $1 file, $2 pattern: matching lines

wait_count() {   # $1 file, $2 pattern, $3 count at least, $4 seconds
    local deadline=$((SECONDS + $4))
    while [ $SECONDS -lt $deadline ]; do
        [ "$(count "$1" "$2")" -ge "$3" ] && return 0
        sleep 0.05
    done
    echo "timed out waiting for $3 x '$2' in $1:" >&2; tail -n 20 "$1" >&2; return 1
}

# Pings lost, the longest run of consecutive lost pings, duplicates; from ping's output.
analyse() {   # $1 ping output file, $2 interval ms
    python3 - "$1" "$2" <<'EOF'
import re, sys
text = open(sys.argv[1]).read(); interval = float(sys.argv[2])
m = re.search(r"(\d+) packets transmitted, (\d+) received(?:, \+(\d+) duplicates)?", text)
sent, got, dups = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
seqs = sorted({int(s) for s in re.findall(r"icmp_seq=(\d+)", text)})
gap, prev = 0, 0
for s in seqs + [sent + 1]:
    gap = max(gap, s - prev - 1); prev = s
print(f"{sent} sent, {sent - got} lost, longest outage {gap} pings = {gap * interval:.0f} ms, {dups} duplicates")
EOF
}

run_mode() {   # $1: open|closed
    local mode=$1
    bed_topology
    cat >"$TMP/policy.yaml" <<'EOF'
version: 1
mode: protect
default: allow
groups:
  server: { cidrs: [10.98.0.2/32] }
workloads:
  server: { group: server, mode: protect }
rules:
  - { id: 1, from: any, to: any, action: allow }
EOF
    cat >"$TMP/sluice.yaml" <<EOF
io: af_packet
workers: $WORKERS
interfaces:
  - { name: bench, mode: inline, pair: [ma, mb], workload: server }
policy: policy.yaml
sensors: [dlp-pii, dlp-secrets, waf-core]
eve: $TMP/eve.json
fail: $mode
EOF
    local log=$TMP/sluice-$mode.log
    ip netns exec $MID "$BIN" run --config "$TMP/sluice.yaml" >"$log" 2>&1 &
    PIDS+=($!)
    wait_count "$log" "sluice run: ready:" 1 120
    ip netns exec $CLI ping -c 5 -i 0.2 -W 1 10.98.0.2 >/dev/null 2>&1 || true   # ARP, flow set-up
    local total_lost=0 worst=0
    for k in $(seq "$KILLS"); do
        local readies; readies=$(count "$log" "sluice run: ready:")
        local out=$TMP/ping-$mode-$k.txt
        ip netns exec $CLI ping -i 0.01 -W 1 -c $((SECONDS_RUN * 100)) 10.98.0.2 >"$out" 2>&1 &
        local ping=$!
        sleep 2
        local child
        child=$(grep -o 'started the daemon, pid [0-9]*' "$log" | tail -n1 | grep -o '[0-9]*$')
        kill -KILL "$child"
        wait_count "$log" "sluice run: ready:" $((readies + 1)) 120
        wait "$ping" || true
        local line; line=$(analyse "$out" 10)
        echo "fail: $mode, kill $k: $line"
        local lost gap
        lost=$(echo "$line" | sed -E 's/.* ([0-9]+) lost.*/\1/')
        gap=$(echo "$line" | sed -E 's/.*outage ([0-9]+) pings.*/\1/')
        total_lost=$((total_lost + lost)); [ "$gap" -gt "$worst" ] && worst=$gap
        # The next kill only once the bypass is gone (hand-back) and traffic settled.
        [ "$mode" = open ] && wait_count "$log" "bypass removed (hand-back)" "$k" 30
        sleep 0.5
    done
    echo "fail: $mode: $KILLS kills, $total_lost pings lost in all ($((total_lost * 10)) ms), worst outage $((worst * 10)) ms ($(basename "$(dirname "$(dirname "$BIN")")")/$(basename "$(dirname "$BIN")") build, $WORKERS worker(s))"
    kill -TERM "${PIDS[-1]}"; wait "${PIDS[-1]}" || echo "sluice exited with status $?" >&2
    grep "sluice supervisor:" "$log" >&2 || true
}

for mode in ${ONLY//,/ }; do
    run_mode "$mode" || echo "fail: $mode: failed (log: $(tail -n 5 "$TMP/sluice-$mode.log" 2>/dev/null | tr '\n' ' '))"
done

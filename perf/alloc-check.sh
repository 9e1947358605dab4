#!/usr/bin/env bash
# The checks perf/README.md says must hold, run by CI (.ci/run) so a regression fails the build
# rather than a later benchmark, as swift-nio's CI checks its allocation thresholds:
#
#   1. replay path: release sluice-bench on a generated capture (HTTP/1.1, DNS, TLS over IPv4
#      and IPv6): engine, libpcap replay, every built-in sensor, and the policy stage with
#      sensor bindings in protect, monitor and discover mode: 0 heap allocations per packet in
#      steady state (CAllocCounter counts every malloc of the process);
#   2. inline path: the live daemon (sluice-bench --inline) forwarding iperf3 and HTTP between
#      two network namespaces: 0 allocations in the steady window, every thread included;
#   3. instructions per packet of the L7 engine path under valgrind's callgrind, at most
#      INSTRUCTIONS_BUDGET (perf/README.md records 1,804 on the same capture shape).
#
#   sudo perf/alloc-check.sh            (needs root for the namespaces; python3, iperf3, curl, valgrind)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
INSTRUCTIONS_BUDGET=${INSTRUCTIONS_BUDGET:-2600}
TMP=$(mktemp -d /tmp/sluice-alloc-check.XXXXXX)
CLI=sac-cli-$$ MID=sac-mid-$$ SRV=sac-srv-$$
PIDS=()
. perf/lib/bed.sh
trap 'bed_cleanup; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
failures=0
fail() { echo "alloc-check: FAIL: $*" >&2; failures=$((failures + 1)); }

swift build -c release --product sluice-bench 2>&1 | tail -n 1
BENCH=$ROOT/.build/release/sluice-bench
python3 perf/gen-capture.py --out "$TMP/cap.pcap" --size-mb 24 >/dev/null

# 1. Replay path. Every report line carries allocs_steady=N.
check_lines() {   # $1: label; stdin: sluice-bench output
    local out; out=$(cat)
    echo "$out" | grep -E "allocs_steady=" | sed 's/^/  /'
    local bad; bad=$(echo "$out" | grep -E "allocs_steady=" | grep -vE "allocs_steady=0 " || true)
    [ -z "$bad" ] || fail "$1: steady-state allocations: $bad"
    echo "$out" | grep -qE "allocs_steady=" || fail "$1: sluice-bench printed no allocation figure: $out"
}
echo "replay path (release sluice-bench, one worker):"
"$BENCH" "$TMP/cap.pcap" --sensors --passes 1 | check_lines "engine/replay/sensors"
for mode in protect monitor discover; do
    sed "s/MODE/$mode/" perf/bench-policy-sensors.yaml >"$TMP/policy-$mode.yaml"
    "$BENCH" "$TMP/cap.pcap" --policy "$TMP/policy-$mode.yaml" --sensors --passes 1 | grep -E "^policy" \
        | check_lines "policy $mode"
done

# 2. Inline path: the daemon between two namespaces under iperf3 and HTTP.
bed_topology
cat >"$TMP/policy.yaml" <<'YAML'
version: 1
mode: protect
default: deny
groups:
  clients: { cidrs: [10.98.0.1/32] }
  server:  { cidrs: [10.98.0.2/32] }
workloads:
  server: { group: server, sensors: [dlp-pii, dlp-secrets, { name: waf-core, action: block }] }
rules:
  - { id: 10, from: clients, to: server, ports: [tcp/5201], action: allow }
  - { id: 20, from: clients, to: server, ports: [tcp/8000], apps: [http], action: allow }
  - { id: 30, from: any, to: any, ports: [icmp], action: allow }
YAML
cat >"$TMP/sluice.yaml" <<YAML
io: af_packet
workers: 1
interfaces:
  - { name: check, mode: inline, pair: [ma, mb], workload: server }
policy: $TMP/policy.yaml
sensors: [dlp-pii, dlp-secrets, waf-core]
eve: $TMP/eve.json
fail: open
YAML
ip netns exec $SRV iperf3 -s -B 10.98.0.2 >/dev/null 2>&1 & PIDS+=($!)
(cd "$TMP" && exec ip netns exec $SRV python3 -m http.server 8000 --bind 10.98.0.2) >/dev/null 2>&1 & PIDS+=($!)
ip netns exec $MID stdbuf -oL "$BENCH" --inline "$TMP/sluice.yaml" --seconds 12 >"$TMP/inline.log" 2>&1 & bench=$!
PIDS+=($bench)
for _ in $(seq 100); do grep -q "ready" "$TMP/inline.log" 2>/dev/null && break; sleep 0.1; done
ip netns exec $CLI iperf3 -c 10.98.0.2 -t 8 >/dev/null 2>&1 &
traffic=$!
end=$((SECONDS + 8))
while [ $SECONDS -lt $end ]; do ip netns exec $CLI curl -s -m 2 -o /dev/null http://10.98.0.2:8000/ || true; done
wait $traffic || true
wait $bench || fail "inline: sluice-bench --inline exited non-zero: $(tail -n 5 "$TMP/inline.log")"
echo "inline path (live daemon, 1 worker, iperf3 + HTTP):"
line=$(grep -E "^inline: " "$TMP/inline.log" || true)
echo "  $line"
# The window must have seen real traffic, not an idle daemon.
forwarded=$(sed -n 's/.*ma->mb received [0-9]* forwarded \([0-9]*\).*/\1/p' "$TMP/inline.log" | head -n 1)
echo "  client->server frames forwarded: ${forwarded:-?}"
[ "${forwarded:-0}" -ge 10000 ] || fail "inline: only ${forwarded:-0} frames forwarded: the traffic did not flow"
[ -n "$line" ] || fail "inline: no allocation figure: $(tail -n 20 "$TMP/inline.log")"
echo "$line" | grep -q "allocs_steady=0 " || fail "inline: steady-state allocations: $line"

# 3. Instructions per packet (callgrind on a small capture: it runs ~50x slower).
if command -v valgrind >/dev/null; then
    python3 perf/gen-capture.py --out "$TMP/small.pcap" --size-mb 4 >/dev/null
    cg=$(perf/callgrind.sh "$TMP/small.pcap")
    echo "instructions: $cg"
    per=$(echo "$cg" | sed -n 's/.*instructions_per_packet=\([0-9]*\).*/\1/p')
    [ -n "$per" ] && [ "$per" -le "$INSTRUCTIONS_BUDGET" ] || fail "instructions per packet ${per:-?} over the budget $INSTRUCTIONS_BUDGET"
else
    echo "instructions: valgrind not installed, skipped"
fi

[ "$failures" -eq 0 ] && echo "alloc-check: ok" || { echo "alloc-check: $failures failure(s)"; exit 1; }

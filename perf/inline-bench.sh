#!/usr/bin/env bash
# Inline throughput and latency of a bump in the wire, three ways, in one run:
#   bridge    the kernel forwards the middle namespace with a Linux bridge
#   sluice    `sluice run` inline (AF_PACKET) on the two middle veth ends, a permissive
#             protect policy, the built-in sensors (dlp-pii, dlp-secrets, waf-core) on
#   suricata  Suricata 7 AF_PACKET IPS copy-mode on the same two ends, with
#             perf/suricata-sensors.rules (the same pattern classes as the built-in sensors)
#   push      (only when asked: --only push) Sluice inline under iperf3 load while policies are
#             pushed through its API (`sluice ctl policy push`, --pushes N, default 20): how long
#             each push takes to be in force on every worker, and whether any frame was lost
#             (kernel drops, frames dropped, send failures from the stop summary)
#
#   sudo perf/inline-bench.sh [--seconds N] [--pings N] [--requests N] [--only bridge,sluice,suricata]
#                             [--offloads auto|off] [--workers N[,N...]]
#
# --workers 1,2 runs the Sluice setup once per worker count. SLUICE=PATH runs another build
# (e.g. one from an earlier commit, to compare receive paths); SLUICE_LABEL names it, and
# SLUICE_EXTRA adds lines to its daemon config (e.g. "worker_priority: realtime").
#
# Needs root, iproute2, ethtool, iperf3, ping (iputils), python3; Suricata 7 is installed with
# perf/install-suricata.sh when missing; the Sluice setup builds `.build/release/sluice`
# (`swift build -c release --product sluice`) when it is missing (SLUICE=PATH to use another).
#
# Topology (namespaces named sib-{cli,mid,srv}-PID, removed at exit with every program
# started in them):
#
#   cli: c0 10.98.0.1/24 ──veth── ma  [mid: bridge | sluice | suricata]  mb ──veth── s0 10.98.0.2/24 :srv
#
# The middle namespace has no addresses, IPv6 off, no IP forwarding. Per setup the topology is
# built fresh, then: ping (PINGS echo requests at 10 ms intervals after 5 warm-up pings;
# avg, p99 and max of the RTTs), REQUESTS small HTTP GETs one at a time over one keep-alive
# connection (avg and p99 of each request's round trip), then iperf3 one TCP stream
# client -> server for SECONDS (Gbit/s the receiver got). One line per setup on stdout.
#
# Offloads (ethtool -K), stated in each line:
#   auto (default)  bridge and sluice: veth defaults (TX checksum, TSO, GSO on; the client's
#                   64 KiB super-frames cross the middle whole: the bridge forwards skbs,
#                   Sluice reads and writes them with vnet headers). suricata: on all four veth
#                   ends `tx off rx off tso off gso off gro off`; Suricata's AF_PACKET IPS has
#                   no vnet headers, so with offloads on it would get frames with unfinished
#                   checksums and super-frames over the MTU it cannot send.
#   off             the same `tx off rx off tso off gso off gro off` on all four ends for all
#                   three setups: every setup then handles MTU-sized frames (1500 bytes).
# Checksum validation is off in Suricata (stream.checksum-validation: no,
# af-packet checksum-checks: no); Sluice forwards checksum-offloaded frames with their vnet
# header, so the kernel finishes the checksum (docs/afpacket.md).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

SECONDS_RUN=10
PINGS=200
REQUESTS=2000
ONLY=bridge,sluice,suricata
OFFLOADS=auto
WORKERS=1
WORKER_COUNTS=1
PUSHES=20
while [ $# -gt 0 ]; do
    case $1 in
        --seconds) SECONDS_RUN=$2; shift 2 ;;
        --pings) PINGS=$2; shift 2 ;;
        --requests) REQUESTS=$2; shift 2 ;;
        --only) ONLY=$2; shift 2 ;;
        --offloads) OFFLOADS=$2; shift 2 ;;
        --workers) WORKER_COUNTS=$2; WORKERS=${2%%,*}; shift 2 ;;
        --pushes) PUSHES=$2; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
for tool in ip ethtool iperf3 ping python3; do
    command -v $tool >/dev/null || { echo "$tool missing" >&2; exit 1; }
done

CLI=sib-cli-$$; MID=sib-mid-$$; SRV=sib-srv-$$
TMP=$(mktemp -d /tmp/sluice-inline-bench.XXXXXX)
PIDS=()

. "$ROOT/perf/lib/bed.sh"
trap 'bed_cleanup; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

no_offloads() { ip netns exec "$1" ethtool -K "$2" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true; }

topology() {   # $1: on|off (offloads)
    bed_topology
    if [ "$1" = off ]; then
        no_offloads $CLI c0; no_offloads $MID ma; no_offloads $MID mb; no_offloads $SRV s0
    fi
}

# Starts a program in a namespace in the background, output to a log; records its pid.
start() {   # $1 ns, $2 log, rest: command
    local ns=$1 log=$2; shift 2
    ip netns exec "$ns" "$@" >"$log" 2>&1 &
    PIDS+=($!)
}

wait_for() {   # $1 file, $2 pattern (grep -E), $3 seconds, $4 pid to watch
    local deadline=$((SECONDS + $3))
    while [ $SECONDS -lt $deadline ]; do
        grep -qiE "$2" "$1" 2>/dev/null && return 0
        kill -0 "$4" 2>/dev/null || { echo "process exited before '$2':" >&2; tail -n 30 "$1" >&2; return 1; }
        sleep 0.2
    done
    echo "timed out waiting for '$2' in $1:" >&2; tail -n 30 "$1" >&2; return 1
}

# Pings, keep-alive HTTP requests, then iperf3; prints
# "<label>: X Gbit/s, RTT avg A ms p99 P ms max M ms, HTTP req/resp avg ... (...)".
measure() {   # $1 label, $2 setup description
    local label=$1 what=$2
    ip netns exec $CLI ping -c 5 -i 0.2 -W 1 10.98.0.2 >/dev/null 2>&1 || true   # ARP, flow set-up
    local rtt
    rtt=$(ip netns exec $CLI ping -c "$PINGS" -i 0.01 -W 1 10.98.0.2 2>&1 | python3 -c '
import re, sys
t = sorted(float(m) for m in re.findall(r"time=([0-9.]+) ms", sys.stdin.read()))
n = len(t)
if n == 0:
    print("RTT n/a (no replies)")
else:
    p99 = t[min(n - 1, max(0, -(-99 * n // 100) - 1))]
    print("RTT avg %.3f ms p99 %.3f ms max %.3f ms (%d/%s replies)" % (sum(t) / n, p99, t[-1], n, sys.argv[1]))
' "$PINGS")
    # Request/response: REQUESTS small GETs one after another on one keep-alive connection
    # (HTTP/1.1 server and client from Python's standard library), each timed.
    start $SRV "$TMP/http-server.log" python3 -u -c '
import http.server
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        # One write per response: headers and body in separate writes would meet Nagle and
        # delayed ACK (40 ms per request), measuring the TCP stack instead of the path.
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n")
    def log_message(self, *a): pass
s = http.server.HTTPServer(("10.98.0.2", 8080), H)
print("listening", flush=True)
s.serve_forever()'
    wait_for "$TMP/http-server.log" "listening" 10 "${PIDS[-1]}"
    local rr
    rr=$(ip netns exec $CLI timeout 60 python3 -c '
import http.client, sys, time
n = int(sys.argv[1])
c = http.client.HTTPConnection("10.98.0.2", 8080, timeout=5)
t = []
try:
    for i in range(n + 20):
        t0 = time.perf_counter(); c.request("GET", "/x%d" % i); r = c.getresponse(); r.read(); t1 = time.perf_counter()
        if i >= 20: t.append((t1 - t0) * 1000)
except Exception as e:
    print("HTTP req/resp failed after %d: %s" % (len(t), e)); sys.exit(0)
t.sort(); k = len(t)
print("HTTP req/resp avg %.3f ms p99 %.3f ms (%d keep-alive GETs, %.0f/s)" % (sum(t) / k, t[min(k - 1, -(-99 * k // 100) - 1)], k, k / (sum(t) / 1000)))
' "$REQUESTS" 2>&1 || echo "HTTP req/resp n/a")
    start $SRV "$TMP/iperf3-server.log" iperf3 -s -B 10.98.0.2 -1 --forceflush
    local ipid=${PIDS[-1]}
    wait_for "$TMP/iperf3-server.log" "listening" 10 "$ipid"
    local gbps
    gbps=$(ip netns exec $CLI timeout $((SECONDS_RUN + 20)) iperf3 -c 10.98.0.2 -t "$SECONDS_RUN" -J 2>/dev/null | python3 -c '
import json, sys
try:
    j = json.load(sys.stdin)
    print("%.2f Gbit/s" % (j["end"]["sum_received"]["bits_per_second"] / 1e9))
except Exception:
    print("throughput n/a")
' || echo "throughput n/a")
    printf '%-9s %s, %s, %s [%s]\n' "$label:" "$gbps" "$rtt" "$rr" "$what"
}

offloads_for() {   # setup -> on|off
    if [ "$OFFLOADS" = off ] || [ "$1" = suricata ]; then echo off; else echo on; fi
}

run_bridge() {
    local off; off=$(offloads_for bridge)
    topology "$off"
    ip -n $MID link add br0 type bridge forward_delay 0 stp_state 0
    ip -n $MID link set dev ma master br0
    ip -n $MID link set dev mb master br0
    ip -n $MID link set dev br0 up
    measure bridge "linux bridge, offloads $off"
}

run_suricata() {
    command -v suricata >/dev/null && suricata -V 2>/dev/null | grep -q 'version 7' ||
        bash perf/install-suricata.sh >&2
    local off; off=$(offloads_for suricata)
    topology "$off"
    cat >"$TMP/suricata.yaml" <<EOF
%YAML 1.1
---
vars:
  address-groups:
    HOME_NET: "[10.98.0.0/24]"
    EXTERNAL_NET: "any"
default-log-dir: $TMP
outputs:
  - eve-log:
      enabled: yes
      filetype: regular
      filename: suricata-eve.json
      types: [alert, flow, http, dns, tls, drop]
logging:
  default-log-level: info
  outputs:
    - console:
        enabled: yes
af-packet:
  - interface: ma
    threads: 1
    cluster-id: 98
    cluster-type: cluster_flow
    defrag: no
    use-mmap: yes
    tpacket-v3: no
    copy-mode: ips
    copy-iface: mb
    checksum-checks: no
  - interface: mb
    threads: 1
    cluster-id: 97
    cluster-type: cluster_flow
    defrag: no
    use-mmap: yes
    tpacket-v3: no
    copy-mode: ips
    copy-iface: ma
    checksum-checks: no
stream:
  checksum-validation: no
  inline: auto
  reassembly:
    depth: 1mb
app-layer:
  protocols:
    http:
      enabled: yes
      libhtp:
        default-config:
          request-body-limit: 1mb
          response-body-limit: 1mb
    tls:
      enabled: yes
      detection-ports:
        dp: 443
    dns:
      tcp: { enabled: yes, detection-ports: { dp: 53 } }
      udp: { enabled: yes, detection-ports: { dp: 53 } }
EOF
    local rules=("${SURICATA_RULES:-$ROOT/perf/suricata-sensors.rules}")
    start $MID "$TMP/suricata.log" suricata -c "$TMP/suricata.yaml" --af-packet -l "$TMP" \
        -S "${rules[0]}" -k none
    # Loading the pcre rules takes several seconds on this machine.
    wait_for "$TMP/suricata.log" "engine started" 120 "${PIDS[-1]}"
    grep -iE "rules successfully loaded|IPS mode activated" "$TMP/suricata.log" >&2 || true
    measure suricata "suricata $(suricata -V | grep -oE '[0-9]+\.[0-9.]+' | head -n1) af-packet copy-mode ips, $(grep -c '^alert' "${rules[0]}") rules, offloads $off"
}

sluice_bin() {
    local bin=${SLUICE:-$ROOT/.build/release/sluice}
    if [ ! -x "$bin" ]; then
        echo "building $bin" >&2
        swift build -c release --product sluice >&2
    fi
    echo "$bin"
}

sluice_config() {   # $1: an extra line of daemon config (the API, for the push setup)
    cat >"$TMP/policy.yaml" <<'EOF'
version: 1
mode: protect
default: allow
groups:
  clients: { cidrs: [10.98.0.0/24] }
  server:  { cidrs: [10.98.0.2/32] }
workloads:
  server: { group: server, mode: protect, sensors: [dlp-pii, dlp-secrets, waf-core] }
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
eve: $TMP/sluice-eve.json
fail: open
$1
${SLUICE_EXTRA:-}
EOF
}

run_sluice() {
    local bin; bin=$(sluice_bin)
    local off; off=$(offloads_for sluice)
    local counts w
    IFS=, read -ra counts <<<"$WORKER_COUNTS"
    for w in "${counts[@]}"; do
        WORKERS=$w
        topology "$off"
        sluice_config ""
        start $MID "$TMP/sluice.log" "$bin" run --config "$TMP/sluice.yaml"
        local pid=${PIDS[-1]}
        wait_for "$TMP/sluice.log" "ready" 60 "$pid"
        measure "${SLUICE_LABEL:-sluice}" "sluice run inline, $WORKERS worker(s), permissive policy, built-in sensors, offloads $off"
        # Its summary (frames forwarded and dropped, flows, alerts) goes to stderr.
        kill -TERM "$pid"; wait "$pid" || echo "sluice exited with status $?" >&2
        sed -n '/stopped/,$p' "$TMP/sluice.log" >&2
        bed_cleanup
    done
}

# Policy pushes through the API while iperf3 runs: time until each is in force on every
# worker, and whether any frame was lost meanwhile.
run_push() {
    local bin; bin=$(sluice_bin)
    local off; off=$(offloads_for sluice)
    topology "$off"
    head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/token"
    sluice_config "api: { socket: $TMP/api.sock, token_file: $TMP/token }"
    # The same traffic allowed by another rule: every push changes the policy in force without
    # changing the iperf3 flow's verdict.
    sed 's/id: 1, from: any/id: 2, from: any/' "$TMP/policy.yaml" >"$TMP/policy-b.yaml"
    start $MID "$TMP/sluice.log" "$bin" run --config "$TMP/sluice.yaml"
    local pid=${PIDS[-1]}
    wait_for "$TMP/sluice.log" "ready" 60 "$pid"
    ip netns exec $CLI ping -c 3 -i 0.2 -W 1 10.98.0.2 >/dev/null 2>&1 || true
    start $SRV "$TMP/iperf3-server.log" iperf3 -s -B 10.98.0.2 -1 --forceflush
    wait_for "$TMP/iperf3-server.log" "listening" 10 "${PIDS[-1]}"
    ip netns exec $CLI timeout $((SECONDS_RUN + 20)) iperf3 -c 10.98.0.2 -t "$SECONDS_RUN" -J >"$TMP/iperf3.json" 2>/dev/null &
    local client=$!
    sleep 1
    local gap; gap=$(python3 -c "print(max(0.05, ($SECONDS_RUN - 2) / $PUSHES))")
    local i f
    for i in $(seq "$PUSHES"); do
        f=$TMP/policy.yaml; [ $((i % 2)) = 1 ] && f=$TMP/policy-b.yaml
        ip netns exec $MID "$bin" ctl policy push "$f" --socket "$TMP/api.sock" --token-file "$TMP/token" \
            >>"$TMP/pushes.log" 2>&1 || true
        sleep "$gap"
    done
    wait $client || true
    kill -TERM "$pid"; wait "$pid" || echo "sluice exited with status $?" >&2
    python3 - "$TMP/pushes.log" "$TMP/iperf3.json" "$TMP/sluice.log" "$PUSHES" <<'PY'
import json, re, sys
pushes = sorted(float(m) for m in re.findall(r"on every worker ([0-9.]+) ms after the push", open(sys.argv[1]).read()))
try:
    j = json.load(open(sys.argv[2]))
    gbps = "%.2f Gbit/s" % (j["end"]["sum_received"]["bits_per_second"] / 1e9)
    retrans = j["end"]["sum_sent"].get("retransmits", "n/a")
except Exception:
    gbps, retrans = "throughput n/a", "n/a"
log = open(sys.argv[3]).read()
m = re.search(r"received (\d+) forwarded (\d+) dropped (\d+);.*?received (\d+) forwarded (\d+) dropped (\d+); "
              r"kernel drops (\d+), send failures (\d+)", log)
lost = "summary n/a" if not m else "frames received %d, forwarded %d, dropped %d; kernel drops %s; send failures %s" % (
    int(m[1]) + int(m[4]), int(m[2]) + int(m[5]), int(m[3]) + int(m[6]), m[7], m[8])
if pushes:
    print("push:     %d/%s pushes under iperf3 (%s, %s TCP retransmits): in force on every worker after median %.2f ms, max %.2f ms; %s"
          % (len(pushes), sys.argv[4], gbps, retrans, pushes[len(pushes) // 2], pushes[-1], lost))
else:
    print("push:     no push succeeded (see %s); %s" % (sys.argv[1], lost))
PY
}

echo "inline bench: ${SECONDS_RUN}s iperf3 TCP (1 stream), $PINGS pings at 10 ms; $(nproc) cores, $(uname -r)" >&2
IFS=, read -ra setups <<<"$ONLY"
for s in "${setups[@]}"; do
    case $s in
        bridge) run_bridge ;;
        sluice) run_sluice || echo "sluice:   failed (log: $(tail -n 5 "$TMP/sluice.log" 2>/dev/null | tr '\n' ' '))" ;;
        push) run_push || echo "push:     failed (log: $(tail -n 5 "$TMP/sluice.log" 2>/dev/null | tr '\n' ' '))" ;;
        suricata) run_suricata || echo "suricata: failed (log: $(tail -n 5 "$TMP/suricata.log" 2>/dev/null | tr '\n' ' '))" ;;
        *) echo "unknown setup $s" >&2; exit 2 ;;
    esac
    bed_cleanup
done

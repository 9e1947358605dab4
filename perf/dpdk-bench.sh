#!/usr/bin/env bash
# Packets per second of the daemon's pipeline on DPDK ports with no kernel in the way, and its
# heap allocations, one and two workers; beside it the engine's own figure (frames from
# memory through one worker, `sluice-bench FILE`) from the same run and capture.
#
#   sudo perf/dpdk-bench.sh [--seconds N] [--size-mb N]
#
# Each inline pair is [net_pcap, net_null]: net_pcap with infinite_rx=1 replays a generated
# capture (perf/gen-capture.py) from memory forever, every frame goes through `sluice run`'s
# workers (decode, flows, streams, L7, the built-in sensors, policy stage in discover mode
# with unknown: allow) and is forwarded to net_null, which frees it (no-rx=1: it sends
# nothing back). net_pcap's infinite mode has one queue per vdev, so N workers get N pairs.
# `sluice-bench --inline` runs the daemon for N s and counts every malloc of the process over
# the steady window (CAllocCounter). pps = frames forwarded / seconds run (start-up included).
# The frames repeat, so flows repeat: streams see retransmissions after the first pass.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=10; size=24
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds=$2; shift 2 ;;
        --size-mb) size=$2; shift 2 ;;
        *) echo "usage: $0 [--seconds N] [--size-mb N]" >&2; exit 2 ;;
    esac
done
[ -x .build/release/sluice-bench ] || swift build -c release --product sluice-bench
work=$(mktemp -d /tmp/sluice-dpdk-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 perf/gen-capture.py --out "$work/cap.pcap" --size-mb "$size" >/dev/null
packets=$(/usr/bin/python3 -c "
import struct,sys
f=open(sys.argv[1],'rb'); f.read(24); n=0
while True:
    h=f.read(16)
    if len(h)<16: break
    f.seek(struct.unpack('<IIII',h)[2],1); n+=1
print(n)" "$work/cap.pcap")
echo "capture: $size MB, $packets frames"
echo "== engine (frames from memory, one worker) =="
.build/release/sluice-bench "$work/cap.pcap" --passes 3 | grep -E "^(engine|replay)" || true
for workers in 1 2; do
    eal="--no-huge, -m, \"$((1024 * workers))\", --no-pci"
    pairs=""
    for ((i = 0; i < workers; i++)); do
        eal+=", \"--vdev=net_pcap$i,rx_pcap=$work/cap.pcap,infinite_rx=1\", \"--vdev=net_null$i,no-rx=1\""
        pairs+="  - { name: p$i, mode: inline, pair: [net_pcap$i, net_null$i] }"$'\n'
    done
    cat > "$work/w$workers.yaml" <<Y
io: dpdk
workers: $workers
interfaces:
$pairs
dpdk:
  eal: [$eal]
  mbufs: $(( (packets + 20000) * workers < 16777215 ? (packets + 20000) * workers : 16777215 ))
unknown: allow
Y
    echo "== DPDK net_pcap -> pipeline -> net_null, $workers worker(s), $seconds s =="
    out=$(.build/release/sluice-bench --inline "$work/w$workers.yaml" --seconds "$seconds" 2>&1 | grep -v "^EAL\|^TELEMETRY")
    echo "$out" | grep -E "^inline:|net_pcap[0-9]->"
    fwd=$(echo "$out" | grep -oE "net_pcap[0-9]+->net_null[0-9]+ received [0-9]+ forwarded [0-9]+" | awk '{s+=$NF} END {print s+0}')
    echo "dpdk workers=$workers forwarded=$fwd pps=$((fwd / seconds))"
done

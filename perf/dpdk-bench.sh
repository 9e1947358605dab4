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
#
# AF_PACKET beside it: the same capture fed to `sluice run` with io: af_packet inline on two
# veth ends (namespace sdb-mid-PID, ma <-> mb), the frames sent into ma by a generator that
# is sluice itself (io: dpdk, net_pcap infinite_rx -> net_af_packet on the veth peer g0, no
# sensors) in namespace sdb-gen-PID; mb's peer s0 sits in sdb-snk-PID, which drops what
# arrives. The generator shares the machine's cores with the daemon, so the AF_PACKET figure
# is also bounded by what the generator sends (both are printed).
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
gen=sdb-gen-$$ mid=sdb-mid-$$ snk=sdb-snk-$$
cleanup() {
    for ns in $gen $mid $snk; do
        for p in $(ip netns pids $ns 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
        ip netns del $ns 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
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

echo "== AF_PACKET: generator (sluice io: dpdk -> veth) -> ma [sluice io: af_packet] mb -> sink =="
for ns in $gen $mid $snk; do ip netns add $ns; done
ip link add g0 netns $gen type veth peer name ma netns $mid
ip link add mb netns $mid type veth peer name s0 netns $snk
ip netns exec $mid sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
# The capture has IPv6 frames of 1,522 bytes (MSS 1460 over IPv6): above a veth's default MTU
# the kernel refuses them, and net_af_packet's transmit ring stalls behind each refusal.
ip -n $gen link set dev g0 mtu 1600; ip -n $mid link set dev ma mtu 1600
ip -n $mid link set dev mb mtu 1600; ip -n $snk link set dev s0 mtu 1600
for d in lo g0; do ip -n $gen link set dev $d up; done
for d in lo ma mb; do ip -n $mid link set dev $d up; done
for d in lo s0; do ip -n $snk link set dev $d up; done
cat > "$work/gen.yaml" <<Y
io: dpdk
workers: 1
interfaces:
  - { name: gen, mode: inline, pair: [net_pcap0, net_af_packet0] }
dpdk:
  eal: [--no-huge, -m, "1024", --no-pci, "--vdev=net_pcap0,rx_pcap=$work/cap.pcap,infinite_rx=1", "--vdev=net_af_packet0,iface=g0"]
  mbufs: $((packets + 20000))
sensors: []
unknown: allow
Y
for workers in 1 2; do
    cat > "$work/af$workers.yaml" <<Y
io: af_packet
workers: $workers
interfaces:
  - { name: p0, mode: inline, pair: [ma, mb] }
unknown: allow
Y
    ip netns exec $gen .build/release/sluice-bench --inline "$work/gen.yaml" --seconds $((seconds + 4)) >"$work/gen.log" 2>&1 &
    genpid=$!
    sleep 2
    out=$(ip netns exec $mid .build/release/sluice-bench --inline "$work/af$workers.yaml" --seconds "$seconds" 2>&1)
    wait $genpid || true
    echo "$out" | grep -E "^inline:|ma->mb"
    fwd=$(echo "$out" | grep -oE "ma->mb received [0-9]+ forwarded [0-9]+" | awk '{print $NF}')
    sent=$(grep -oE "net_pcap0->net_af_packet0 received [0-9]+ forwarded [0-9]+" "$work/gen.log" | awk '{print $NF}')
    echo "af_packet workers=$workers forwarded=${fwd:-0} pps=$(( ${fwd:-0} / seconds )) (generator sent ${sent:-0} in $((seconds + 4)) s: $(( ${sent:-0} / (seconds + 4) )) pps)"
done

#!/usr/bin/env bash
# Replay throughput of Sluice and Suricata 7 on the same generated capture, in one run.
#
#   perf/compare-suricata.sh [CAPTURE]     (default: /tmp/sluice-perf.pcap, generated if missing)
#
# Sluice: one worker on one core (sluice-bench, release build), from memory and through libpcap.
# Suricata: `-k none --runmode single --disable-detection` (perf/suricata-replay.sh).
# Prints both lines and the ratio of the libpcap-file figures, which do the same work (read
# the file, decode, track flows, reassemble TCP).
set -euo pipefail
cd "$(dirname "$0")/.."
capture=${1:-/tmp/sluice-perf.pcap}
if [ ! -s "$capture" ]; then
    /usr/bin/python3 perf/gen-capture.py --out "$capture" --size-mb 220
fi
bash perf/install-suricata.sh >/dev/null
swift build -c release --product sluice-bench >/dev/null
bench=$(.build/release/sluice-bench "$capture")
echo "$bench"
suri=$(bash perf/suricata-replay.sh "$capture")
echo "$suri"
sluice_mpps=$(echo "$bench" | sed -n 's/^replay (libpcap file.*mpps=\([0-9.]*\).*/\1/p')
sluice_gbps=$(echo "$bench" | sed -n 's/^replay (libpcap file.*gbps=\([0-9.]*\).*/\1/p')
suri_mpps=$(echo "$suri" | sed -n 's/.*mpps=\([0-9.]*\).*/\1/p')
suri_gbps=$(echo "$suri" | sed -n 's/.*gbps=\([0-9.]*\).*/\1/p')
awk -v a="$sluice_mpps" -v b="$suri_mpps" -v c="$sluice_gbps" -v d="$suri_gbps" 'BEGIN {
    printf "ratio sluice/suricata (libpcap file, 1 core): %.2fx packets/s (%s vs %s Mpps), %s vs %s Gbit/s\n", a / b, a, b, c, d }'

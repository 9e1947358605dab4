#!/usr/bin/env bash
# Replay throughput of Sluice and Suricata 7 on the same generated capture, in one run.
#
#   perf/compare-suricata.sh [--sensors] [CAPTURE]   (default: /tmp/sluice-perf.pcap, generated if missing)
#
# --sensors: Sluice with every built-in sensor set (plus raw Hyperscan over the sensors' scan calls
# and bytes), and Suricata with perf/suricata-sensors.rules (the same pattern classes) instead of
# --disable-detection; both inspect streams and HTTP bodies to 1 MiB per direction.
#
# Sluice: one worker on one core (sluice-bench, release build), from memory and through libpcap.
# Suricata: `-k none --runmode single --disable-detection` (perf/suricata-replay.sh).
# Prints both lines and the ratio of the libpcap-file figures, which do the same work (read
# the file, decode, track flows, reassemble TCP).
set -euo pipefail
cd "$(dirname "$0")/.."
sensors=()
rules=()
if [ "${1:-}" = "--sensors" ]; then sensors=(--sensors); rules=(perf/suricata-sensors.rules); shift; fi
capture=${1:-/tmp/sluice-perf.pcap}
if [ ! -s "$capture" ]; then
    /usr/bin/python3 perf/gen-capture.py --out "$capture" --size-mb 220
fi
bash perf/install-suricata.sh >/dev/null
swift build -c release --product sluice-bench >/dev/null
bench=$(.build/release/sluice-bench "$capture" "${sensors[@]}")
echo "$bench"
suri=$(bash perf/suricata-replay.sh "$capture" "${rules[@]}")
echo "$suri"
sluice_mpps=$(echo "$bench" | sed -n 's/^replay (libpcap file.*mpps=\([0-9.]*\).*/\1/p')
sluice_gbps=$(echo "$bench" | sed -n 's/^replay (libpcap file.*gbps=\([0-9.]*\).*/\1/p')
suri_mpps=$(echo "$suri" | sed -n 's/.*mpps=\([0-9.]*\).*/\1/p')
suri_gbps=$(echo "$suri" | sed -n 's/.*gbps=\([0-9.]*\).*/\1/p')
label="libpcap file, 1 core"
if [ ${#sensors[@]} -gt 0 ]; then
    label="sensors on: Sluice from memory vs Suricata from the file, 1 core"
    # Both inspect every byte here: compare Sluice's sensor run (from memory) with Suricata's.
    sluice_mpps=$(echo "$bench" | sed -n 's/^sensors (memory.*mpps=\([0-9.]*\).*/\1/p')
    sluice_gbps=$(echo "$bench" | sed -n 's/^sensors (memory.*gbps=\([0-9.]*\).*/\1/p')
fi
awk -v l="$label" -v a="$sluice_mpps" -v b="$suri_mpps" -v c="$sluice_gbps" -v d="$suri_gbps" 'BEGIN {
    printf "ratio sluice/suricata (%s): %.2fx packets/s (%s vs %s Mpps), %s vs %s Gbit/s\n", l, a / b, a, b, c, d }'

#!/usr/bin/env bash
# Instructions per packet of the release build, counted by valgrind's callgrind (repeatable,
# unlike timings). Uses sluice-bench's in-memory engine run on CAPTURE (keep it small: callgrind
# runs about 50x slower).
#
#   perf/callgrind.sh CAPTURE
set -euo pipefail
cd "$(dirname "$0")/.."
capture=${1:?usage: perf/callgrind.sh CAPTURE}
swift build -c release --product sluice-bench >/dev/null
out=$(mktemp -d)
packets=$(.build/release/sluice-bench "$capture" | sed -n 's/^sluice-bench: .* packets=\([0-9]*\) .*/\1/p')
# valgrind 3.19 cannot read the DWARF 5 the Swift toolchain emits: profile a copy without it
# (function symbols stay, so the toggle below still finds the worker's entry point).
cp .build/release/sluice-bench "$out/sluice-bench"
strip --strip-debug "$out/sluice-bench"
# Count only the benchmark's per-packet function (Worker.process and all it calls).
# Swift compresses repeated words in mangled names, so find the symbol rather than guess it.
symbol=$(nm "$out/sluice-bench" | awk '/SluiceBench.*sluiceB.*Packet/ && !s { s = $3 } END { print s }')
valgrind --tool=callgrind --callgrind-out-file="$out/cg.out" \
    --toggle-collect="$symbol" "$out/sluice-bench" "$capture" --passes 1 >/dev/null 2>"$out/log"
ir=$(callgrind_annotate "$out/cg.out" 2>/dev/null | sed -n 's/^ *\([0-9,]*\) *(100.0%) *PROGRAM TOTALS.*/\1/p' | tr -d ,)
# With --passes 1 sluice-bench replays the capture twice (memory, then libpcap): both are collected.
echo "callgrind: capture=$capture packets_per_run=$packets instructions=$ir instructions_per_packet=$(( ir / (2 * packets) ))"
rm -rf "$out"

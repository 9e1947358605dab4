#!/usr/bin/env bash
# DLP/WAF sensors on number-heavy traffic, Sluice and Suricata 7 side by side (issue 19).
#
#   perf/sensor-bench.sh [--runs 3] [--size-mb 300] [--capture FILE] [--full] [--skip-bench]
#
# 1. Generates (once) a capture of number-heavy traffic: `gen-capture.py --mix numbers` (HTML
#    tables, CSV exports of random numbers of 1-10 digits, JSON with 13-19 digit ids, a few
#    real card numbers, SSNs and IBANs; DNS and TLS), /tmp/sluice-numbers-SIZE.pcap.
# 2. Times, as whole processes on one core each (start-up and rule loading included):
#      sluice replay, the built-in sensors (120 rules, its defaults), 1 and 2 workers;
#      sluice replay, the 18 rules of perf/sensor-bench-rules.yaml only, 1 and 2 workers;
#      sluice replay without sensors (L7 only);
#      Suricata with perf/sensor-bench.rules (the same 18 rules), and with detection off;
#      with --full also Suricata with perf/suricata-sensors.rules (the 120 built-in rules).
#    Both engines inspect HTTP bodies to 1 MiB and streams to 1 MiB per direction
#    (perf/sensor-bench-engine.yaml; perf/suricata-replay.sh), and Sluice's pools hold every
#    concurrent HTTP flow. Each Sluice figure is the median of RUNS runs; Suricata runs once.
# 3. sluice-bench --sensors (unless --skip-bench): the same capture from memory, one worker:
#    allocations per packet, the time the sensors add over L7 alone, that time as a scan rate
#    of the bytes the sensors scanned, and raw Hyperscan replaying the very scan calls the
#    sensors made (same databases, a callback that only stores the match); and the same rules
#    compiled without the prefilter (start tracking in the scan) for the before/after figures.
#
# SCRATCH=DIR builds into DIR (swift build --scratch-path) instead of .build; BIN=DIR uses the
# release binaries already in DIR and builds nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=3 size=300 capture="" full=0 bench=1
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        --size-mb) size=$2; shift 2 ;;
        --capture) capture=$2; shift 2 ;;
        --full) full=1; shift ;;
        --skip-bench) bench=0; shift ;;
        *) echo "usage: $0 [--runs N] [--size-mb MB] [--capture FILE] [--full] [--skip-bench]" >&2; exit 64 ;;
    esac
done
capture=${capture:-/tmp/sluice-numbers-$size.pcap}
if [ -n "${BIN:-}" ]; then
    bin=$BIN    # prebuilt release binaries (sluice, sluice-bench)
else
    scratch=()
    [ -n "${SCRATCH:-}" ] && scratch=(--scratch-path "$SCRATCH")
    swift build -c release "${scratch[@]}" --product sluice >/dev/null
    swift build -c release "${scratch[@]}" --product sluice-bench >/dev/null
    bin=$(swift build -c release "${scratch[@]}" --show-bin-path)
fi
[ -s "$capture" ] || /usr/bin/python3 perf/gen-capture.py --mix numbers --size-mb "$size" --out "$capture"
bash perf/install-suricata.sh >/dev/null
engine=perf/sensor-bench-engine.yaml
TMP=$(mktemp -d /tmp/sluice-sensor-bench.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

echo "sensor-bench: capture=$capture ($(stat -c %s "$capture") bytes) runs=$runs $(date -u +%FT%TZ) load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"

# One `sluice replay` configuration, RUNS times: prints a line with the median wall time (whole
# process) and the summary's figures (processed seconds, bytes scanned, matches, alerts).
sluice_run() {   # label, then replay arguments
    local label=$1; shift
    for i in $(seq "$runs"); do
        local t0 t1 TIMEFORMAT="%U %S"
        t0=$(date +%s.%N)
        { time "$bin/sluice" replay "$capture" --config "$engine" --eve /dev/null --json "$@" >"$TMP/run-$i.json"; } 2>"$TMP/cpu-$i"
        t1=$(date +%s.%N)
        echo "$t0 $t1 $(cat "$TMP/cpu-$i")" >"$TMP/time-$i"
    done
    /usr/bin/python3 - "$label" "$TMP" "$runs" <<'EOF'
import json, statistics, sys
label, tmp, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
walls, procs, par, cpus = [], [], [], []
for i in range(1, runs + 1):
    t0, t1, cu, cs = map(float, open(f"{tmp}/time-{i}").read().split())
    cpus.append(cu + cs)
    o = json.load(open(f"{tmp}/run-{i}.json"))
    walls.append(t1 - t0); procs.append(o["processed_seconds"])
    cpu = o.get("worker_cpu_seconds")
    if cpu: par.append((max(cpu), cpu))
s = o.get("sensors") or {}
extra = ""
if par:
    p = sorted(par)[len(par) // 2]
    extra = f" worker_cpu=[{' '.join(f'{c:.3f}' for c in p[1])}]"
print(f"sluice {label}: wall={statistics.median(walls):.3f} cpu_seconds={statistics.median(cpus):.3f}"
      f" processed={statistics.median(procs):.3f}{extra}"
      f" packets={o['packets']} bytes_scanned={s.get('bytes_scanned', 0)} matches={s.get('matches', 0)}"
      f" alerts={s.get('alerts', 0)} validation_rejected={s.get('validation_rejected', 0)}"
      f" walls=[{' '.join(f'{w:.3f}' for w in walls)}]")
EOF
}

{
    sluice_run "builtin-120 workers=1" --workers 1
    sluice_run "builtin-120 workers=2" --workers 2
    sluice_run "rules-18 workers=1" --workers 1 --no-builtin-sensors --sensors perf/sensor-bench-rules.yaml
    sluice_run "rules-18 workers=2" --workers 2 --no-builtin-sensors --sensors perf/sensor-bench-rules.yaml
    sluice_run "no-sensors workers=1" --workers 1 --no-builtin-sensors
    echo "suricata rules-18 $(bash perf/suricata-replay.sh "$capture" perf/sensor-bench.rules)"
    echo "suricata detection-off $(bash perf/suricata-replay.sh "$capture")"
    if [ "$full" = 1 ]; then echo "suricata builtin-120 $(bash perf/suricata-replay.sh "$capture" perf/suricata-sensors.rules)"; fi
} | tee "$TMP/lines"

/usr/bin/python3 - "$TMP/lines" <<'EOF'
import re, sys
runs = {}
for line in open(sys.argv[1]):
    m = re.match(r"(sluice|suricata) (\S+)(?: workers=(\d))?:? .*?(?:wall|seconds)=([0-9.]+)", line)
    if m:
        runs[(m.group(1), m.group(2), m.group(3))] = (float(m.group(4)), line)
def t(*k): return runs[k][0]
def cpu(*k): return float(re.search(r"cpu_seconds=([0-9.]+)", runs[k][1]).group(1))
def field(k, name):
    m = re.search(name + r"=(\d+)", runs[k][1]); return int(m.group(1)) if m else 0
suri = t("suricata", "rules-18", None)
print("summary (wall time of whole processes, one core per worker):")
for rules in ("builtin-120", "rules-18"):
    one, two = t("sluice", rules, "1"), t("sluice", rules, "2")
    scanned = field(("sluice", rules, "1"), "bytes_scanned")
    cpu1 = re.search(r"worker_cpu=\[([0-9.]+)\]", runs[("sluice", rules, "1")][1])
    cpu2 = re.search(r"worker_cpu=\[([0-9. ]+)\]", runs[("sluice", rules, "2")][1])
    bound = float(cpu1.group(1)) / max(map(float, cpu2.group(1).split())) if cpu1 and cpu2 else 0
    print(f"  sluice {rules}: 1 worker {one:.3f} s ({scanned / one / 1e6:.1f} MB/s of inspected bytes),"
          f" 2 workers {two:.3f} s: speed-up {one / two:.2f}x (wall), {bound:.2f}x with a free core per worker"
          f" (CPU seconds of the 1-worker run / of the busiest of 2);"
          f" CPU seconds (whole process): sluice {cpu('sluice', rules, '1'):.3f}, suricata rules-18"
          f" {cpu('suricata', 'rules-18', None):.3f}: {cpu('suricata', 'rules-18', None) / cpu('sluice', rules, '1'):.2f}x;"
          f" wall: suricata rules-18 {suri:.3f} s, {suri / one:.2f}x sluice's 1-worker time")
    print(f"    alerts: sluice {field(('sluice', rules, '1'), 'alerts')} (2 workers {field(('sluice', rules, '2'), 'alerts')}),"
          f" suricata rules-18 {field(('suricata', 'rules-18', None), 'alerts')} (no Luhn/SSN/IBAN check: shapes only)")
if ("suricata", "builtin-120", None) in runs:
    s120 = t("suricata", "builtin-120", None)
    print(f"  suricata builtin-120 {s120:.3f} s is {s120 / t('sluice', 'builtin-120', '1'):.2f}x sluice builtin-120 (1 worker)")
print(f"  without sensors: sluice {t('sluice', 'no-sensors', '1'):.3f} s ({cpu('sluice', 'no-sensors', '1'):.3f} s CPU),"
      f" suricata detection off {t('suricata', 'detection-off', None):.3f} s ({cpu('suricata', 'detection-off', None):.3f} s CPU)")
EOF

if [ "$bench" = 1 ]; then
    echo "sluice-bench (from memory, 1 worker; allocations, scan rate against raw Hyperscan):"
    "$bin/sluice-bench" "$capture" --config "$engine" --sensors --passes "$runs" | grep -vE "^(replay|policy)" | sed 's/^/  /'
    "$bin/sluice-bench" "$capture" --config "$engine" --sensors --sensor-file perf/sensor-bench-rules.yaml --passes "$runs" \
        | grep -E "^(sensors|hyperscan|scan rate)" | sed 's/^/  rules-18 /'
fi

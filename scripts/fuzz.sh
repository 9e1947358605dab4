#!/usr/bin/env bash
# Builds sluice-fuzz with libFuzzer and AddressSanitizer and runs fuzz targets for a bounded time.
#
#   scripts/fuzz.sh [TARGET|all] [SECONDS]      (defaults: all, 60; FUZZ_JOBS targets at once, default nproc)
#
# Each target starts from its seed corpus in Tests/Fuzz/corpus/TARGET (copied: the repo's corpus
# is never rewritten) and stops after SECONDS. Any crash, sanitizer report, leak, timeout (10 s
# per input) or out-of-memory (2 GiB) fails the run; the input is left in out/fuzz/ as
# crash-*/leak-*/timeout-*/oom-*: reproduce it with `swift run sluice-fuzz TARGET FILE`, fix it,
# and move it to Tests/Fuzz/regressions/TARGET so FuzzRegressionTests keeps it fixed.
# Prints one line per target: executions, executions per second, coverage, result.
set -uo pipefail
cd "$(dirname "$0")/.."
target=${1:-all}
seconds=${2:-60}
scratch=.build-fuzz
out=out/fuzz
mkdir -p "$out"

echo "building sluice-fuzz with -sanitize=fuzzer,address ..."
if ! swift build -c debug --product sluice-fuzz --scratch-path "$scratch" \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING >"$out/build.log" 2>&1; then
    grep -E "error:" "$out/build.log" | head -20
    echo "fuzz build failed (log: $out/build.log)"
    exit 1
fi
bin=$(swift build -c debug --product sluice-fuzz --scratch-path "$scratch" --show-bin-path \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING)/sluice-fuzz

if [ "$target" = all ]; then
    # The target names, read from the registry so a new target is never forgotten here.
    targets=$(sed -n 's/^    case \([a-zA-Z0-9]*\)$/\1/p' Sources/FuzzTargets/FuzzTarget.swift)
else
    targets=$target
fi

# One target: a fresh copy of its corpus, a bounded run, one result line in $out/TARGET.result.
run_target() {
    local t=$1 work log rc execs rate cov result
    work=$(mktemp -d)
    [ -d "Tests/Fuzz/corpus/$t" ] && cp -r "Tests/Fuzz/corpus/$t/." "$work/"
    [ -d "Tests/Fuzz/regressions/$t" ] && cp -r "Tests/Fuzz/regressions/$t/." "$work/"
    log="$out/$t.log"
    SLUICE_FUZZ_TARGET=$t ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 "$bin" "$work" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$out/$t-" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | awk '{print $2}')
    if [ $rc -eq 0 ]; then result=ok; else result="FAILED (rc $rc, log $log)"; fi
    printf '%-14s %12s %10s %8s %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "$result" >"$out/$t.result"
    if [ $rc -ne 0 ]; then grep -E "ERROR|Fatal error|runtime failure|SUMMARY|Test unit written" "$log" | head -6 >>"$out/$t.result"; fi
    rm -rf "$work"
    return $rc
}

# FUZZ_JOBS targets at a time (default: one per core), each on one core.
jobs=${FUZZ_JOBS:-$(nproc)}
failed=0
running=0
for t in $targets; do
    rm -f "$out/$t.result"
    run_target "$t" &
    running=$((running + 1))
    if [ $running -ge "$jobs" ]; then
        wait -n || failed=1
        running=$((running - 1))
    fi
done
while [ $running -gt 0 ]; do
    wait -n || failed=1
    running=$((running - 1))
done

printf '%-14s %12s %10s %8s %s\n' target executions exec/s cov result
for t in $targets; do cat "$out/$t.result"; done
[ $failed -eq 0 ] && echo "fuzz: every target ran ${seconds} s without a crash, leak or timeout" || echo "fuzz: FAILED"
exit $failed

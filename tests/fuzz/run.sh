#!/usr/bin/env bash
# Run one fuzz target for a fixed time from its seeds, then print one
# summary line (runs, executions per second, coverage). Used by the CTest
# smoke tests (label fuzz) and by scripts/fuzz.sh.
#   run.sh [--keep] TARGET SEEDS WORK SECONDS [DICT] [-- LIBFUZZER_ARGS...]
# WORK receives corpus/ (the inputs this run found worth keeping; emptied
# first unless --keep), artifacts/ (each input that crashed, leaked or
# timed out), log and summary. The seeds are only read. Exit status: the
# fuzzer's (0: nothing found).
set -uo pipefail
keep=false
if [ "${1:-}" = --keep ]; then
    keep=true
    shift
fi
target=$1 seeds=$2 work=$3 seconds=$4
shift 4
dict=""
if [ $# -gt 0 ] && [ "$1" != -- ]; then
    dict=$1
    shift
fi
[ "${1:-}" = -- ] && shift

$keep || rm -rf "$work/corpus"
rm -rf "$work/artifacts"
mkdir -p "$work/corpus" "$work/artifacts"
args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
      -artifact_prefix="$work/artifacts/")
[ -n "$dict" ] && args+=(-dict="$dict")
# Readable stack traces when LLVM's symbolizer is installed.
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && [ -x /usr/lib/llvm-14/bin/llvm-symbolizer ]; then
    export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer
fi

"$target" "${args[@]}" "$@" "$work/corpus" "$seeds" >"$work/log" 2>&1
status=$?

# "#123456 DONE cov: 812 ft: 2345 corp: 301/40Kb ..." and the final stats.
done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$work/log" | tail -n 1)
rate=$(sed -n 's/^stat::average_exec_per_sec:[[:space:]]*//p' "$work/log" | tail -n 1)
runs=$(sed -n 's/^stat::number_of_executed_units:[[:space:]]*//p' "$work/log" | tail -n 1)
cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")
ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$done_line")
corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$done_line")
printf '%-22s %9s runs in %4s s %7s exec/s  cov %5s edges  ft %6s features  corpus %5s\n' \
    "$(basename "$target")" "${runs:-?}" "$seconds" "${rate:-?}" "${cov:-?}" "${ft:-?}" \
    "${corp:-?}" | tee "$work/summary"
if [ $status -ne 0 ]; then
    echo "--- $(basename "$target") found something (exit $status); the end of $work/log:"
    tail -n 60 "$work/log"
    echo "--- reproduce with: $target $work/artifacts/<file>"
    ls -l "$work/artifacts"
fi
exit $status

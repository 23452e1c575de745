#!/usr/bin/env bash
# Longer fuzzing than the smoke run of scripts/test.sh --fuzz: builds the
# libFuzzer targets (build/fuzz, clang, ASan+UBSan) and runs each one asked
# for, in turn, for SECONDS, keeping what it finds between runs.
#   scripts/fuzz.sh [--seconds N] [--list] [TARGET...]   (default: 600 s, every target)
#   scripts/fuzz.sh --seconds 3600 rest_body money        TARGET is a name of --list
# Per target NAME, under build/fuzz/tests/fuzz/long/NAME/: corpus/ (grows
# from run to run; the seeds in tests/fuzz/corpus/NAME are only read),
# artifacts/ (an input that crashed, leaked or timed out: reproduce with
# build/fuzz/tests/fuzz/fuzz_NAME FILE), log and summary. Inputs up to
# 64 KiB, the API's largest body. Exit status 1 when any target found
# something.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=600
list=false
names=()
while [ $# -gt 0 ]; do
    case $1 in
        --seconds) seconds=$2; shift ;;
        --list) list=true ;;
        -h|--help) sed -n '2,13s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
        -*) echo "fuzz.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
        *) names+=("$1") ;;
    esac
    shift
done
case $seconds in
    ''|*[!0-9]*) echo "fuzz.sh: --seconds must be a whole number (got '$seconds')" >&2; exit 2 ;;
esac

# shellcheck source=scripts/deps.sh
. "$root/scripts/deps.sh"
orders_install_missing fuzz.sh "${ORDERS_BUILD_PACKAGES[@]}" "${ORDERS_TEST_PACKAGES[@]}" \
                       "${ORDERS_FUZZ_PACKAGES[@]}"
build_dir=$root/build/fuzz
cmake -S "$root" -B "$build_dir" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DORDERS_FUZZ=ON >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target orders_fuzz >/dev/null

targets=$build_dir/tests/fuzz/targets.list
if $list; then
    cut -d' ' -f1 "$targets"
    exit 0
fi
found=0
ran=0
while read -r name program seeds dict; do
    if [ ${#names[@]} -gt 0 ] && [[ ! " ${names[*]} " == *" $name "* ]]; then
        continue
    fi
    ran=$((ran + 1))
    bash "$root/tests/fuzz/run.sh" --keep "$program" "$seeds" "$build_dir/tests/fuzz/long/$name" \
         "$seconds" $dict -- -max_len=65536 || found=1
done <"$targets"
if [ $ran -eq 0 ]; then
    echo "fuzz.sh: no target named ${names[*]} (see --list)" >&2
    exit 2
fi
exit $found

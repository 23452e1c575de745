#!/usr/bin/env bash
# The project's one test command: installs the build and test dependencies
# on Debian 12 when any is missing, builds, and runs every test with CTest.
#   scripts/test.sh              optimised build (-O2, as users build it) + all tests
#   scripts/test.sh --sanitize   ASan+UBSan build in its own folder; the docs,
#                                install and OpenAPI tool tests are left out there
#   scripts/test.sh --fuzz       the fuzz smoke run: every libFuzzer target of
#                                tests/fuzz for 15 s from its seeds (clang,
#                                ASan+UBSan), one summary line each
#   scripts/test.sh ... -- ARGS  extra ARGS for ctest (e.g. -- -R money)
# Build folders: build/test, build/sanitize and build/fuzz under the repository.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

sanitize=false
fuzz=false
ctest_args=()
while [ $# -gt 0 ]; do
    case $1 in
        --sanitize) sanitize=true ;;
        --fuzz) fuzz=true ;;
        -h|--help) sed -n '2,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
        --) shift; ctest_args=("$@"); break ;;
        *) echo "test.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done

# Everything the build, the tests and the docs need (Debian 12 names).
# shellcheck source=scripts/deps.sh
. "$root/scripts/deps.sh"
# shellcheck disable=SC2046
orders_install_missing test.sh "${ORDERS_BUILD_PACKAGES[@]}" "${ORDERS_TEST_PACKAGES[@]}" \
    $(orders_node_packages)

jobs=$(nproc)
if $fuzz; then
    orders_install_missing test.sh "${ORDERS_FUZZ_PACKAGES[@]}"
    build_dir=$root/build/fuzz
    # Every library instrumented for the fuzzer and the sanitizers; only the
    # fuzz programs are built, and only their smoke tests run.
    cmake -S "$root" -B "$build_dir" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
          -DORDERS_FUZZ=ON
    cmake --build "$build_dir" -j "$jobs" --target orders_fuzz
    cd "$build_dir"
    rm -f tests/fuzz/smoke/*/summary
    status=0
    ctest --output-on-failure -j "$jobs" -L '^fuzz$' "${ctest_args[@]}" || status=$?
    echo "Fuzz smoke run (the log of each: $build_dir/tests/fuzz/smoke/NAME/log):"
    cat tests/fuzz/smoke/*/summary 2>/dev/null || true
    exit $status
fi
if $sanitize; then
    build_dir=$root/build/sanitize
    cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Debug -DORDERS_SANITIZE=ON
    # Installing, documenting and the OpenAPI document's third-party checks
    # are the same with or without sanitizers.
    ctest_args=(--label-exclude 'docs|package|openapi' "${ctest_args[@]}")
else
    build_dir=$root/build/test
    cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$build_dir" -j "$jobs"

cd "$build_dir"
# Two tests at a time: most of the time is spent waiting on throwaway
# servers (each test starts its own, on its own ports and directories), and
# more at once on a small machine only turns waits into timeouts.
ctest --output-on-failure -j 2 "${ctest_args[@]}"

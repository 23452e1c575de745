#!/usr/bin/env bash
# The project's one test command: installs the build and test dependencies
# on Debian 12 when any is missing, builds, and runs every test with CTest.
#   scripts/test.sh              debug build + all tests
#   scripts/test.sh --sanitize   ASan+UBSan build in its own folder; the docs
#                                and install tests are left out there
#   scripts/test.sh ... -- ARGS  extra ARGS for ctest (e.g. -- -R money)
# Build folders: build/test and build/sanitize under the repository.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

sanitize=false
ctest_args=()
while [ $# -gt 0 ]; do
    case $1 in
        --sanitize) sanitize=true ;;
        -h|--help) sed -n '2,8s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
        --) shift; ctest_args=("$@"); break ;;
        *) echo "test.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done

# Everything the build, the tests and the docs need (Debian 12 names).
packages=(build-essential cmake pkg-config libcmocka-dev libcjson-dev
          libcivetweb-dev civetweb libcurl4-openssl-dev libpq-dev postgresql
          doxygen valgrind)

install_missing_packages() {
    local missing=() pkg
    for pkg in "${packages[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$pkg")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0

    echo "test.sh: installing ${missing[*]}"
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null; then
            echo "test.sh: missing packages (${missing[*]}); run as root or install sudo" >&2
            exit 1
        fi
        sudo=(sudo)
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}"
}

if command -v dpkg-query >/dev/null; then
    install_missing_packages
else
    echo "test.sh: not a Debian system; assuming the dependencies are installed" >&2
fi

jobs=$(nproc)
if $sanitize; then
    build_dir=$root/build/sanitize
    cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Debug -DORDERS_SANITIZE=ON
    # Installing and documenting are the same with or without sanitizers.
    ctest_args=(--label-exclude 'docs|package' "${ctest_args[@]}")
else
    build_dir=$root/build/test
    cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Debug
fi
cmake --build "$build_dir" -j "$jobs"

cd "$build_dir"
ctest --output-on-failure "${ctest_args[@]}"

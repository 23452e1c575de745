# Debian 12 packages of the project and a function that installs the
# missing ones; sourced by scripts/test.sh, scripts/run.sh and scripts/fuzz.sh.
#
#   orders_install_missing NAME PACKAGE...   NAME prefixes the messages

# Building the libraries and the programs.
# libcjose-dev's headers include OpenSSL's, which it does not pull in.
ORDERS_BUILD_PACKAGES=(build-essential cmake pkg-config libcjson-dev libcivetweb-dev
                       libcurl4-openssl-dev libpq-dev libcjose-dev libssl-dev librabbitmq-dev)
# Running them locally: a PostgreSQL server for the throwaway cluster, curl
# for the examples of the README and the health checks of the scripts,
# HAProxy in front of several instances (run.sh --instances N), and RabbitMQ
# with its command-line client (amqp-consume) for run.sh --events rabbitmq.
ORDERS_RUN_PACKAGES=(postgresql curl haproxy rabbitmq-server amqp-tools)
# The tests and the docs (civetweb: its CMake package needs the binary;
# python3 reads the REST adapter's statuses against the OpenAPI document;
# the scale tests run HAProxy, and curl for its health checks;
# rabbitmq-server: the AMQP tests start a throwaway node).
ORDERS_TEST_PACKAGES=(libcmocka-dev civetweb postgresql rabbitmq-server doxygen valgrind python3
                      haproxy curl)
# The fuzz targets: clang 14 with its libFuzzer and sanitizer runtimes, and
# LLVM's symbolizer for readable stack traces.
ORDERS_FUZZ_PACKAGES=(clang libclang-rt-14-dev llvm-14)

# The OpenAPI checks (tests/openapi) run npm packages: Node.js and npm from
# Debian when the machine has no node and npm of its own (one installed
# otherwise, such as a newer Node.js, is kept). Prints the packages to add.
orders_node_packages() {
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        echo nodejs npm
    fi
}

orders_install_missing() {
    local name=$1 missing=() pkg
    shift
    if ! command -v dpkg-query >/dev/null; then
        echo "$name: not a Debian system; assuming the dependencies are installed" >&2
        return 0
    fi
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$pkg")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0

    echo "$name: installing ${missing[*]}"
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null; then
            echo "$name: missing packages (${missing[*]}); run as root or install sudo" >&2
            exit 1
        fi
        sudo=(sudo)
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    # Debian starts a server package's system service at install; where there
    # is no init system (a container) that start fails and so does the
    # install. The project never uses the system services (tests and run.sh
    # start their own throwaway instances), so none is started meanwhile.
    local policy=/usr/sbin/policy-rc.d made_policy=false status=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
        "${sudo[@]}" chmod 755 "$policy"
        made_policy=true
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}" || status=$?
    if $made_policy; then
        "${sudo[@]}" rm -f "$policy"
    fi
    return $status
}

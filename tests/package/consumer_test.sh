#!/usr/bin/env bash
# Installs the built project into a fresh prefix, then builds
# examples/place-order against that prefix only, once with
# find_package(orders CONFIG) and once with pkg-config, and runs both.
# Then links every installed adapter (orders-<adapter>.pc) both ways.
# Usage: consumer_test.sh <build-dir> <example-dir> <work-dir> [c-compiler]
set -euo pipefail

build_dir=$1
example_dir=$2
work_dir=$3
cc=${4:-cc}

prefix=$work_dir/prefix
rm -rf "$work_dir"
mkdir -p "$work_dir"

echo "== install into $prefix"
cmake --install "$build_dir" --prefix "$prefix" > "$work_dir/install.log"

echo "== find_package(orders CONFIG)"
cmake -S "$example_dir" -B "$work_dir/cmake-build" \
      -DCMAKE_C_COMPILER="$cc" \
      -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$prefix" \
      -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
orders_dir=$(sed -n 's/^orders_DIR:PATH=//p' "$work_dir/cmake-build/CMakeCache.txt")
case $orders_dir in
    "$prefix"/*) ;;
    *) echo "found orders in '$orders_dir', not in the test prefix" >&2; exit 1 ;;
esac
cmake --build "$work_dir/cmake-build"
# The example frees everything it gets; under valgrind when it is there.
run=()
if command -v valgrind >/dev/null; then
    run=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect
         --error-exitcode=99)
fi
"${run[@]}" "$work_dir/cmake-build/place-order"

echo "== pkg-config"
pc_dir=$(dirname "$(find "$prefix" -name orders.pc -print -quit)")
mkdir -p "$work_dir/pkg-config-build"
(cd "$work_dir/pkg-config-build" &&
 PKG_CONFIG_PATH="$pc_dir" make -f "$example_dir/Makefile" CC="$cc")
"$work_dir/pkg-config-build/place-order"

adapters=()
for pc in "$pc_dir"/orders-*.pc; do
    [ -e "$pc" ] || continue
    name=$(basename "$pc" .pc)
    adapters+=("${name#orders-}")
done
if [ ${#adapters[@]} -eq 0 ]; then
    echo "== no adapter with an external library installed"
    exit 0
fi

echo "== adapters: ${adapters[*]}"
main=$work_dir/adapters_main.c
{
    echo "/* Generated: includes every installed adapter header. */"
    for adapter in "${adapters[@]}"; do
        for header in "$prefix/include/orders/adapters/$adapter"/*.h; do
            [ -e "$header" ] && echo "#include <orders/adapters/$adapter/$(basename "$header")>"
        done
    done
    echo "int main(void) { return 0; }"
} > "$main"

adapter_list=$(IFS=';'; echo "${adapters[*]}")
cmake -S "$(dirname "$0")/adapters-link" -B "$work_dir/adapters-cmake" \
      -DCMAKE_C_COMPILER="$cc" \
      -DCMAKE_PREFIX_PATH="$prefix" \
      -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
      -DADAPTERS="$adapter_list" -DMAIN_SOURCE="$main"
cmake --build "$work_dir/adapters-cmake"
"$work_dir/adapters-cmake/adapters-link"

# Every object of the adapters linked in, so each of their undefined symbols
# must be satisfied by what their .pc files list.
pc_modules=("${adapters[@]/#/orders-}")
whole=()
for adapter in "${adapters[@]}"; do
    whole+=("-lorders_$adapter")
done
libdir=$(PKG_CONFIG_PATH="$pc_dir" pkg-config --variable=libdir orders)
# shellcheck disable=SC2046 # pkg-config output is a list of flags
"$cc" -std=c11 -Wall -Wextra -pedantic -Werror -o "$work_dir/adapters-link-pc" "$main" \
      -L"$libdir" -Wl,--whole-archive "${whole[@]}" -Wl,--no-whole-archive \
      $(PKG_CONFIG_PATH="$pc_dir" pkg-config --cflags --libs --static "${pc_modules[@]}")
"$work_dir/adapters-link-pc"

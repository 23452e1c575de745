#!/bin/sh
# order-lambda.zip as the Lambda service unpacks it: bootstrap at the root,
# executable; every library it loads, except glibc's, under lib/ and found
# there first (RPATH $ORIGIN/lib) with no help from LD_LIBRARY_PATH; and the
# glibc symbol versions the whole bundle needs, listed and checked against
# Amazon Linux 2023's glibc 2.34. The check itself is shown to fail on a
# library that needs more (this system's libgcc_s needs GLIBC_2.35).
#   bundle_test.sh ZIP [GLIBC_MAX]
set -u
zip=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
max=${2:-2.34}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# The glibc versions ELF files need (their .gnu.version_r), one per line.
glibc_needs() {
    for f in "$@"; do
        readelf -V --wide "$f" 2>/dev/null
    done | sed -n 's/.*Name: GLIBC_\([0-9][0-9.]*\) .*/\1/p' | sort -uV
}

# Versions newer than $max among those given on stdin.
newer_than_max() {
    while read -r v; do
        [ "$(printf '%s\n%s\n' "$v" "$max" | sort -V | tail -n 1)" = "$max" ] || echo "$v"
    done
}

# The sonames of glibc and its loader: provided by the runtime, never bundled.
is_glibc() {
    case $1 in
    ld-linux*.so* | libc.so.* | libm.so.* | libmvec.so.* | libpthread.so.* | libdl.so.* | \
        librt.so.* | libresolv.so.* | libutil.so.* | libanl.so.* | libnsl.so.* | \
        libBrokenLocale.so.* | libthread_db.so.* | libcrypt.so.1) return 0 ;;
    esac
    return 1
}

cmake -E chdir "$work" cmake -E tar xf "$zip" || { echo "FAIL: cannot unpack $zip"; exit 1; }
[ -f "$work/bootstrap" ] && [ -x "$work/bootstrap" ] || fail "no executable bootstrap at the root"
set -- "$work"/lib/*.so*
[ -e "$1" ] || fail "no libraries under lib/"
echo "bundle: bootstrap and $# libraries under lib/"

readelf -d "$work/bootstrap" | grep -q 'Library rpath: \[\$ORIGIN/lib\]' ||
    fail "bootstrap has no RPATH \$ORIGIN/lib"

# Every library asked for is bundled, or is glibc's.
for f in "$work/bootstrap" "$work"/lib/*; do
    for needed in $(readelf -d "$f" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
        is_glibc "$needed" || [ -f "$work/lib/$needed" ] ||
            fail "$(basename "$f") needs $needed, which is neither bundled nor glibc's"
    done
done
for f in "$work"/lib/*; do
    is_glibc "$(basename "$f")" && fail "glibc's $(basename "$f") is bundled"
done

# The loader finds the bundled libraries without LD_LIBRARY_PATH.
env -i ldd "$work/bootstrap" >"$work/ldd.txt" 2>&1 || fail "ldd failed: $(cat "$work/ldd.txt")"
grep -q 'not found' "$work/ldd.txt" && fail "unresolved: $(grep 'not found' "$work/ldd.txt")"
while read -r name _ path _; do
    case $name in lib*.so*) ;; *) continue ;; esac
    is_glibc "$name" && continue
    [ "$path" = "$work/lib/$name" ] || fail "$name loads from $path, not from the bundle"
done <"$work/ldd.txt"
env -i "$work/bootstrap" --help >/dev/null 2>&1 || fail "the unpacked bootstrap does not run"

echo "glibc versions the bundle needs:"
glibc_needs "$work/bootstrap" "$work"/lib/* | sed 's/^/  GLIBC_/'
too_new=$(glibc_needs "$work/bootstrap" "$work"/lib/* | newer_than_max)
[ -z "$too_new" ] || fail "needs glibc newer than $max: $too_new"

# The check can fail: a library known to need GLIBC_2.35.
gcc_s=$(ldconfig -p 2>/dev/null | sed -n 's/.*libgcc_s.so.1 .*=> \(.*\)/\1/p' | head -n 1)
if [ -n "$gcc_s" ] && glibc_needs "$gcc_s" | grep -qx '2.35'; then
    [ -n "$(glibc_needs "$gcc_s" | newer_than_max)" ] ||
        fail "the check passed $gcc_s, which needs GLIBC_2.35"
fi

[ "$failures" -eq 0 ] || exit 1
echo "ok: every glibc version needed is at most $max"

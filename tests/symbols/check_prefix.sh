#!/bin/sh
# Lists the global symbols that static libraries define without the ord_
# prefix, and fails when there is any: a program that links the project's
# libraries shares one symbol space with them. Names that begin with two
# underscores are the toolchain's (sanitizers add some) and are left alone.
# Usage: check_prefix.sh NM LIBRARY...
set -eu

nm=$1
shift
libraries=$(printf '%s\n' "$@" | sed '/^$/d' | sort -u)
if [ -z "$libraries" ]; then
    echo "no library to check" >&2
    exit 1
fi

bad=0
count=0
for lib in $libraries; do
    if [ ! -f "$lib" ]; then
        echo "$lib: no such library (not built?)" >&2
        exit 1
    fi
    count=$((count + 1))
    symbols=$("$nm" -g --defined-only "$lib")
    names=$(printf '%s\n' "$symbols" |
            awk 'NF == 3 && $2 ~ /^[TDBRCGSVW]$/ && $3 !~ /^ord_/ && $3 !~ /^__/ { print $3 }' |
            sort -u)
    if [ -n "$names" ]; then
        echo "$lib defines global symbols without the ord_ prefix:"
        printf '%s\n' "$names" | sed 's/^/  /'
        bad=1
    fi
done
echo "$count libraries checked"
exit $bad

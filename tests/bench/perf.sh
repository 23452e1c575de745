#!/usr/bin/env bash
# The create path's cost, in one command (docs/performance.md):
#   1. builds the server optimised (build/run, as scripts/run.sh does);
#   2. runs the side-by-side comparison with the Node.js peer when the
#      comparison kit is there (BENCH_DIR/compare.sh; default ../shared/bench
#      beside the repository), else says so; --rounds N runs it N times,
#      the two servers taking turns at going first, and prints the medians;
#   3. on one throwaway PostgreSQL (fsync, full-page writes and synchronous
#      commit on, pg_stat_statements loaded): the database work per create
#      that does not depend on the machine's load — durable commits,
#      statements, heap rows written (HOT or not), index entries, WAL bytes
#      (from pg_waldump over the run's WAL) — for plain and keyed creates;
#      events still queued when the creates end; statements a second at
#      idle; syscalls per create and per get (strace -c); PostgreSQL CPU per
#      create;
#   4. the floor on the same cluster: pgbench running a minimal crash-safe
#      create (tests/bench/perf_floor.sql: two durable commits), counted
#      the same way.
# Prints numbers; asserts nothing.
#
#   5. with --profile (needs perf): where the CPU goes under load — the
#      server's by library and function, its context switches and system
#      calls per create, and PostgreSQL's by executor phase.
#
#   tests/bench/perf.sh [--creates N] [--bench-dir DIR | --no-compare] [--rounds N]
#                       [--duration S] [--connections N] [--no-strace] [--profile]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bench=$root/tests/bench
build=$root/build/run
creates=400
bench_dir=$root/../shared/bench
compare=true
rounds=1
duration=15
connections=32
use_strace=true
profile=false
usage() { sed -n '2,26s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
die() { echo "perf.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --creates) creates=${2:?}; shift ;;
        --bench-dir) bench_dir=${2:?}; shift ;;
        --no-compare) compare=false ;;
        --rounds) rounds=${2:?}; shift ;;
        --duration) duration=${2:?}; shift ;;
        --connections) connections=${2:?}; shift ;;
        --no-strace) use_strace=false ;;
        --profile) profile=true ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown option '$1' (see --help)" ;;
    esac
    shift
done
[[ $creates =~ ^[1-9][0-9]*$ ]] || die "--creates needs a positive whole number"
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "--rounds needs a positive whole number"
for tool in psql pgbench curl; do
    command -v "$tool" >/dev/null || die "install $tool (scripts/deps.sh lists the packages)"
done
pg_bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/pg_waldump 2>/dev/null | tail -1)")
[ -x "$pg_bin/pg_waldump" ] || die "pg_waldump not found (apt-get install postgresql)"
command -v strace >/dev/null || { $use_strace && echo "perf.sh: no strace: syscall counts skipped"; use_strace=false; }
if $profile && ! command -v perf >/dev/null; then
    echo "perf.sh: no perf (apt-get install linux-perf): profile skipped"
    profile=false
fi

echo "== build (optimised): $build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target order-server downstream-sim >/dev/null
server_bin=$build/apps/order-server/order-server
sim_bin=$build/apps/downstream-sim/downstream-sim
echo "machine: $(nproc) CPUs, $(uptime | sed 's/.*load/load/')"

# ------------------------------------------------------ side by side ---
if $compare && [ -x "$bench_dir/compare.sh" ]; then
    echo "== compare.sh ($bench_dir): this server and the Node.js peer, ${duration}s runs"
    # Authentication and the per-client limits off: wrk is one client on
    # loopback, and the peer checks no tokens either.
    server_cmd="ORDER_PORT=\$PORT ORDER_DATABASE_URL=\$DATABASE_URL ORDER_DOWNSTREAM_URL=\$SIM_URL \
ORDER_RESTRICTIONS_URL=\${RESTRICTIONS_URL:-off} ORDER_ELIGIBILITY_URL=\${ELIGIBILITY_URL:-off} \
ORDER_AUTH=off ORDER_RATE_LIMIT_RPS=0 ORDER_AUTH_FAILURE_LIMIT=0 ORDER_OPS_PORT=off \
ORDER_LOG_LEVEL=warn exec $(printf %q "$server_bin")"
    peer_cmd="node $(printf %q "$bench_dir/peer-node/server.js")"
    out=$root/build/perf-results/$(date +%Y%m%d-%H%M%S)
    mkdir -p "$out"
    # One run, or (--rounds N) N runs that take turns at going first (the
    # pgbench ceilings in the first only); then the median of each figure.
    for ((round = 1; round <= rounds; round++)); do
        order=(c="$server_cmd" node="$peer_cmd")
        ((round % 2 == 0)) && order=(node="$peer_cmd" c="$server_cmd")
        extra=()
        ((round > 1)) && extra=(--no-pgbench)
        [ "$rounds" -gt 1 ] && echo "-- round $round of $rounds: ${order[0]%%=*} first"
        "$bench_dir/compare.sh" -d "$duration" -c "$connections" --out "$out/round-$round" \
            "${extra[@]}" "${order[@]}" | tee "$out/round-$round.txt" ||
            echo "perf.sh: compare.sh failed (exit $?); the counts below still run"
    done
    if [ "$rounds" -gt 1 ]; then
        echo "== median of $rounds rounds (c/node: the ratio of the medians; rounds: the median of each round's ratio)"
        # Each round's "== Results" table: a header naming the servers, then
        # "metric value value ratio" lines.
        awk '
            /^== Results/ { table = 1; next }
            table && $1 == "metric" { for (i = 2; i <= NF; i++) col[i] = $i; next }
            table && NF == 0 { table = 0 }
            table && $(NF) ~ /x$|n\/a/ {
                name = $1; for (i = 2; i < NF - 2; i++) name = name " " $i
                if (!(name in seen)) { seen[name] = 1; names[++n] = name }
                for (i = NF - 2; i < NF; i++) { k = name SUBSEP col[i - (NF - 4)]; v[k, ++cnt[k]] = $i; x[col[i - (NF - 4)]] = $i + 0 }
                if (x["node"] != 0) { k = name SUBSEP "ratio"; v[k, ++cnt[k]] = x["c"] / x["node"] }
            }
            function median(k,   m, a, i, j, t) {
                m = cnt[k]; for (i = 1; i <= m; i++) a[i] = v[k, i] + 0
                for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
            }
            END {
                printf "%-28s %12s %12s %8s %8s\n", "metric", "c", "node", "c/node", "rounds"
                for (i = 1; i <= n; i++) {
                    c = median(names[i] SUBSEP "c"); p = median(names[i] SUBSEP "node")
                    r = cnt[names[i] SUBSEP "ratio"] ? sprintf("%.2fx", median(names[i] SUBSEP "ratio")) : "n/a"
                    printf "%-28s %12.3f %12.3f %8s %8s\n", names[i], c, p, p != 0 ? sprintf("%.2fx", c / p) : "n/a", r
                }
            }' "$out"/round-*.txt
    fi
elif $compare; then
    echo "== compare.sh: not found in $bench_dir (give --bench-dir DIR); side-by-side run skipped"
fi

# ----------------------------------------------------------- the stack ---
# shellcheck source=tests/bench/stack_lib.sh
. "$root/tests/bench/stack_lib.sh"
bench_work perf
chmod 755 "$work"

"$root/scripts/pg-cluster.sh" start "$work/cluster" >/dev/null
data=$(cat "$work/cluster/datadir")
# Durable as in production (the test clusters turn fsync off); autovacuum
# off so that no vacuum's WAL lands inside a measured window.
cat >>"$data/postgresql.conf" <<EOF
fsync = on
full_page_writes = on
synchronous_commit = on
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = all
autovacuum = off
EOF
"$root/scripts/pg-cluster.sh" restart "$work/cluster" >/dev/null
db_url=$(cat "$work/cluster/url")
# Measuring queries run as a role of their own, left out of the counts.
probe_url="${db_url/user=postgres/user=perf_probe}"
psql -X -q "$db_url" -c "CREATE ROLE perf_probe SUPERUSER LOGIN" \
    -c "CREATE EXTENSION pg_stat_statements"
q() { psql -X -qtA "$probe_url" -c "$1"; }
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# CPU ticks of the cluster: the postmaster with its children that ended
# (a pgbench session's backend; cutime and cstime) and those still running.
pg_ticks() {
    local pm
    pm=$(head -1 "$data/postmaster.pid")
    {
        sed 's/^.*) //' "/proc/$pm/stat" | awk '{ print $12 + $13 + $14 + $15 }'
        # shellcheck disable=SC2046
        cat $(ps -o pid= --ppid "$pm" | sed 's|^ *|/proc/|; s|$|/stat|') 2>/dev/null |
            sed 's/^.*) //' | awk '{ print $12 + $13 }'
    } | awk '{ s += $1 } END { print s + 0 }'
}
hz=$(getconf CLK_TCK)

# window_start / window_end NAME COUNT: the WAL between the two (pg_waldump
# --stats=record), the statements the server's role ran, and the cluster's
# CPU, each divided by COUNT; printed as "NAME: ..." lines.
window_start() {
    q "SELECT pg_stat_statements_reset()" >/dev/null
    lsn0=$(q "SELECT pg_current_wal_insert_lsn()")
    ticks0=$(pg_ticks)
}
window_end() {
    local name=$1 count=$2 ticks1 lsn1 stats
    ticks1=$(pg_ticks)
    q "SELECT pg_switch_wal()" >/dev/null # flushes what the window wrote
    lsn1=$(q "SELECT pg_current_wal_flush_lsn()")
    stats=$(as_owner "$pg_bin/pg_waldump" -p "$data/pg_wal" -s "$lsn0" -e "$lsn1" --stats=record 2>/dev/null || true)
    awk -v n="$count" -v name="$name" '
        $1 ~ /\// { c[$1] = $2 }
        $1 == "Total" {
            line = $0; gsub(/\[[^]]*\]/, "", line); split(line, f, " ")
            records = f[2]; rec = f[3]; fpi = f[4]
        }
        END {
            leaf = c["Btree/INSERT_LEAF"] + c["Btree/INSERT_POST"] + c["Btree/SPLIT_L"] + c["Btree/SPLIT_R"]
            heap_ins = c["Heap/INSERT"] + c["Heap2/MULTI_INSERT"]
            printf "%s: commits %.2f | heap inserts %.2f, updates %.2f (HOT %.2f), deletes %.2f, row locks %.2f | index entries %.2f | WAL records %.1f, bytes %.0f (+ %.0f of full-page images)\n",
                name, c["Transaction/COMMIT"] / n, heap_ins / n,
                (c["Heap/UPDATE"] + c["Heap/HOT_UPDATE"]) / n, c["Heap/HOT_UPDATE"] / n,
                c["Heap/DELETE"] / n, c["Heap/LOCK"] / n, leaf / n,
                records / n, rec / n, fpi / n
        }' <<<"$stats" |
        sed 's/^/  /'
    # The record types that wrote the most, bytes per unit (full-page images included).
    awk -v n="$count" '$1 ~ /\// { line = $0; gsub(/\([^)]*\)/, "", line); split(line, f, " "); printf "%d %s %.2f\n", f[5], f[1], f[2] / n }' <<<"$stats" |
        sort -rn | head -8 | awk -v n="$count" '{ printf "    WAL %-24s %5.2f records, %6.0f bytes\n", $2, $3, $1 / n }'
    # Statements sent (top level); the list adds those run inside them
    # (foreign-key checks, a function's statements), marked "  inner".
    q "SELECT round(coalesce(sum(calls), 0)::numeric / $count, 2) FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = 'postgres' AND s.toplevel" |
        sed "s/^/  $name: statements sent per unit /"
    q "SELECT '    ' || to_char(calls::numeric / $count, 'FM990.00') || CASE WHEN toplevel THEN ' x ' ELSE ' x inner ' END || left(regexp_replace(query, '\s+', ' ', 'g'), 90)
       FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid
       WHERE r.rolname = 'postgres' ORDER BY calls DESC LIMIT 12"
    awk -v t="$((ticks1 - ticks0))" -v hz="$hz" -v n="$count" -v name="$name" \
        'BEGIN { printf "  %s: PostgreSQL CPU ms per unit %.3f (the whole cluster over the window, its idle work included)\n", name, 1000 * t / hz / n }'
}

"$sim_bin" --port 0 --port-file "$work/sim_port" </dev/null >"$work/sim.log" 2>&1 &
sim_pid=$!
wait_file "$work/sim_port" "the simulator"
sim=http://127.0.0.1:$(cat "$work/sim_port")
products=""
for id in $(seq 20); do
    products+="${products:+,}{\"productId\":$id,\"name\":\"P$id\",\"price\":$id.99,\"currency\":\"USD\",\"available\":1000000000}"
done
curl -sf -X PUT "$sim/sim/catalog" -d "{\"products\":[$products]}" >/dev/null

# A load generator is one client on loopback: authentication and the
# per-client limits are off.
ORDER_DATABASE_URL=$db_url "$server_bin" --port 0 --port-file "$work/server_port" --ops-port off \
    --auth off --rate-limit-rps 0 --auth-failure-limit 0 --log-level warn \
    --downstream-url "$sim" </dev/null >"$work/server.log" 2>&1 &
server_pid=$!
wait_file "$work/server_port" "the order server"
url=http://127.0.0.1:$(cat "$work/server_port")

# N create requests (1-3 lines, customers and products spread as compare.sh
# does) in one curl over one kept-alive connection. $1: file, $2: count,
# $3: first customer, $4: "key" for an Idempotency-Key on each.
make_creates() {
    local i
    : >"$1"
    for ((i = 0; i < $2; i++)); do
        local n=$((i % 3 + 1)) items="" k
        for ((k = 0; k < n; k++)); do
            items+="${items:+,}{\"productId\":$(((i + 7 * k) % 20 + 1)),\"quantity\":1}"
        done
        local body="{\"customerId\":$(($3 + i)),\"customerName\":\"Bench\",\"items\":[$items],\"deliveryAddress\":\"1 Bench Street\",\"carrier\":\"DHL\"}"
        {
            [ "$i" -gt 0 ] && echo "next"
            echo "url = \"$url/api/v1/orders\""
            echo "header = \"Content-Type: application/json\""
            [ "${4:-}" = key ] && echo "header = \"Idempotency-Key: perf-$3-$i\""
            echo "data = \"${body//\"/\\\"}\""
            echo "output = \"/dev/null\""
            echo "write-out = \"%{http_code}\\\\n\""
        } >>"$1"
    done
}
run_requests() { # FILE -> prints a count of each status
    curl -s -K "$1" | sort | uniq -c | awk '{ printf "%s%s x %s", (NR > 1 ? ", " : ""), $1, $2 } END { print "" }'
}
queued() { q "SELECT count(*) FROM outbox_events WHERE NOT delivered"; }
drain() {
    for _ in $(seq 100); do [ "$(queued)" = 0 ] && return 0; sleep 0.1; done
    echo "  (events still queued after 10 s: $(queued))"
}

echo "== database work per create ($creates sequential creates, one connection; fsync on)"
make_creates "$work/warm.cfg" 50 1 plain
run_requests "$work/warm.cfg" >/dev/null
drain
make_creates "$work/plain.cfg" "$creates" 100000 plain
q "CHECKPOINT" >/dev/null
window_start
echo "  answers: $(run_requests "$work/plain.cfg")"
echo "  events queued when the last create answered: $(queued)"
drain
window_end create "$creates"

make_creates "$work/keyed.cfg" "$creates" 200000 key
q "CHECKPOINT" >/dev/null
window_start
echo "  keyed answers: $(run_requests "$work/keyed.cfg")"
drain
window_end keyed-create "$creates"

echo "== idle: statements a second the server sends with nothing to do (10 s)"
q "SELECT pg_stat_statements_reset()" >/dev/null
sleep 10
q "SELECT 'statements/s at idle: ' || round(coalesce(sum(calls), 0) / 10.0, 1) FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = 'postgres' AND s.toplevel" | sed 's/^/  /'

if $use_strace; then
    echo "== syscalls of the server per request (strace -c -f; 200 requests one at a time)"
    max_id=$(q "SELECT max(id) FROM orders")
    make_creates "$work/strace-create.cfg" 200 300000 plain
    : >"$work/strace-get.cfg"
    for ((i = 0; i < 200; i++)); do
        [ "$i" -gt 0 ] && echo next >>"$work/strace-get.cfg"
        printf 'url = "%s/api/v1/orders/%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' \
            "$url" "$((max_id - i))" >>"$work/strace-get.cfg"
    done
    for kind in create get; do
        strace -c -f -p "$server_pid" -o "$work/strace-$kind.txt" 2>/dev/null &
        strace_pid=$!
        sleep 1
        answers=$(run_requests "$work/strace-$kind.cfg")
        sleep 0.5
        kill -INT "$strace_pid"; wait "$strace_pid" 2>/dev/null || true
        awk -v n=200 -v kind="$kind" '
            $NF == "total" { total = $(NF - 2) }
            $1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" { calls[$NF] = ($(NF - 1) ~ /^[0-9]+$/ && NF == 6) ? $(NF - 2) : $(NF - 1) }
            END {
                printf "  %s: syscalls per request %.1f;", kind, total / n
                m = 0
                for (s in calls) if (calls[s] / n >= 0.5) printf " %s %.1f", s, calls[s] / n
                print ""
            }' "$work/strace-$kind.txt"
        echo "    (answers: $answers; the background workers' calls in that window are included)"
    done
    drain
fi

# ---------------------------------------------------------- the floor ---
echo "== floor: pgbench, tests/bench/perf_floor.sql ($creates orders, one client, same cluster)"
psql -X -q "$db_url" -c "CREATE DATABASE floor"
floor_url="${db_url/\/orders?//floor?}"
psql -X -q -v ON_ERROR_STOP=1 "$floor_url" -f "$bench/perf_floor_schema.sql"
q "CHECKPOINT" >/dev/null
window_start
pgbench -n -M prepared -c 1 -t "$creates" -f "$bench/perf_floor.sql" "$floor_url" >"$work/floor.txt" 2>&1 ||
    { cat "$work/floor.txt"; die "pgbench failed"; }
window_end floor "$creates"

if command -v wrk >/dev/null; then
    echo "== under load: wrk ${duration}s, 2 threads, $connections connections (timing: read with the load line)"
    echo "  $(uptime | sed 's/.*load/load/')"
    ticks0=$(pg_ticks)
    result=$(wrk -t2 -c"$connections" -d"${duration}s" -s "$bench/wrk_create.lua" "$url" 2>&1 | grep '^RESULT' || true)
    ticks1=$(pg_ticks)
    echo "  events queued at the end of the run: $(queued)"
    echo "  $result"
    reqs=$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' <<<"$result")
    [ "${reqs:-0}" -gt 0 ] && awk -v t="$((ticks1 - ticks0))" -v hz="$hz" -v n="$reqs" \
        'BEGIN { printf "  PostgreSQL CPU ms per create under load %.3f\n", 1000 * t / hz / n }'
    echo "  $(uptime | sed 's/.*load/load/')"
    drain
fi

# ------------------------------------------------------------ profile ---
if $profile && command -v wrk >/dev/null; then
    profile_dir=$root/build/perf-results/profile-$(date +%Y%m%d-%H%M%S)
    mkdir -p "$profile_dir"
    echo "== profile: wrk creates ${duration}s, $connections connections (perf record: $profile_dir)"
    # perf stat counts the server's switches and system calls; perf record
    # samples every CPU, so PostgreSQL's share is in the same profile.
    perf stat -e context-switches,raw_syscalls:sys_enter -p "$server_pid" -o "$work/perf-stat.txt" \
        -- sleep "$duration" >/dev/null 2>&1 &
    stat_pid=$!
    # The server alone (its workers share their thread name with the
    # simulator's), and every CPU for PostgreSQL's share.
    perf record -g -F 499 -p "$server_pid" -o "$profile_dir/server.data" -- sleep "$duration" >/dev/null 2>&1 &
    server_record_pid=$!
    perf record -a -g -F 499 -o "$profile_dir/perf.data" -- sleep "$duration" >/dev/null 2>&1 &
    record_pid=$!
    sleep 0.2
    result=$(wrk -t2 -c"$connections" -d"${duration}s" -s "$bench/wrk_create.lua" "$url" 2>&1 | grep '^RESULT' || true)
    wait "$stat_pid" "$server_record_pid" "$record_pid" || true
    echo "  $result"
    reqs=$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' <<<"$result")
    awk -v n="${reqs:-0}" '$2 == "context-switches" { cs = $1 } $2 ~ /sys_enter/ { sc = $1 }
        END { gsub(/,/, "", cs); gsub(/,/, "", sc); if (n > 0) printf "  server per create: %.1f context switches, %.1f system calls\n", cs / n, sc / n }' \
        "$work/perf-stat.txt"
    server_report() {
        perf report -i "$profile_dir/server.data" --no-children -g none "$@" 2>/dev/null |
            grep '%' | sed 's/ *- *- *$//; s/  */ /g; s/^/    /'
    }
    echo "  share of all samples by process name:"
    perf report -i "$profile_dir/perf.data" --no-children -g none --sort comm 2>/dev/null | grep '%' | sed -n 1,5p |
        sed 's/  */ /g; s/^/    /'
    echo "  the server's samples by library:"
    server_report --sort dso | sed -n 1,8p
    echo "  the server's hottest functions:"
    server_report --sort dso,symbol | sed -n 1,15p
    echo "  PostgreSQL by phase (share of all samples, callees included; PostgreSQL's whole share is above):"
    perf report -i "$profile_dir/perf.data" --children -g none --comm postgres --sort symbol 2>/dev/null |
        awk '{ for (i = 1; i <= NF; i++) if ($i == "[.]") print $(i + 1), $1 }' |
        grep -E '^(PostgresMain|standard_ExecutorStart|standard_ExecutorRun|standard_ExecutorFinish|AfterTriggerEndQuery|ExecConstraints|ExecInsertIndexTuples|CommitTransactionCommand|XLogFlush|GetCachedPlan|pq_getbyte) ' |
        awk '!seen[$1]++ { printf "    %-28s %s\n", $1, $2 }'
    echo "  (AfterTriggerEndQuery: the foreign-key checks; XLogFlush: the commits' fsync; pq_getbyte: waiting for the client)"
    drain
fi

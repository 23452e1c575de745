# Several order servers behind HAProxy: functions sourced by scripts/run.sh
# and the tests (tests/e2e/balanced.sh), so both run the same arrangement.
#
# A run directory holds, for instance N (1, 2, ...):
#   instance-N.pid        the server's pid now
#   instance-N.ops_port   its operations port (health checks)
#   instance-N.exit       its exit status, once it exited
#   instance-N.exits      every exit status so far, one a line
#   instance-N.restart    asks the supervisor to start it again after it exits
# and haproxy.cfg, haproxy.pid, stats_url (HAProxy's statistics as CSV), and
# instances (N). HAProxy names instance N's server "instance-N".
# scripts/rolling-restart.sh works on such a directory.
#
#   orders_supervise DIR N LOG CMD...     run CMD as instance N in the background,
#                                         again after each exit that was asked for
#   orders_haproxy_conf OUT FRONT_PORT STATS_PORT CHECK_MS SERVER...
#                                         write HAProxy's configuration; SERVER is
#                                         NAME:PORT:OPS_PORT
#   orders_haproxy_bin                    print HAProxy's path
#   orders_http_ok URL                    exit 0 when URL answers 2xx

orders_http_ok() {
    curl -s -o /dev/null -m 2 -f "$1"
}

orders_haproxy_bin() {
    command -v haproxy 2>/dev/null && return 0
    [ -x /usr/sbin/haproxy ] && { echo /usr/sbin/haproxy; return 0; }
    echo "haproxy not found (Debian package haproxy)" >&2
    return 1
}

# The supervisor is a background subshell: it ignores SIGINT (Ctrl-C reaches
# the server itself, which handles it), and starts the server again only when
# instance-N.restart was written before the exit and DIR/stopping was not.
orders_supervise() {
    local dir=$1 n=$2 log=$3
    shift 3
    (
        trap '' INT
        while :; do
            rm -f "$dir/instance-$n.exit"
            "$@" </dev/null >>"$log" 2>&1 &
            echo $! >"$dir/instance-$n.pid"
            wait $!
            local status=$?
            echo "$status" >>"$dir/instance-$n.exits"
            echo "$status" >"$dir/instance-$n.exit"
            if [ -f "$dir/instance-$n.restart" ] && [ ! -f "$dir/stopping" ]; then
                rm -f "$dir/instance-$n.restart"
                continue
            fi
            break
        done
    ) &
}

# Health checks on /health/ready of each instance's operations port every
# CHECK_MS: two failures take a server out, two successes bring it back, so
# an instance that drains (--drain-grace-ms, longer than 2 checks) is out of
# rotation before it stops accepting. A request whose connection is refused
# never reached a server: it is retried, on another server (redispatch).
orders_haproxy_conf() {
    local out=$1 front=$2 stats=$3 check_ms=$4
    shift 4
    {
        cat <<EOF
# Generated for this run; see scripts/instances.sh.
# Without a log target, HAProxy in the foreground (-db) still writes its
# warnings (servers going up or down) to stderr.
global
    maxconn 4096

defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout http-request 10s
    timeout http-keep-alive 5s
    timeout queue 10s
    timeout check 2s
    retries 3
    option redispatch 1
    option http-buffer-request
    http-reuse safe

frontend orders
    bind 127.0.0.1:$front
    option forwardfor
    http-request deny if { req.hdr_cnt(content-length) gt 1 }
    default_backend order_servers

backend order_servers
    balance roundrobin
    option httpchk GET /health/ready
    http-check expect status 200
    default-server inter ${check_ms} fastinter ${check_ms} downinter ${check_ms} fall 2 rise 2 maxconn 96
EOF
        local s name port ops
        for s in "$@"; do
            name=${s%%:*}
            port=${s#*:}; port=${port%%:*}
            ops=${s##*:}
            echo "    server $name 127.0.0.1:$port check port $ops"
        done
        cat <<EOF

listen stats
    bind 127.0.0.1:$stats
    stats enable
    stats uri /
EOF
    } >"$out"
}

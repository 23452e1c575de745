# Free TCP ports on 127.0.0.1 for throwaway services (sourced, not run).
# Ports are picked below the kernel's ephemeral range: a port inside it may
# be taken at any moment by an outgoing connection of this machine, and a
# service that binds it then fails at random.

orders_port_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# orders_free_port NAME: sets the variable NAME to a port nobody listens on
# and that no earlier call in this shell handed out (the caller may not have
# bound it yet: call it in this shell, not in $(...)); fails after 200 tries.
orders_ports_given=" "
orders_free_port() {
    local low=20000 high p tries
    high=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
    # An unusual ephemeral range: fall back to the ports below 20000.
    [ "$high" -gt $((low + 2000)) ] 2>/dev/null || { low=10000; high=20000; }
    for tries in $(seq 200); do
        p=$((low + RANDOM % (high - low)))
        case "$orders_ports_given" in *" $p "*) continue ;; esac
        if orders_port_free "$p"; then
            orders_ports_given="$orders_ports_given$p "
            printf -v "$1" '%s' "$p"
            return 0
        fi
    done
    return 1
}

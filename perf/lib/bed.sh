# Shared by the perf scripts that build the three-namespace bed (sourced, not run):
#
#   CLI: c0 10.98.0.1/24 ──veth── ma  [MID]  mb ──veth── s0 10.98.0.2/24 :SRV
#
# The sourcing script sets CLI, MID and SRV (names unique to it and its pid) and PIDS (the
# programs it started, an array), then calls bed_topology to (re)build the bed and
# bed_cleanup (from its EXIT trap) to stop what it started and remove the namespaces.

# Stops what the script started (by pid), then removes the namespaces.
bed_cleanup() {
    set +e
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
    done
    PIDS=()
    for ns in $CLI $MID $SRV; do
        # Anything still inside our own namespaces was started by this script.
        for pid in $(ip netns pids $ns 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
        ip netns del $ns 2>/dev/null
    done
    set -e
}

# A fresh bed: the middle namespace has no addresses, no IPv6 and no forwarding, so whatever
# joins ma and mb (a bridge, Sluice, Suricata, the supervisor's bypass) is the only path.
bed_topology() {
    bed_cleanup
    ip netns add $CLI; ip netns add $MID; ip netns add $SRV
    ip link add c0 netns $CLI type veth peer name ma netns $MID
    ip link add s0 netns $SRV type veth peer name mb netns $MID
    ip netns exec $MID sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip netns exec $MID sysctl -qw net.ipv4.ip_forward=0
    for d in lo c0; do ip -n $CLI link set dev $d up; done
    for d in lo ma mb; do ip -n $MID link set dev $d up; done
    for d in lo s0; do ip -n $SRV link set dev $d up; done
    ip -n $CLI addr add 10.98.0.1/24 dev c0
    ip -n $SRV addr add 10.98.0.2/24 dev s0
}

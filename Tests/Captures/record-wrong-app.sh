#!/usr/bin/env bash
# Record real/policy-wrong-app.pcap: flows on port 80 that are not HTTP, for the policy test
# "an HTTP flow on an allowed port that turns out not to be HTTP". Same setup as
# record-l7.sh (client 10.77.0.1 / fd77::1, server 10.77.0.2 / fd77::2, offloads off,
# tcpdump on the client end, nothing leaves the machine). In order:
#   1. curl GET http://10.77.0.2/ against python3 -m http.server on port 80 (real HTTP)
#   2. redis-cli -h 10.77.0.2 -p 80 PING, SET, GET against redis-server on port 80
#   3. redis-cli -h fd77::2 -p 80 PING (IPv6)
# Run as root, by hand; the committed capture is what the tests use.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE/real/policy-wrong-app.pcap
CNS=swa-client SNS=swa-server
in_c() { ip netns exec "$CNS" "$@"; }
in_s() { ip netns exec "$SNS" "$@"; }
cleanup() {
    for ns in "$CNS" "$SNS"; do
        [[ -e /run/netns/$ns ]] || continue
        for pid in $(ip netns pids "$ns"); do kill "$pid" 2>/dev/null || true; done
        sleep 0.3
        ip netns del "$ns"
    done
}
trap cleanup EXIT
cleanup
ip netns add "$CNS"; ip netns add "$SNS"
ip link add swa-c0 netns "$CNS" type veth peer name swa-s0 netns "$SNS"
in_c ip link set swa-c0 address 02:77:00:00:00:01
in_s ip link set swa-s0 address 02:77:00:00:00:02
in_c ip addr add 10.77.0.1/24 dev swa-c0; in_s ip addr add 10.77.0.2/24 dev swa-s0
in_c ip -6 addr add fd77::1/64 dev swa-c0 nodad; in_s ip -6 addr add fd77::2/64 dev swa-s0 nodad
for ns in "$CNS" "$SNS"; do ip netns exec "$ns" ip link set lo up; done
in_c ip link set swa-c0 up; in_s ip link set swa-s0 up
in_c ethtool -K swa-c0 tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
in_s ethtool -K swa-s0 tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
wait_port() { for _ in $(seq 50); do in_s ss -Hlnt "sport = :80" | grep -q . && return 0; sleep 0.1; done; exit 1; }

ip netns exec "$CNS" tcpdump -i swa-c0 -w "$OUT" -U -s 0 not arp 2>/dev/null & dump=$!
sleep 1
www=$(mktemp -d); echo hello > "$www/index.html"
ip netns exec "$SNS" python3 -m http.server 80 --bind :: --directory "$www" >/dev/null 2>&1 & web=$!
wait_port
in_c curl -s -o /dev/null --max-time 5 http://10.77.0.2/
kill $web; wait $web 2>/dev/null || true
for _ in $(seq 50); do in_s ss -Hlnt "sport = :80" | grep -q . || break; sleep 0.1; done
ip netns exec "$SNS" redis-server --port 80 --bind "10.77.0.2 fd77::2" --save "" --appendonly no --daemonize no >/dev/null 2>&1 & redis=$!
wait_port
in_c redis-cli -h 10.77.0.2 -p 80 PING >/dev/null
in_c redis-cli -h 10.77.0.2 -p 80 SET k v >/dev/null
in_c redis-cli -h 10.77.0.2 -p 80 GET k >/dev/null
in_c redis-cli -h fd77::2 -p 80 PING >/dev/null
sleep 1
kill $redis; kill $dump; wait $dump 2>/dev/null || true
rm -rf "$www"
echo "wrote $OUT: $(tcpdump -r "$OUT" 2>/dev/null | wc -l) packets"

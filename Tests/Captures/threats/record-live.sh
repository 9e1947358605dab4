#!/usr/bin/env bash
# Records threats made by the real tools in two private network namespaces joined by a veth
# pair (no packet leaves the machine); run as root. Outputs (kept in git, replayed by
# ThreatReplayTests when present):
#   live-syn-flood.pcap   hping3 --flood -S against a closed port for about a second
#   live-axfr.pcap        dig AXFR against dnsmasq (which refuses it: the query is the threat)
#   live-tls10.pcap       openssl s_client -tls1 against openssl s_server -tls1
#   live-benign.pcap      curl to python's http.server (20 requests), dig A, openssl -tls1_3
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CNS=sl-thr-c$$ SNS=sl-thr-s$$ CIF=sl-tc$$ SIF=sl-ts$$
PY=/usr/bin/python3
in_c() { ip netns exec "$CNS" "$@"; }
in_s() { ip netns exec "$SNS" "$@"; }
WORK=$(mktemp -d /tmp/sluice-threats.XXXXXX)
cleanup() {
    for ns in "$CNS" "$SNS"; do
        [[ -e /run/netns/$ns ]] || continue
        for pid in $(ip netns pids "$ns"); do kill "$pid" 2>/dev/null || true; done
        sleep 0.3
        for pid in $(ip netns pids "$ns"); do kill -9 "$pid" 2>/dev/null || true; done
        ip netns del "$ns"
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
[[ $EUID -eq 0 ]] || { echo "must run as root" >&2; exit 1; }
ip netns add "$CNS"; ip netns add "$SNS"
ip link add "$CIF" netns "$CNS" type veth peer name "$SIF" netns "$SNS"
in_c ip addr add 10.78.0.1/24 dev "$CIF"; in_s ip addr add 10.78.0.2/24 dev "$SIF"
for ns in "$CNS" "$SNS"; do ip netns exec "$ns" ip link set lo up; done
in_c ip link set "$CIF" up; in_s ip link set "$SIF" up
for ns in "$CNS" "$SNS"; do ip netns exec "$ns" ethtool -K "$([[ $ns == "$CNS" ]] && echo "$CIF" || echo "$SIF")" tso off gso off gro off >/dev/null 2>&1 || true; done

capture() {   # name command...
    local name=$1; shift
    ip netns exec "$SNS" tcpdump -i "$SIF" -U -s 0 -w "$WORK/$name.pcap" not arp >/dev/null 2>&1 &
    local dump=$!
    sleep 1
    "$@" || true
    sleep 1
    kill "$dump"; wait "$dump" 2>/dev/null || true
    cp "$WORK/$name.pcap" "$HERE/$name.pcap"
}

ip netns exec "$SNS" dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --no-hosts --pid-file= --user=root \
    --bind-interfaces --listen-address=10.78.0.2 --local=/sluice.test/ --host-record=www.sluice.test,10.78.0.2 \
    >"$WORK/dns.log" 2>&1 &
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" \
    -days 2 -subj /CN=threats.test >/dev/null 2>&1
# SECLEVEL=0: Debian's OpenSSL refuses TLS 1.0 otherwise.
ip netns exec "$SNS" openssl s_server -accept 443 -cert "$WORK/cert.pem" -key "$WORK/key.pem" -www \
    -cipher 'DEFAULT:@SECLEVEL=0' >"$WORK/tls.log" 2>&1 </dev/null &
mkdir -p "$WORK/www"; echo hello > "$WORK/www/index.html"
ip netns exec "$SNS" "$PY" -m http.server 80 -b 10.78.0.2 -d "$WORK/www" >"$WORK/http.log" 2>&1 &
sleep 1.5

capture live-syn-flood timeout 1 ip netns exec "$CNS" hping3 -q -S -p 81 --flood --rand-source 10.78.0.2
capture live-axfr ip netns exec "$CNS" dig +tcp +tries=1 +time=2 @10.78.0.2 sluice.test AXFR
capture live-tls10 sh -c "echo | ip netns exec $CNS timeout 5 openssl s_client -connect 10.78.0.2:443 -tls1 -cipher 'DEFAULT:@SECLEVEL=0' >/dev/null 2>&1"
capture live-benign sh -c "for i in \$(seq 20); do ip netns exec $CNS curl -s -o /dev/null http://10.78.0.2/; done;
    ip netns exec $CNS dig +tries=1 +time=2 @10.78.0.2 www.sluice.test A >/dev/null;
    echo | ip netns exec $CNS timeout 5 openssl s_client -connect 10.78.0.2:443 -tls1_3 >/dev/null 2>&1"
# The flood capture is cut to its first 1500 frames: enough to cross the threshold, small in git.
if command -v editcap >/dev/null; then editcap -r "$HERE/live-syn-flood.pcap" "$WORK/cut.pcap" 1-1500 && cp "$WORK/cut.pcap" "$HERE/live-syn-flood.pcap"; fi
ls -la "$HERE"/live-*.pcap

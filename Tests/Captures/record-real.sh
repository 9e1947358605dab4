#!/usr/bin/env bash
# Record REAL traffic produced by real programs (curl, dig, openssl, ping)
# talking to real servers (python http.server, dnsmasq, openssl s_server),
# so the engine is tested against what kernels and libraries actually emit,
# not just against our own idea of the protocols.
#
# Everything lives in two private network namespaces joined by a veth pair;
# no packet can leave the machine. Run as root. Outputs (kept in git):
#   real/mixed.pcap      offloads OFF: every frame <= MTU, valid checksums
#   real/mixed.pcapng    the same capture in pcapng format
#   real/mixed-gso.pcap  offloads ON: TSO/GRO super-frames > MTU, partial
#                        checksums -- also legitimate engine input
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE/real
CNS=sl-client SNS=sl-server
CIF=sl-c0 SIF=sl-s0          # veth ends: client side / server side
PY=/usr/bin/python3          # Debian python, independent of any pyenv on PATH
DNS_OPTS=(+tries=1 +time=2)  # never hang the recording on a lost query

# Foreground helpers. Background jobs below call `ip netns exec` directly:
# a backgrounded shell function would fork an extra subshell, and $! would
# then be that subshell rather than the program we later signal.
in_c() { ip netns exec "$CNS" "$@"; }
in_s() { ip netns exec "$SNS" "$@"; }

# Kill whatever still runs inside our namespaces (all started by this
# script), then delete them. Used both before starting (idempotent reruns)
# and on exit.
teardown_ns() {
    local ns pid
    for ns in "$CNS" "$SNS"; do
        [[ -e /run/netns/$ns ]] || continue
        for pid in $(ip netns pids "$ns"); do kill "$pid" 2>/dev/null || true; done
        sleep 0.3
        for pid in $(ip netns pids "$ns"); do kill -9 "$pid" 2>/dev/null || true; done
        ip netns del "$ns"
    done
}

WORK=""
cleanup() {
    teardown_ns
    [[ -n $WORK ]] && rm -rf "$WORK"
}
trap cleanup EXIT

[[ $EUID -eq 0 ]] || { echo "must run as root" >&2; exit 1; }
teardown_ns
WORK=$(mktemp -d /tmp/sluice-record.XXXXXX)
mkdir -p "$OUT"

# ---------------------------------------------------------------- topology
ip netns add "$CNS"
ip netns add "$SNS"
ip link add "$CIF" netns "$CNS" type veth peer name "$SIF" netns "$SNS"
# Fixed MACs so reruns produce comparable Ethernet headers.
in_c ip link set "$CIF" address 02:77:00:00:00:01
in_s ip link set "$SIF" address 02:77:00:00:00:02
in_c ip addr add 10.77.0.1/24 dev "$CIF"
in_s ip addr add 10.77.0.2/24 dev "$SIF"
# nodad: the addresses are usable immediately instead of after ~1s of DAD.
in_c ip -6 addr add fd77::1/64 dev "$CIF" nodad
in_s ip -6 addr add fd77::2/64 dev "$SIF" nodad
for ns in "$CNS" "$SNS"; do ip netns exec "$ns" ip link set lo up; done
in_c ip link set "$CIF" up
in_s ip link set "$SIF" up

# Offloads: ON makes veth pass TSO/GRO super-frames; OFF gives wire-like
# frames with real checksums.
set_offloads() {   # on|off
    command -v ethtool >/dev/null || { echo "ethtool missing: offloads left as they are" >&2; return 0; }
    in_c ethtool -K "$CIF" tso "$1" gso "$1" gro "$1" tx "$1" rx "$1" >/dev/null 2>&1 || true
    in_s ethtool -K "$SIF" tso "$1" gso "$1" gro "$1" tx "$1" rx "$1" >/dev/null 2>&1 || true
}

# ---------------------------------------------------------------- servers
mkdir -p "$WORK/www"
printf '<!doctype html>\n<html><head><title>sluice</title></head>\n<body><h1>Sluice test page</h1></body></html>\n' \
    > "$WORK/www/index.html"
# ~200 KB of a recognizable, deterministic text payload.
# (process substitution, not a pipe: yes's SIGPIPE must not trip pipefail)
head -c 204800 < <(yes 'sluice-bulk-payload-0123456789abcdefghijklmnopqrstuvwxyz') > "$WORK/www/big.bin"

# HTTP/1.1 so that curl can reuse one connection for two URLs (keep-alive).
# -b :: makes it one dual-stack socket (IPV6_V6ONLY=0): serves v4 and v6.
ip netns exec "$SNS" "$PY" -m http.server 80 -b :: -p HTTP/1.1 -d "$WORK/www" >"$WORK/http.log" 2>&1 &

# Authoritative-only DNS: no upstream, no /etc/hosts, only our records.
# --host-record gives A+AAAA and is a valid --cname target; --address adds
# more names; MX/TXT/CNAME come from their own options; --local makes
# unknown names under sluice.test NXDOMAIN (instead of REFUSED).
ip netns exec "$SNS" dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --no-hosts \
    --pid-file= --user=root --bind-interfaces \
    --listen-address=10.77.0.2 --listen-address=fd77::2 \
    --local=/sluice.test/ \
    --host-record=www.sluice.test,10.77.0.2,fd77::2 \
    --address=/alpha.example.com/10.77.0.2 \
    --address=/beta.example.com/10.77.0.2 \
    --address=/v6only.sluice.test/fd77::2 \
    --host-record=mail.sluice.test,10.77.0.25 \
    --cname=web.sluice.test,www.sluice.test \
    --mx-host=sluice.test,mail.sluice.test,10 \
    --txt-record=sluice.test,"v=spf1 ip4:10.77.0.0/24 -all" \
    --txt-record=info.sluice.test,"hello from sluice","second string" \
    --log-queries >"$WORK/dns.log" 2>&1 &

# TLS server with a throwaway self-signed EC cert (small => small capture).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" -days 2 \
    -subj /CN=alpha.example.com >/dev/null 2>&1
# -www: answers by itself and never reads stdin (we run it in background).
ip netns exec "$SNS" openssl s_server -accept 443 -cert "$WORK/cert.pem" -key "$WORK/key.pem" \
    -alpn h2,http/1.1 -www >"$WORK/tls.log" 2>&1 </dev/null &

# Port 81 stays closed on purpose: connecting there yields a TCP RST.

# Wait until the servers are really listening, so no client races them.
wait_listen() {   # proto(t|u) port
    for _ in $(seq 50); do
        in_s ss -Hln"$1" "sport = :$2" | grep -q . && return 0
        sleep 0.1
    done
    echo "server on $1/$2 did not start" >&2; exit 1
}
wait_listen t 80; wait_listen u 53; wait_listen t 443

# ---------------------------------------------------------------- capture
CAP_PID=""
start_capture() {   # file
    : >"$WORK/tcpdump.err"
    # -Z root: keep root so tcpdump can write into the repo; -U: flush per packet.
    ip netns exec "$CNS" tcpdump -i "$CIF" -n -s 0 -U -Z root -w "$1" 2>"$WORK/tcpdump.err" &
    CAP_PID=$!
    for _ in $(seq 50); do
        grep -q "listening on" "$WORK/tcpdump.err" && return 0
        sleep 0.1
    done
    echo "tcpdump did not start" >&2; cat "$WORK/tcpdump.err" >&2; exit 1
}
stop_capture() {
    sleep 1                      # let the last FIN/ACKs and replies arrive
    kill -INT "$CAP_PID"
    wait "$CAP_PID" || true
    grep -E "captured|dropped" "$WORK/tcpdump.err" >&2 || true
}

# -------------------------------------------- capture 1: offloads off
set_offloads off
# Some link-up IPv6 chatter (link-local DAD, MLD reports, a router
# solicitation) may still land in the capture: real hosts emit it too.
sleep 0.5
start_capture "$WORK/mixed.pcap"

C="curl -s -o /dev/null --max-time 5"
# Two URLs in one invocation reuse one keep-alive connection (2nd -o for URL 2).
in_c $C -o /dev/null http://10.77.0.2/ http://10.77.0.2/index.html
in_c $C -I http://10.77.0.2/                             # HEAD
in_c $C http://10.77.0.2/does-not-exist                  # 404
in_c $C http://10.77.0.2/big.bin                         # 200 KB body
in_c $C -g 'http://[fd77::2]/'                           # IPv6
in_c $C -A 'Sluice-Test/1.0' -H 'X-Sluice: yes' http://10.77.0.2/index.html

D="dig ${DNS_OPTS[*]} @10.77.0.2"
in_c $D www.sluice.test A      >/dev/null
in_c $D www.sluice.test AAAA   >/dev/null
in_c $D sluice.test MX         >/dev/null
in_c $D sluice.test TXT        >/dev/null
in_c $D info.sluice.test TXT   >/dev/null
in_c $D web.sluice.test CNAME  >/dev/null
in_c $D web.sluice.test A      >/dev/null    # CNAME chain + A
in_c $D v6only.sluice.test AAAA >/dev/null
in_c $D nonexistent.sluice.test A >/dev/null # NXDOMAIN
in_c $D +tcp alpha.example.com A >/dev/null  # DNS over TCP
in_c dig ${DNS_OPTS[*]} @fd77::2 www.sluice.test AAAA >/dev/null   # DNS over IPv6

# TLS: SNI + ALPN in the ClientHello; TLS 1.3 by default, plus one TLS 1.2
# handshake whose Certificate message is visible in clear text.
in_c openssl s_client -connect 10.77.0.2:443 -servername alpha.example.com -alpn h2 \
    </dev/null >/dev/null 2>&1 || true
in_c openssl s_client -connect 10.77.0.2:443 -servername beta.example.com -alpn http/1.1 \
    </dev/null >/dev/null 2>&1 || true
in_c openssl s_client -connect 10.77.0.2:443 -servername gamma.example.com -alpn http/1.1 \
    -tls1_2 </dev/null >/dev/null 2>&1 || true

in_c $C http://10.77.0.2:81/ || true       # refused: SYN answered by RST
in_c ping -c 3 -i 0.2 -q 10.77.0.2 >/dev/null
stop_capture
cp "$WORK/mixed.pcap" "$OUT/mixed.pcap"
editcap -F pcapng "$OUT/mixed.pcap" "$OUT/mixed.pcapng"

# -------------------------------------------- capture 2: offloads on
set_offloads on
start_capture "$WORK/mixed-gso.pcap"
in_c $C http://10.77.0.2/big.bin
in_c $D www.sluice.test A >/dev/null
stop_capture
cp "$WORK/mixed-gso.pcap" "$OUT/mixed-gso.pcap"

ls -l "$OUT"

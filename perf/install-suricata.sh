#!/usr/bin/env bash
# Install Suricata 7 (the comparison baseline for perf runs) from Debian
# bookworm-backports; bookworm itself only ships Suricata 6. Run as root.
#
# The backports source is derived from the machine's own first apt source
# stanza, so it uses whatever mirror (or snapshot) this machine is set up
# with; no mirror address is written here.
set -euo pipefail

if command -v suricata >/dev/null &&
   [[ $(suricata -V 2>/dev/null | grep -oE '[0-9]+\.[0-9.]+' | head -n1) == 7.* ]]; then
    echo "suricata 7 already installed: $(suricata -V)"
    exit 0
fi

SRC=/etc/apt/sources.list.d/debian.sources
DST=/etc/apt/sources.list.d/bookworm-backports.sources
[[ -r $SRC ]] || { echo "no $SRC to derive the backports source from" >&2; exit 1; }

# First stanza = lines up to the first blank line; swap its Suites: line.
awk '/^[[:space:]]*$/ { exit }
     /^Suites:/       { print "Suites: bookworm-backports"; next }
     { print }' "$SRC" > "$DST"
echo "wrote $DST:"; cat "$DST"

apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y -t bookworm-backports suricata

suricata -V

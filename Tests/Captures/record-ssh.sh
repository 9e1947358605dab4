#!/usr/bin/env bash
# Record a REAL SSH handshake for the SSH parser: OpenSSH's `ssh` client against a real
# `sshd` in two private network namespaces joined by a veth pair (client 10.78.0.1, server
# 10.78.0.2, fixed MACs, offloads off so frames are wire-like with real checksums), tcpdump
# on the client end. The client has no key the server accepts (BatchMode, no password), so
# the connection ends right after the first authentication attempt: the capture holds both
# identification strings, both KEXINITs, the key exchange and NEWKEYS, then a few encrypted
# packets. Run as root, by hand; the committed output is what the tests use:
#
#   l7/ssh.pcap        the handshake, port 22
#   l7/ssh.expected    `client BANNER` and `server BANNER`: the identification strings the
#                      programs themselves announce (from `ssh -v` output)
#
# Needs (Debian 12): apt-get install -y openssh-client openssh-server tcpdump ethtool iproute2
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE/l7
CNS=slssh-client SNS=slssh-server
CIF=slssh-c0 SIF=slssh-s0

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
for t in ssh ssh-keygen /usr/sbin/sshd tcpdump ethtool; do
    command -v "$t" >/dev/null || { echo "missing $t (see header)" >&2; exit 1; }
done
teardown_ns
WORK=$(mktemp -d /tmp/sluice-record-ssh.XXXXXX)

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

# sshd with its own host key and config; privilege separation needs its empty directory.
mkdir -p /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$WORK/host_ed25519"
cat > "$WORK/sshd_config" <<CONF
ListenAddress 10.78.0.2
Port 22
HostKey $WORK/host_ed25519
PidFile $WORK/sshd.pid
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
CONF
in_s /usr/sbin/sshd -f "$WORK/sshd_config" -E "$WORK/sshd.log"
for _ in $(seq 50); do in_s ss -Hlnt "sport = :22" | grep -q . && break; sleep 0.1; done

in_c tcpdump -i "$CIF" -U -w "$WORK/ssh.pcap" tcp port 22 2>"$WORK/tcpdump.log" &
TCPDUMP=$!
sleep 1
# A throwaway identity and no known_hosts: the client goes as far as offering its key.
ssh-keygen -q -t ed25519 -N '' -f "$WORK/id_ed25519"
in_c ssh -v -F /dev/null -i "$WORK/id_ed25519" -o BatchMode=yes -o StrictHostKeyChecking=no \
    -o UserKnownHostsFile=/dev/null -o ConnectTimeout=5 nobody@10.78.0.2 true 2>"$WORK/ssh.log" || true
sleep 1
kill "$TCPDUMP"; wait "$TCPDUMP" 2>/dev/null || true

# The identification strings as the programs reported them.
client=$(sed -n 's/^debug1: Local version string \(SSH-[^ ]*\).*/\1/p' "$WORK/ssh.log" | head -n 1)
server=$(sed -n 's/^debug1: Remote protocol version \([^,]*\), remote software version \([^ ]*\).*/SSH-\1-\2/p' "$WORK/ssh.log" | head -n 1)
[[ -n $client && -n $server ]] || { echo "no version strings in ssh -v output" >&2; cat "$WORK/ssh.log" >&2; exit 1; }
mkdir -p "$OUT"
cp "$WORK/ssh.pcap" "$OUT/ssh.pcap"
printf 'client %s\nserver %s\n' "$client" "$server" > "$OUT/ssh.expected"
ls -l "$OUT/ssh.pcap"; cat "$OUT/ssh.expected"

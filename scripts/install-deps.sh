#!/usr/bin/env bash
# Installs the Debian 12 packages Sluice builds and tests with (through sudo when not root).
# libpcap-dev, libhyperscan-dev, zlib1g-dev and liblzma-dev (HTTP Content-Encoding: lzma bodies) are linked; tshark is the reference dissector the tests
# compare flows with, and tcpdump writes the reference captures CaptureRegistryTests compares with;
# pkg-config lets SwiftPM find the C libraries; iproute2, iputils-ping, curl,
# python3, dnsutils (dig), dnsmasq-base, openssl, iperf3 and openssh-client/openssh-server
# (Tests/Captures/record-ssh.sh) are the real clients and servers the AF_PACKET and daemon
# tests drive through network namespaces they build; valgrind counts instructions per packet
# for CI's perf check (perf/alloc-check.sh); ethtool turns off TX checksum offload where the
# DPDK net_af_packet test and perf/inline-bench.sh need it.
set -euo pipefail
# libdpdk-dev (DPDK 22.11 and its vdev drivers: net_pcap, net_ring, net_null, net_af_packet, ...)
# backs `io: dpdk` and `sluice replay --dpdk`; without it the DPDK shim builds as "not available".
packages=(libpcap-dev libhyperscan-dev zlib1g-dev liblzma-dev libdpdk-dev pkg-config tshark tcpdump iproute2 iputils-ping curl python3 dnsutils dnsmasq-base openssl iperf3 openssh-client openssh-server valgrind ethtool)
missing=()
# podman, runc and containernetworking-plugins (the CNI bridge plugin) run real containers from a
# busybox rootfs built locally from busybox-static (ContainerTests: Sluice attaching to container
# veths, docs/deploy.md; nothing is pulled from a registry).
packages+=(podman runc containernetworking-plugins busybox-static)
# python3-jsonschema validates EVE records against Suricata's EVE schema (scripts/eve-schema-check.py,
# EveSchemaTests); python3-yaml reads suricata-verify's test.yaml files (scripts/sv-check.py).
packages+=(python3-jsonschema python3-yaml)
# etcd-server and etcd-client (etcdctl): the real store the cluster policy tests and
# perf/etcd-fanout.sh run (docs/cluster.md).
packages+=(etcd-server etcd-client)
# python3-scapy writes the threat captures (Tests/Captures/threats/make-threats.py) and hping3
# floods for the live ones (Tests/Captures/threats/record-live.sh); the captures are checked
# in, so the tests replay them without either, but regenerating them needs both.
packages+=(python3-scapy hping3)
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    as_root=()
    [ "$(id -u)" -eq 0 ] || as_root=(sudo)
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

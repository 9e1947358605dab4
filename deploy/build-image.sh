#!/usr/bin/env bash
# Builds Sluice's container image from this machine's files (no registry): a release build of
# `sluice`, the shared libraries `ldd` names for it and for ip, tc and busybox, copied into
# deploy/rootfs, then `podman build -f deploy/Containerfile` (FROM scratch).
#   deploy/build-image.sh [TAG]          TAG defaults to localhost/sluice:dev
#   SLUICE_BIN=path/to/sluice deploy/build-image.sh    # use a binary built already
#   CONTEXT=/tmp/dir deploy/build-image.sh             # build context (and rootfs/) elsewhere than deploy/
# Needs: swift (unless SLUICE_BIN), podman (or buildah: BUILDER=buildah), iproute2, busybox-static.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tag=${1:-localhost/sluice:dev}
bin=${SLUICE_BIN:-}
if [ -z "$bin" ]; then
    (cd "$root" && swift build -c release --product sluice)
    bin="$root/.build/release/sluice"
fi
ctx=${CONTEXT:-$root/deploy}
out="$ctx/rootfs"
rm -rf "$out"
mkdir -p "$out/usr/local/bin" "$out/usr/sbin" "$out/bin" "$out/etc/sluice" "$out/run/sluice" "$out/var/log/sluice" \
         "$out/var/lib/sluice" "$out/tmp"
chmod 1777 "$out/tmp"
install -m 0755 "$bin" "$out/usr/local/bin/sluice"
strip --strip-unneeded "$out/usr/local/bin/sluice" 2>/dev/null || true
ip=$(command -v ip); tc=$(command -v tc)
install -m 0755 "$ip" "$out/usr/sbin/ip"
install -m 0755 "$tc" "$out/usr/sbin/tc"
install -m 0755 /bin/busybox "$out/bin/busybox"
ln -s busybox "$out/bin/sh"; ln -s busybox "$out/bin/awk"; ln -s busybox "$out/bin/cat"
# Every shared library the binaries load, at the path the loader looks for it (RUNPATH included).
for f in "$out/usr/local/bin/sluice" "$out/usr/sbin/ip" "$out/usr/sbin/tc"; do
    ldd "$f" | awk '/=> \//{print $3} /^[[:space:]]*\//{print $1}'
done | sort -u | while read -r lib; do
    mkdir -p "$out$(dirname "$lib")"
    cp -L "$lib" "$out$lib"
done
# Libraries a binary opens by name at run time (DPDK's drivers, tc's modules) are left out: the
# image runs io: af_packet.
echo "root:x:0:0:root:/:/bin/sh" > "$out/etc/passwd"
echo "root:x:0:" > "$out/etc/group"
if [ "${BUILDER:-podman}" = buildah ]; then
    buildah bud -f "$root/deploy/Containerfile" -t "$tag" "$ctx"
else
    podman build -f "$root/deploy/Containerfile" -t "$tag" "$ctx"
fi
podman image inspect --format '{{.Size}}' "$tag" | awk -v t="$tag" '{printf "%s: %.1f MB\n", t, $1 / 1e6}'

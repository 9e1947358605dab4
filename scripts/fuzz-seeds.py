#!/usr/bin/env python3
"""Writes seed corpora for the packet fuzz targets from the bundled captures.

decode:   one file per distinct frame kind: a link-type byte, then the frame.
pipeline: one file per flow (its first 48 frames): a link-type byte, then records of one
          byte of time step (ms) and a two-byte big-endian length before each frame.

Usage: scripts/fuzz-seeds.py [CAPTURE...]   (default: Tests/Captures/real/*.pcap)
Seeds are named by content hash, so running it again adds nothing twice.
"""
import glob, hashlib, os, struct, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "Tests", "Fuzz", "corpus")
# Index of each pcap link type in DecodeFuzz.linkTypes.
LINK_INDEX = {1: 0, 113: 1, 276: 2, 12: 3, 101: 3, 228: 4, 229: 5, 0: 6, 9: 7}


def frames(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return None, []
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        endian = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        endian = ">"
    else:
        return None, []  # pcapng: convert with editcap first
    nano = magic in (0xA1B23C4D, 0x4D3CB2A1)
    link = struct.unpack(endian + "I", data[20:24])[0]
    out, off = [], 24
    while off + 16 <= len(data):
        sec, frac, caplen, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        out.append((sec + frac / (1e9 if nano else 1e6), data[off:off + caplen]))
        off += caplen
    return link, out


def flow_key(link, frame):
    """A direction-free key: addresses and ports, for Ethernet, SLL and raw IP."""
    off = {1: 14, 113: 16, 276: 20, 12: 0, 101: 0, 228: 0, 229: 0}.get(link)
    if off is None:
        return b"other"
    if link == 1:
        et = frame[12:14]
        while et == b"\x81\x00" and len(frame) >= off + 4:
            et = frame[off + 2:off + 4]
            off += 4
    if len(frame) <= off:
        return b"short"
    v = frame[off] >> 4
    if v == 4 and len(frame) >= off + 20:
        ihl = (frame[off] & 15) * 4
        proto, a, b = frame[off + 9], frame[off + 12:off + 16], frame[off + 16:off + 20]
        ports = frame[off + ihl:off + ihl + 4]
    elif v == 6 and len(frame) >= off + 40:
        proto, a, b = frame[off + 6], frame[off + 8:off + 24], frame[off + 24:off + 40]
        ports = frame[off + 40:off + 44]
    else:
        return b"nonip"
    ends = sorted([a + ports[:2], b + ports[2:4]])
    return bytes([proto]) + ends[0] + ends[1]


def save(target, blob):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(blob).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(blob)


def main(paths):
    for path in paths:
        link, fr = frames(path)
        if link not in LINK_INDEX:
            continue
        li = LINK_INDEX[link]
        flows, kinds = {}, set()
        for ts, frame in fr:
            flows.setdefault(flow_key(link, frame), []).append((ts, frame))
            key = flow_key(link, frame)[:1] + bytes([len(frame) // 256])
            if key not in kinds:
                kinds.add(key)
                save("decode", bytes([li]) + frame)
        for items in flows.values():
            blob, last = bytearray([li]), items[0][0]
            for ts, frame in items[:48]:
                step = max(0, min(255, int((ts - last) * 1000)))
                last = ts
                blob += bytes([step]) + struct.pack(">H", min(len(frame), 65535)) + frame[:65535]
            save("pipeline", bytes(blob))


if __name__ == "__main__":
    main(sys.argv[1:] or sorted(glob.glob(os.path.join(ROOT, "Tests", "Captures", "real", "*.pcap"))))

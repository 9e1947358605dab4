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


# --- defrag, stream, appDetect, dns, tls, wafNormalize, sensors ---------------------------

def transport(link, frame):
    """(proto, src, sport, dst, dport, seq, ack, flags, payload) of an IPv4/IPv6 TCP or UDP frame, else None."""
    off = {1: 14, 113: 16, 276: 20, 12: 0, 101: 0, 228: 0, 229: 0}.get(link)
    if off is None:
        return None
    if link == 1:
        while frame[12:14] == b"\x81\x00" and len(frame) >= off + 4:
            frame = frame[:12] + frame[16:]
    if len(frame) <= off:
        return None
    v = frame[off] >> 4
    if v == 4 and len(frame) >= off + 20:
        ihl = (frame[off] & 15) * 4
        total = struct.unpack(">H", frame[off + 2:off + 4])[0]
        proto, src, dst = frame[off + 9], frame[off + 12:off + 16], frame[off + 16:off + 20]
        l4, end = off + ihl, min(len(frame), off + total)
    elif v == 6 and len(frame) >= off + 40:
        proto, src, dst = frame[off + 6], frame[off + 8:off + 24], frame[off + 24:off + 40]
        l4, end = off + 40, min(len(frame), off + 40 + struct.unpack(">H", frame[off + 4:off + 6])[0])
    else:
        return None
    if proto == 6 and end >= l4 + 20:
        sport, dport, seq, ack = struct.unpack(">HHII", frame[l4:l4 + 12])
        hl = (frame[l4 + 12] >> 4) * 4
        return (6, src, sport, dst, dport, seq, ack, frame[l4 + 13], frame[l4 + hl:end])
    if proto == 17 and end >= l4 + 8:
        sport, dport = struct.unpack(">HH", frame[l4:l4 + 4])
        return (17, src, sport, dst, dport, 0, 0, 0, frame[l4 + 8:end])
    return None


def rec(b):
    """A FuzzInput record: two-byte big-endian length, then the bytes."""
    b = bytes(b[:65535])
    return struct.pack(">H", len(b)) + b


def conversations(paths):
    """Per capture, per flow: the list of (toServer, proto, seq, ack, flags, payload)."""
    out = []
    for path in paths:
        link, fr = frames(path)
        if link is None:
            continue
        flows = {}
        for _, frame in fr:
            t = transport(link, frame)
            if t is None:
                continue
            proto, src, sport, dst, dport = t[:5]
            key = (proto,) + tuple(sorted([(src, sport), (dst, dport)]))
            first = flows.setdefault(key, [(src, sport, dport)])
            to_server = (src, sport) == first[0][:2]
            first.append((to_server, proto, t[5], t[6], t[7], t[8]))
        out += [(v[0][1], v[0][2], v[1:]) for v in flows.values()]
    return out


def seeds(target):
    d = os.path.join(CORPUS, target)
    return len(os.listdir(d)) if os.path.isdir(d) else 0


def seed_defrag():
    """Hand-built fragment sequences in DefragFuzz's format."""
    def frag(v6=False, more=False, ident=0, off8=0, length=16, step=0):
        control = (1 if v6 else 0) | (2 if more else 0) | (ident & 3) << 2 | step << 5
        return bytes([control]) + struct.pack(">H", off8) + bytes([length])
    limits = 0x3f
    seqs = [
        [frag(more=True, length=16), frag(more=True, off8=2, length=16), frag(off8=4, length=5)],
        [frag(off8=4, length=5), frag(more=True, off8=2, length=16), frag(more=True, length=16)],
        [frag(more=True, length=24), frag(more=True, off8=1, length=16), frag(off8=2, length=9)],
        [frag(v6=True, more=True, length=16), frag(v6=True, off8=2, length=7)],
        [frag(v6=True, off8=2, length=7), frag(v6=True, more=True, length=16, step=1)],
        [frag(more=True, ident=i, length=8) for i in range(4)] + [frag(ident=i, off8=1, length=3) for i in range(4)],
        [frag(more=True, length=8), frag(off8=1, length=3, step=2)],
        [frag(more=True, length=8)] * 20 + [frag(off8=1, length=3)],
        [frag(more=True, length=8), frag(off8=0x1fff, length=200)],
        [frag(length=40)],
    ]
    for s in seqs:
        save("defrag", bytes([limits]) + b"".join(s))
    save("defrag", bytes([0x80]) + frag(more=True, length=255) + frag(off8=0x100, length=9))


def seed_flows(paths):
    """Flows of the captures, at most two per server port and protocol: variety, not volume."""
    per_port = {}
    for client_port, server_port, items in conversations(paths):
        proto = items[0][1]
        per_port[(proto, server_port)] = per_port.get((proto, server_port), 0) + 1
        common = per_port[(proto, server_port)] > 3
        payloads = [(d, p) for d, _, _, _, _, p in items if p]
        if proto == 6 and not common:
            blob, sent = bytearray(), [0, 0]
            for to_server, _, seq, ack, flags, payload in items[:64]:
                d = 0 if to_server else 1
                n = min(len(payload), 0x3fff)
                blob += bytes([d | 0x20 | (0x40 if n > 0x3ff else 0), flags & 0x13]) + struct.pack(">I", seq)
                data_seq = seq + 1 if flags & 2 else seq
                step = ((ack - sent[1 - d] + 2**31) % 2**32 - 2**31) // 64
                blob += bytes([max(-128, min(127, step)) & 0xff]) + struct.pack(">H", n)
                sent[d] = (data_seq + n) % 2**32
            save("stream", bytes(blob))
        if not payloads:
            continue
        firsts = [p for p in payloads if p[0]][:2] + [p for p in payloads if not p[0]][:2]
        if not common:
            save("appDetect", b"".join(bytes([0 if d else 1]) + rec(p[:512]) for d, p in firsts))
        if 53 in (client_port, server_port):
            if proto == 17:
                save("dns", bytes([0]) + b"".join(rec(p) for _, p in payloads[:8]))
            else:
                save("dns", bytes([1]) + b"".join(rec(p) for _, p in payloads[:8]))
        if any(p[:1] == b"\x16" for _, p in payloads) and seeds("tls") < 40:
            save("tls", b"".join(bytes([0 if d else 1]) + rec(p) for d, p in payloads[:12]))
        for d, p in payloads[:6]:
            if not d or not p[:4].isalpha():
                continue
            head, _, body = p.partition(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            target = lines[0].split(b" ")[1] if len(lines[0].split(b" ")) > 2 else lines[0]
            save("wafNormalize", bytes([16]) + rec(target) + rec(body[:7]) + rec(body[7:200]))
            blob = bytes([0x20]) + rec(target)
            blob += b"".join(bytes([0x21]) + rec(l.replace(b": ", b"", 1)) for l in lines[1:8])
            if body:
                blob += bytes([0x63]) + rec(body[:1024]) + bytes([0x06]) + rec(b"")
            blob += bytes([0x24]) + rec(p[:2048]) + bytes([0x07]) + rec(b"")
            save("sensors", blob)


def seed_normalizers():
    for url in [b"/a/%252e%252e/%2525252e/etc/passwd", b"/s?q=a+b%27+OR+1%3D1--", b"\\..\\windows%5cwin.ini",
                b"/%", b"/%4", b"/%%41%g1", b"/?x=%3Cscript%3E"]:
        save("wafNormalize", bytes([8]) + rec(url) + rec(b"a=%4") + rec(b"1&b=%") + rec(b"+%2") + rec(b"0x"))
    for digits in [b"4111 1111 1111 1111", b"GB82 WEST 1234 5698 7654 32", b"078-05-1120", b"DE89370400440532013000"]:
        save("sensors", bytes([0x24]) + rec(b"card: " + digits) + bytes([0x63]) + rec(b"n=" + digits) + bytes([0x05]) + rec(digits))


def seed_late_clock(paths):
    """A few pipeline seeds whose first byte has the high bit: the clock starts near its end."""
    for path in paths:
        link, fr = frames(path)
        if link not in LINK_INDEX or "dns" not in os.path.basename(path):
            continue
        flows = {}
        for ts, frame in fr:
            flows.setdefault(flow_key(link, frame), []).append(frame)
        for items in list(flows.values())[:6]:
            blob = bytearray([LINK_INDEX[link] | 0x80])
            for frame in items[:48]:
                blob += bytes([100]) + struct.pack(">H", min(len(frame), 65535)) + frame[:65535]
            save("pipeline", bytes(blob))


def seed_packet_targets(paths):
    seed_late_clock(paths)
    seed_defrag()
    seed_normalizers()
    seed_flows(paths)


def main(paths):
    seed_packet_targets(paths)
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

#!/usr/bin/env python3
"""Writes seed corpora for the L7 fuzz targets (http1, http2, hpack, uri, datastore,
datastoreProbe) from the TCP streams of the bundled captures, plus a few hand-built messages
for the datastore protocols no capture holds (MySQL, MongoDB, Kafka, Cassandra, ZooKeeper,
AMQP, binary memcached) and the UDP probes (DHCP, NTP).

Formats (see Sources/FuzzTargets): a leading byte the target reads first, then for the
conversation targets steps of an op byte (bit 0: toward the server) and a two-byte
big-endian length before the bytes.

Usage: scripts/fuzz-seeds-l7.py [CAPTURE...]   (default: Tests/Captures/real/*.pcap)
Seeds are named by content hash, so running it again adds nothing twice.
"""
import glob, importlib.util, os, struct, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
spec = importlib.util.spec_from_file_location("seeds", os.path.join(ROOT, "scripts", "fuzz-seeds.py"))
seeds = importlib.util.module_from_spec(spec)
spec.loader.exec_module(seeds)

# Index of each app in DatastoreFuzz.apps.
APPS = ["mysql", "pgsql", "redis", "mongodb", "kafka", "cassandra", "zookeeper", "memcached", "amqp", "mqtt"]
MAX_SEED = 12 * 1024
PER_CAPTURE = 8
METHODS = (b"GET ", b"POST ", b"PUT ", b"HEAD ", b"DELETE ", b"OPTIONS ", b"PATCH ", b"CONNECT ")


def ip_offset(link, frame):
    off = {1: 14, 113: 16, 276: 20, 12: 0, 101: 0, 228: 0, 229: 0}.get(link)
    if off is None:
        return None
    if link == 1:
        et = frame[12:14]
        while et == b"\x81\x00" and len(frame) >= off + 4:
            et = frame[off + 2:off + 4]
            off += 4
    return off


def tcp_segments(link, frames):
    """Per flow (in capture order): [(client_to_server, seq, payload)], client = SYN sender."""
    flows = {}
    for _, frame in frames:
        off = ip_offset(link, frame)
        if off is None or len(frame) <= off:
            continue
        v = frame[off] >> 4
        if v == 4 and len(frame) >= off + 20:
            ihl = (frame[off] & 15) * 4
            if frame[off + 9] != 6:
                continue
            total = struct.unpack(">H", frame[off + 2:off + 4])[0]
            src, dst, t = frame[off + 12:off + 16], frame[off + 16:off + 20], off + ihl
            end = min(len(frame), off + total)
        elif v == 6 and len(frame) >= off + 40:
            if frame[off + 6] != 6:
                continue
            src, dst, t = frame[off + 8:off + 24], frame[off + 24:off + 40], off + 40
            end = min(len(frame), off + 40 + struct.unpack(">H", frame[off + 4:off + 6])[0])
        else:
            continue
        if len(frame) < t + 20:
            continue
        sport, dport, seq = struct.unpack(">HHI", frame[t:t + 8])
        flags = frame[t + 13]
        payload = frame[t + (frame[t + 12] >> 4) * 4:end]
        a, b = src + struct.pack(">H", sport), dst + struct.pack(">H", dport)
        key = tuple(sorted([a, b]))
        f = flows.setdefault(key, {"client": None, "segs": [], "seen": set()})
        if f["client"] is None and (flags & 0x12) == 0x02:
            f["client"] = a
        if f["client"] is None and payload:
            f["client"] = a
        if payload and (a, seq) not in f["seen"]:
            f["seen"].add((a, seq))
            f["segs"].append((a, payload))
    out = []
    for f in flows.values():
        out.append([(a == f["client"], p) for a, p in f["segs"]])
    return out


def steps(segs, limit=MAX_SEED):
    """Consecutive same-direction segments merged into one step each."""
    merged = []
    for to_server, p in segs:
        if merged and merged[-1][0] == to_server and len(merged[-1][1]) + len(p) < 65535:
            merged[-1][1] += p
        else:
            merged.append([to_server, bytearray(p)])
    blob = bytearray()
    for to_server, p in merged:
        p = bytes(p[:65535])
        if len(blob) + 3 + len(p) > limit:
            p = p[:max(0, limit - len(blob) - 3)]
        blob += bytes([1 if to_server else 0]) + struct.pack(">H", len(p)) + p
        if len(blob) >= limit:
            break
    return bytes(blob)


def h2_blocks(stream):
    """Header block fragments of HEADERS/CONTINUATION frames in one direction's bytes."""
    if stream.startswith(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"):
        stream = stream[24:]
    out, off = [], 0
    while off + 9 <= len(stream):
        n = int.from_bytes(stream[off:off + 3], "big")
        typ, flags = stream[off + 3], stream[off + 4]
        payload = stream[off + 9:off + 9 + n]
        off += 9 + n
        if typ in (1, 9):
            s, e = 0, len(payload)
            if typ == 1 and flags & 0x8 and payload:
                e -= payload[0]
                s = 1
            if typ == 1 and flags & 0x20:
                s += 5
            out.append(payload[s:max(s, e)])
    return out


def main(paths):
    for path in paths:
        link, fr = seeds.frames(path)
        if link is None:
            continue
        name = os.path.basename(path)
        per_capture = {}
        for segs in tcp_segments(link, fr):
            client = b"".join(p for d, p in segs if d)
            server = b"".join(p for d, p in segs if not d)
            if not client and not server:
                continue
            if client.startswith(b"PRI * HTTP/2.0"):
                seeds.save("http2", b"\x00" + steps(segs))
                blob = bytearray([2])
                for d, s in ((1, client), (0, server)):
                    for blk in h2_blocks(s)[:24]:
                        blob += bytes([d]) + struct.pack(">H", len(blk)) + blk
                seeds.save("hpack", bytes(blob[:MAX_SEED]))
            elif client.startswith(METHODS):
                # A few flows per capture: the sensor captures hold a hundred alike.
                per_capture[name] = per_capture.get(name, 0) + 1
                if per_capture[name] > PER_CAPTURE:
                    continue
                seeds.save("http1", b"\x1f" + steps(segs))
                for line in client.split(b"\r\n")[:40]:
                    if line.startswith(METHODS) and b" HTTP/" in line:
                        seeds.save("uri", b"\x01" + line.split(b" ")[1][:512])
                        break
            else:
                app = next((a for a in APPS if name.startswith("l7-" + a)), None)
                if app is None:
                    continue
                seeds.save("datastore", bytes([APPS.index(app)]) + steps(segs))
                if client:
                    seeds.save("datastoreProbe", b"\x01" + client[:512])
                if server:
                    seeds.save("datastoreProbe", b"\x00" + server[:512])
    synthetic()


def rec(to_server, b):
    return bytes([1 if to_server else 0]) + struct.pack(">H", len(b)) + b


def synthetic():
    """Hand-built conversations for the protocols no capture holds, from their specs."""
    le24 = lambda v: struct.pack("<I", v)[:3]
    mysql_greeting = b"\x0a" + b"8.0.36\x00" + struct.pack("<I", 8) + b"abcdefgh\x00" + b"\xff\xf7\x21\x02\x00\xff\xc1\x15" + b"\x00" * 10 + b"ijklmnopqrst\x00mysql_native_password\x00"
    login = struct.pack("<IIB", 0x000fa685, 1 << 24, 33) + b"\x00" * 23 + b"root\x00" + b"\x00" + b"db\x00"
    query = b"\x03SELECT * FROM users WHERE id = 1"
    err = b"\xff\x15\x04#28000Access denied"
    conv = {
        "mysql": [(False, le24(len(mysql_greeting)) + b"\x00" + mysql_greeting), (True, le24(len(login)) + b"\x01" + login),
                  (False, le24(7) + b"\x02" + b"\x00\x00\x00\x02\x00\x00\x00"), (True, le24(len(query)) + b"\x00" + query),
                  (False, le24(len(err)) + b"\x01" + err)],
    }
    doc = b"\x02find\x00" + struct.pack("<i", 6) + b"users\x00" + b"\x02$db\x00" + struct.pack("<i", 5) + b"test\x00" + b"\x00"
    doc = struct.pack("<i", len(doc) + 4) + doc
    body = struct.pack("<I", 0) + b"\x00" + doc
    conv["mongodb"] = [(True, struct.pack("<iiii", 16 + len(body), 1, 0, 2013) + body),
                       (False, struct.pack("<iiii", 16 + len(body), 2, 1, 2013) + body)]
    kreq = struct.pack(">hhi", 18, 3, 7) + struct.pack(">h", 9) + b"client-id" + b"\x00"
    kmeta = struct.pack(">hhi", 3, 9, 8) + struct.pack(">h", 9) + b"client-id" + b"\x00\x02\x06orders\x00\x00"
    conv["kafka"] = [(True, struct.pack(">i", len(kreq)) + kreq), (False, struct.pack(">ii", 4, 7)),
                     (True, struct.pack(">i", len(kmeta)) + kmeta)]
    startup = struct.pack(">H", 1) + struct.pack(">H", 11) + b"CQL_VERSION" + struct.pack(">H", 5) + b"3.0.0"
    q = b"SELECT * FROM ks.users"
    qbody = struct.pack(">i", len(q)) + q + b"\x00\x01\x00"
    errb = struct.pack(">i", 0x2200) + struct.pack(">H", 9) + b"bad query"
    conv["cassandra"] = [(True, bytes([4, 0]) + struct.pack(">hBi", 0, 1, len(startup)) + startup),
                         (False, bytes([0x84, 0]) + struct.pack(">hBi", 0, 2, 0)),
                         (True, bytes([4, 0]) + struct.pack(">hBi", 1, 7, len(qbody)) + qbody),
                         (False, bytes([0x84, 0]) + struct.pack(">hBi", 1, 0, len(errb)) + errb)]
    zconn = struct.pack(">iqiq", 0, 0, 30000, 0) + struct.pack(">i", 16) + b"\x00" * 16
    zresp = struct.pack(">iiq", 0, 30000, 0x1234) + struct.pack(">i", 16) + b"\x00" * 16
    zget = struct.pack(">ii", 1, 4) + struct.pack(">i", 5) + b"/node" + b"\x00"
    zrep = struct.pack(">iqi", 1, 5, -101)
    conv["zookeeper"] = [(True, struct.pack(">i", len(zconn)) + zconn), (False, struct.pack(">i", len(zresp)) + zresp),
                         (True, struct.pack(">i", len(zget)) + zget), (False, struct.pack(">i", len(zrep)) + zrep)]
    def amqp_method(cls, meth, args, ch=1):
        p = struct.pack(">HH", cls, meth) + args
        return b"\x01" + struct.pack(">HI", ch, len(p)) + p + b"\xce"
    conv["amqp"] = [(True, b"AMQP\x00\x00\x09\x01"),
                    (False, amqp_method(10, 10, b"\x00\x09" + struct.pack(">I", 0) + struct.pack(">I", 5) + b"PLAIN" + struct.pack(">I", 5) + b"en_US", 0)),
                    (True, amqp_method(50, 10, b"\x00\x00\x05tasks\x00\x00\x00\x00\x00")),
                    (True, amqp_method(60, 40, b"\x00\x00\x00\x05tasks\x00") + b"\x02\x00\x01" + struct.pack(">I", 14) + struct.pack(">HHQH", 60, 0, 5, 0) + b"\xce" + b"\x03\x00\x01" + struct.pack(">I", 5) + b"hello\xce"),
                    (False, amqp_method(20, 40, struct.pack(">H", 404) + b"\x09NOT_FOUND\x00\x00\x00\x00", 1))]
    mc = struct.pack(">BBHBBHIIQ", 0x80, 0x01, 3, 8, 0, 0, 8 + 3 + 5, 0, 0) + b"\x00" * 8 + b"key" + b"value"
    mcr = struct.pack(">BBHBBHIIQ", 0x81, 0x01, 0, 0, 0, 2, 9, 0, 0) + b"Not found"
    conv["memcached"] = [(True, mc), (False, mcr)]
    # MQTT 5 CONNECT with properties before the client id (elided while gathering, issue 18).
    mstr = lambda b: struct.pack(">H", len(b)) + b
    props = b"\x11\x00\x00\x0e\x10\x26" + mstr(b"app") + mstr(b"v" * 100)
    mc5 = mstr(b"MQTT") + b"\x05\x02\x00\x3c" + bytes([len(props) & 0x7f | 0x80, len(props) >> 7]) + props + mstr(b"client-" + b"7" * 60)
    conv["mqtt"] = [(True, bytes([0x10, len(mc5) & 0x7f | 0x80, len(mc5) >> 7]) + mc5), (False, b"\x20\x03\x00\x00\x00"),
                    (True, b"\x30\x06\x00\x03a/b\x00")]
    for app, turns in conv.items():
        seeds.save("datastore", bytes([APPS.index(app)]) + b"".join(rec(d, b) for d, b in turns))
        first = {}
        for d, b in turns:
            first.setdefault(d, b)
        for d, b in first.items():
            seeds.save("datastoreProbe", bytes([1 if d else 0]) + b)
    # UDP probes: an NTP v4 client request and a DHCP discover.
    seeds.save("datastoreProbe", b"\x01" + bytes([0x23, 0, 6, 0xe9]) + b"\x00" * 36 + struct.pack(">Q", 0xe9a1b2c3d4e5f607))
    dhcp = bytes([1, 1, 6, 0]) + b"\x12\x34\x56\x78" + b"\x00" * 20 + b"\x02\x42\xac\x11\x00\x02" + b"\x00" * 202 + b"\x63\x82\x53\x63" + b"\x35\x01\x01\xff"
    seeds.save("datastoreProbe", b"\x01" + dhcp)
    # HTTP/1 shapes the captures may lack: chunked, gzip, pipelining, an h2c upgrade.
    import gzip, zlib
    gz = gzip.compress(b"hello gzip body " * 8)
    df = zlib.compress(b"hello deflate body " * 8)
    http = [
        [(True, b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"),
         (False, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext\r\nhello\r\n0\r\nX-T: 1\r\n\r\n"
                 b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + str(len(gz)).encode() + b"\r\n\r\n" + gz)],
        [(True, b"POST /up HTTP/1.1\r\nHost: x\r\nContent-Encoding: deflate\r\nContent-Length: " + str(len(df)).encode() + b"\r\n\r\n" + df),
         (False, b"HTTP/1.1 204 No Content\r\n\r\n")],
        [(True, b"GET / HTTP/1.1\r\nHost: h2c.example\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n"),
         (False, b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"
                 + b"\x00\x00\x02\x01\x05\x00\x00\x00\x01\x88\x5f"),
         (True, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")],
        [(True, b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"), (False, b"HTTP/1.1 200 Connection established\r\n\r\n"),
         (True, b"\x16\x03\x01\x00\x05hello")],
    ]
    # Content-Encoding: lzma (LZMA-alone), alone and under gzip (issue 18).
    import lzma
    lz = lzma.compress(b"hello lzma body " * 8, format=lzma.FORMAT_ALONE)
    lzgz = gzip.compress(lz)
    http.append([(True, b"GET /l HTTP/1.1\r\nHost: x\r\n\r\nGET /lg HTTP/1.1\r\nHost: x\r\n\r\n"),
                 (False, b"HTTP/1.1 200 OK\r\nContent-Encoding: lzma\r\nContent-Length: " + str(len(lz)).encode() + b"\r\n\r\n" + lz
                  + b"HTTP/1.1 200 OK\r\nContent-Encoding: lzma, gzip\r\nContent-Length: " + str(len(lzgz)).encode() + b"\r\n\r\n" + lzgz)])
    # Header evasions (issue 18): a NUL after the LF folds, as in libhtp; a blank-ish fold after Content-Length.
    ev = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
    evgz = gzip.compress(ev, mtime=0)
    http.append([(True, b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n" * 3),
                 (False, b"HTTP/1.1 200 ok\r\nTransfer-Encoding: \n\x00chunked\r\n\r\n" + b"%x\r\n" % len(ev) + ev + b"\r\n0\r\n\r\n"
                  + b"HTTP/1.1 200 ok\r\nContent-Encoding: \r\n\x00gzip\r\nContent-Length: %d\r\n\r\n" % len(evgz) + evgz
                  + b"HTTP/1.1 200 ok\r\nContent-Length: %d\r\n \r\n\r\n" % len(ev) + ev)])
    for turns in http:
        seeds.save("http1", b"\x1f" + b"".join(rec(d, b) for d, b in turns))
    for u in [b"/a/%2e%2e/b", b"\\a\\..\\b", b"//b?x=1+2&y=%41", b"/%252e%252e/etc/passwd", b"/a/b/../../../c/.",
              b"/service.Name/Method", b"user@[::1]:8080/x", b"example.com:80/p?q"]:
        seeds.save("uri", b"\x03" + u)
        seeds.save("uri", b"\x01" + u)


if __name__ == "__main__":
    main(sys.argv[1:] or sorted(glob.glob(os.path.join(ROOT, "Tests", "Captures", "real", "*.pcap"))))

#!/usr/bin/python3
"""Generate a large, realistic-looking classic pcap (Ethernet) for throughput
tests: interleaved HTTP/1.1, TLS and DNS sessions between many clients and
a set of servers, about 1 Gbit/s worth of timestamps.

    gen-capture.py [--size-mb 220] [--out /tmp/sluice-perf.pcap] [--seed 1] [--mix web|numbers]

--mix numbers (perf/sensor-bench.sh) makes the HTTP bodies number-heavy, the traffic where DLP
costs the most: HTML pages with tables of prices and ids, CSV exports of random numbers of
1-10 digits, JSON with 13-19 digit numeric ids, and now and then a real (Luhn-valid) card
number, an SSN next to its keyword and an IBAN; DNS and TLS as in the default mix.

No scapy: packets are packed with struct straight into one growing
bytearray, payloads are slices of precomputed pools, so a 220 MB capture
takes seconds. Same seed => byte-identical file.

Wire details that matter to a DPI engine are right (IP lengths, IPv4 header
checksums, UDP checksums, TCP sequence/ack numbers, TLS/DNS wire formats);
TCP checksums are left zero, as on a capture taken with checksum offload.
"""
import argparse
import math
import random
import struct
import time

MSS = 1448
START_NS = 1_700_000_000 * 10**9
NS_PER_BYTE = 8                     # 1 Gbit/s
OVERHEAD = 20                       # preamble + inter-frame gap, in bytes of line time
MAC_CLIENT_SIDE = bytes.fromhex("020000000001")
MAC_SERVER_SIDE = bytes.fromhex("020000000002")

# Ethernet + IP + L4 headers in one Struct each, so one pack_into per packet.
REC = struct.Struct("<IIII")        # pcap record header (little-endian file)
E4T = struct.Struct("!6s6sH BBHHHBBH4s4s HHIIBBHHH")   # eth + IPv4 + TCP
E6T = struct.Struct("!6s6sH IHBB16s16s HHIIBBHHH")     # eth + IPv6 + TCP
E4U = struct.Struct("!6s6sH BBHHHBBH4s4s HHHH")        # eth + IPv4 + UDP
E6U = struct.Struct("!6s6sH IHBB16s16s HHHH")          # eth + IPv6 + UDP
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10

DOMAINS = [f"{h}.example.{t}" for h in ("www", "api", "cdn", "static", "img", "mail",
                                        "auth", "shop", "news", "video")
           for t in ("com", "net", "org")]
PATHS = ["/", "/index.html", "/assets/app.js", "/assets/style.css", "/img/logo.png",
         "/api/v1/items?page=2", "/download/file.bin", "/video/seg-0042.ts"]
AGENTS = ["Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/126.0.0.0 Safari/537.36",
          "curl/8.5.0"]
CTYPES = {".html": "text/html; charset=utf-8", ".js": "application/javascript",
          ".css": "text/css", ".png": "image/png", ".bin": "application/octet-stream",
          ".ts": "video/mp2t"}


def csum_fold(s):
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def inet_sum(data):
    """One's complement sum of big-endian 16-bit words (RFC 1071)."""
    if len(data) & 1:
        data += b"\0"
    return sum(struct.unpack("!%dH" % (len(data) // 2), data))


class Capture:
    """The output: a pcap file fed from one buffer, and a line-rate clock."""

    def __init__(self, f):
        self.f, self.buf, self.t = f, bytearray(), START_NS
        self.packets = self.flows = 0
        self.bytes = 24         # file size so far (global header)
        self.data_bytes = 0     # packet bytes only, as capinfos/Suricata count them
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))

    def add(self, hdr_struct, hdr_args, payload):
        """Append one record: headers packed in place, then the payload."""
        n = hdr_struct.size + len(payload)
        buf = self.buf
        off = len(buf)
        buf += bytes(16 + hdr_struct.size)
        REC.pack_into(buf, off, self.t // 10**9, self.t // 1000 % 10**6, n, n)
        hdr_struct.pack_into(buf, off + 16, *hdr_args)
        buf += payload
        self.t += (n + OVERHEAD) * NS_PER_BYTE
        self.packets += 1
        self.bytes += 16 + n
        self.data_bytes += n
        if len(buf) > 1 << 23:
            self.f.write(buf)
            buf.clear()
        return 16 + n

    def close(self):
        self.f.write(self.buf)


class Flow:
    """One 5-tuple. Direction 0 = client->server, 1 = server->client."""

    def __init__(self, cap, v6, caddr, saddr, cport, sport, rng):
        self.cap, self.v6 = cap, v6
        self.addr, self.port = (caddr, saddr), (cport, sport)
        self.mac = (MAC_CLIENT_SIDE, MAC_SERVER_SIDE)
        self.ipid = [rng.getrandbits(16), rng.getrandbits(16)]
        self.seq = [rng.getrandbits(32), rng.getrandbits(32)]   # next seq per side
        # Constant part of the IPv4 header checksum (same for both directions).
        self.sum4 = 0 if v6 else (0x4500 + 0x4000 + inet_sum(caddr + saddr))
        cap.flows += 1

    def _ip(self, d, proto, l4len):
        """Ethernet + IP header fields for direction d."""
        src, dst = self.addr[d], self.addr[1 - d]
        eth = (self.mac[1 - d], self.mac[d], 0x86DD if self.v6 else 0x0800)
        if self.v6:
            return eth + (0x60000000, l4len, proto, 64, src, dst)
        tot = 20 + l4len
        ipid = self.ipid[d] = (self.ipid[d] + 1) & 0xFFFF
        ck = csum_fold(self.sum4 + (64 << 8 | proto) + tot + ipid)
        return eth + (0x45, 0, tot, ipid, 0x4000, 64, proto, ck, src, dst)

    def tcp(self, d, flags, data=b""):
        ack = self.seq[1 - d] if flags & ACK else 0
        args = self._ip(d, 6, 20 + len(data)) + (
            self.port[d], self.port[1 - d], self.seq[d], ack, 0x50, flags, 64240, 0, 0)
        self.seq[d] = (self.seq[d] + len(data) + (1 if flags & (SYN | FIN) else 0)) & 0xFFFFFFFF
        return self.cap.add(E6T if self.v6 else E4T, args, data)

    def udp(self, d, data):
        ulen = 8 + len(data)
        src, dst = self.addr[d], self.addr[1 - d]
        pseudo = inet_sum(src + dst) + 17 + ulen
        ck = csum_fold(pseudo + inet_sum(struct.pack("!HHH", self.port[d], self.port[1 - d], ulen)
                                           + data)) or 0xFFFF
        args = self._ip(d, 17, ulen) + (self.port[d], self.port[1 - d], ulen, ck)
        return self.cap.add(E6U if self.v6 else E4U, args, data)


# ------------------------------------------------------------ TCP sessions
# Session generators yield the number of bytes each packet added to the file;
# the main loop advances one randomly chosen session per packet.

def handshake(fl):
    yield fl.tcp(0, SYN)
    yield fl.tcp(1, SYN | ACK)
    yield fl.tcp(0, ACK)


def transfer(fl, d, data):
    """Send data from side d in MSS segments; the peer ACKs every 2nd one."""
    mv = memoryview(data)
    nseg = 0
    for off in range(0, len(data), MSS):
        end = off + MSS
        yield fl.tcp(d, ACK | (PSH if end >= len(data) else 0), mv[off:end])
        nseg += 1
        if nseg % 2 == 0:
            yield fl.tcp(1 - d, ACK)
    if nseg % 2:
        yield fl.tcp(1 - d, ACK)


def teardown(fl):
    yield fl.tcp(0, FIN | ACK)
    yield fl.tcp(1, FIN | ACK)
    yield fl.tcp(0, ACK)


def tcp_wire_estimate(nbytes):
    segs = nbytes // MSS + 1
    return nbytes + segs * 70 + (segs // 2 + 1) * 70


def luhn_complete(digits):
    """`digits` plus the Luhn check digit."""
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return digits + str((10 - total % 10) % 10)


def number_pools(rng, size):
    """CSV, JSON and HTML pools full of numbers, with a few real card numbers, SSNs next to
    their keyword and IBANs sprinkled in (about one per 64 KB of each pool)."""
    def num():     # 1 to 10 digits, each length equally likely
        d = rng.randrange(1, 11)
        return str(rng.randrange(10 ** (d - 1) if d > 1 else 0, 10 ** d))

    def secret():
        k = rng.randrange(4)
        if k == 0:
            return luhn_complete("4" + "".join(rng.choice("0123456789") for _ in range(14)))
        if k == 1:
            c = luhn_complete("5" + rng.choice("12345") + "".join(rng.choice("0123456789") for _ in range(13)))
            return " ".join(c[i:i + 4] for i in range(0, 16, 4))
        if k == 2:
            return f"ssn: {rng.randrange(100, 899)}{rng.randrange(10, 99)}{rng.randrange(1000, 9999)}"
        return "DE89 3704 0044 0532 0130 00"

    def fill(make):
        parts, n, nxt = [], 0, 0
        while n < size:
            if n >= nxt:
                parts.append(secret().encode() + b"\n")
                nxt = n + rng.randrange(32 * 1024, 96 * 1024)
            p = make().encode()
            parts.append(p)
            n += len(p)
        return b"".join(parts)[:size]

    csv = fill(lambda: ",".join(num() for _ in range(8)) + "\n")

    def json_row():
        return ('{"id":%d,"user_id":%d,"order":%s,"amount":%s.%02d,"qty":%s,"ts":%d},'
                % (rng.randrange(10 ** 12, 10 ** 19), rng.randrange(10 ** 15, 10 ** 16), num(), num(),
                   rng.randrange(100), num(), rng.randrange(1_600_000_000_000, 1_800_000_000_000)))
    js = fill(json_row)

    def html_row():
        return ("<tr><td>%s</td><td class=\"num\">%s</td><td>%s.%02d</td><td>%s</td></tr>\n"
                % (num(), num(), num(), rng.randrange(100), rng.choice(["lorem", "ipsum", "order", "item"])))
    html = fill(html_row)
    return csv, js, html


NUM_PATHS = [("/export/orders.csv", "text/csv"), ("/export/ledger.csv", "text/csv"),
             ("/api/v2/orders?page=3", "application/json"), ("/api/v2/users/8812731/events", "application/json"),
             ("/reports/q3.html", "text/html; charset=utf-8"), ("/index.html", "text/html; charset=utf-8"),
             ("/assets/app.js", "application/javascript"), ("/img/logo.png", "image/png")]


class Gen:
    def __init__(self, cap, seed, mix="web"):
        self.cap, self.rng = cap, random.Random(seed)
        rng = self.rng
        self.mix = mix
        # Payload pools: bodies and encrypted records are slices of these.
        words = [b"lorem", b"ipsum", b"sluice", b"packet", b"stream", b"flow", b"<div>",
                 b"</div>", b"<p>", b"class=\"item\"", b"data", b"\n"]
        self.text = b" ".join(rng.choice(words) for _ in range(120_000))[:512 * 1024]
        self.noise = rng.randbytes(512 * 1024)
        if mix == "numbers":
            self.csv, self.json, self.html = number_pools(rng, 1024 * 1024)
        self.v4_servers = [bytes([172, 16, rng.randrange(256), rng.randrange(1, 255)])
                           for _ in range(200)]
        self.v6_servers = [bytes.fromhex("20010db8000500000000000000000000")[:14]
                           + rng.randbytes(2) for _ in range(50)]
        self.dns_v4 = [bytes([172, 16, 53, 53]), bytes([172, 16, 53, 54])]
        self.dns_v6 = [bytes.fromhex("20010db8000500000000000000000053")]
        # X.509 chains for the clear-text TLS 1.2 Certificate message.
        self.ca = x509(rng, "Sluice Test CA", "Sluice Test CA")
        self.certs = {d: x509(rng, d, "Sluice Test CA") for d in DOMAINS}

    def pool_slice(self, pool, n):
        off = self.rng.randrange(len(pool) - n)
        return pool[off:off + n]

    def new_flow(self, kind, server_port):
        rng = self.rng
        v6 = rng.random() < 0.15
        if v6:
            client = bytes.fromhex("20010db80001") + rng.randbytes(10)
            server = rng.choice(self.dns_v6 if kind == "dns" else self.v6_servers)
        else:
            client = bytes([10, 0, rng.randrange(256), rng.randrange(1, 255)])
            server = rng.choice(self.dns_v4 if kind == "dns" else self.v4_servers)
        return Flow(self.cap, v6, client, server, rng.randrange(32768, 61000), server_port, rng)

    def body_size(self):
        # log-uniform 1 KB .. 200 KB: many small objects, a few big ones
        return int(math.exp(self.rng.uniform(math.log(1024), math.log(200 * 1024))))

    # -------------------------------------------------------------- HTTP
    def http(self):
        rng, fl = self.rng, self.new_flow("http", 80)
        host = rng.choice(DOMAINS)
        plan = []
        for _ in range(2 if rng.random() < 0.3 else 1):   # keep-alive: 2nd request
            path = rng.choice(PATHS)
            if self.mix == "numbers":
                path, ctype = rng.choice(NUM_PATHS)
            req = (f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {rng.choice(AGENTS)}\r\n"
                   "Accept: */*\r\nAccept-Language: en-US,en;q=0.5\r\n"
                   "Accept-Encoding: gzip, deflate, br\r\nConnection: keep-alive\r\n\r\n").encode()
            n = self.body_size()
            if self.mix == "numbers":
                pool = (self.csv if ctype == "text/csv" else self.json if ctype == "application/json"
                        else self.html if ctype.startswith("text/html") else self.text if "javascript" in ctype
                        else self.noise)
            else:
                ext = path[path.rfind("."):] if "." in path else ".html"
                ctype = CTYPES.get(ext, "application/json")
                pool = self.text if ctype.startswith("text") else self.noise
            body = self.pool_slice(pool, n)
            head = (f"HTTP/1.1 200 OK\r\nDate: Tue, 14 Nov 2023 22:13:20 GMT\r\n"
                    f"Server: nginx/1.24.0\r\nContent-Type: {ctype}\r\nContent-Length: {n}\r\n"
                    "Cache-Control: max-age=3600\r\nConnection: keep-alive\r\n\r\n").encode()
            plan += [(0, req), (1, head + body)]
        return self._tcp_session(fl, plan)

    # -------------------------------------------------------------- TLS
    def client_hello(self, sni, alpn):
        rng = self.rng
        name = sni.encode()
        alpn_list = b"".join(bytes([len(p)]) + p for p in alpn)
        exts = b"".join([
            struct.pack("!HHHBH", 0, len(name) + 5, len(name) + 3, 0, len(name)) + name,  # SNI
            struct.pack("!HHH3H", 10, 8, 6, 0x001D, 0x0017, 0x0018),      # supported_groups
            struct.pack("!HHBB", 11, 2, 1, 0),                             # ec_point_formats
            struct.pack("!HHH8H", 13, 18, 16, 0x0403, 0x0804, 0x0401, 0x0503,
                        0x0805, 0x0501, 0x0806, 0x0601),                   # signature_algs
            struct.pack("!HHH", 16, len(alpn_list) + 2, len(alpn_list)) + alpn_list,  # ALPN
            struct.pack("!HHB2H", 43, 5, 4, 0x0304, 0x0303),               # supported_versions
            struct.pack("!HHHHH", 51, 38, 36, 0x001D, 32) + rng.randbytes(32),  # key_share
        ])
        suites = struct.pack("!8H", 0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C,
                             0xC030, 0xCCA9)
        body = (b"\x03\x03" + rng.randbytes(32) + b"\x20" + rng.randbytes(32)
                + struct.pack("!H", len(suites)) + suites + b"\x01\x00"
                + struct.pack("!H", len(exts)) + exts)
        return record(22, handshake_msg(1, body), version=0x0301)

    def server_hello(self, tls13, alpn):
        rng = self.rng
        if tls13:    # ALPN would be in the encrypted EncryptedExtensions
            exts = (struct.pack("!HHH", 43, 2, 0x0304)
                    + struct.pack("!HHHH", 51, 36, 0x001D, 32) + rng.randbytes(32))
            suite = 0x1301
        else:        # TLS 1.2: the selected ALPN protocol is visible here
            exts = (struct.pack("!HHB", 0xFF01, 1, 0)                  # renegotiation_info
                    + struct.pack("!HHHB", 16, len(alpn) + 3, len(alpn) + 1, len(alpn)) + alpn)
            suite = 0xC02F
        body = (b"\x03\x03" + rng.randbytes(32) + b"\x20" + rng.randbytes(32)
                + struct.pack("!HB", suite, 0) + struct.pack("!H", len(exts)) + exts)
        return record(22, handshake_msg(2, body))

    def app_records(self, total):
        """Encrypted application data: records of up to 16 KB of noise."""
        out, left = [], total
        while left > 0:
            n = min(left, 16384)
            out.append(record(23, self.pool_slice(self.noise, n + 17)))  # + AEAD tag/type
            left -= n
        return b"".join(out)

    def tls(self):
        rng, fl = self.rng, self.new_flow("tls", 443)
        alpn = [b"h2", b"http/1.1"] if rng.random() < 0.7 else [b"http/1.1"]
        tls13 = rng.random() < 0.7
        ccs = record(20, b"\x01")
        if tls13:
            # Encrypted EncryptedExtensions..Finished: one certificate-sized record.
            server_flight = (self.server_hello(True, alpn[0]) + ccs
                             + record(23, self.pool_slice(self.noise, rng.randrange(2500, 5000))))
            client_finish = ccs + record(23, self.pool_slice(self.noise, 53))
            plan = [(0, self.client_hello(rng.choice(DOMAINS), alpn)), (1, server_flight),
                    (0, client_finish)]
        else:
            sni = rng.choice(DOMAINS)
            certs = b"".join(struct.pack("!I", len(c))[1:] + c for c in (self.certs[sni], self.ca))
            server_flight = (self.server_hello(False, alpn[0])
                             + record(22, handshake_msg(11, struct.pack("!I", len(certs))[1:] + certs))
                             + record(22, handshake_msg(12, self.pool_slice(self.noise, 300)))
                             + record(22, handshake_msg(14, b"")))
            client_finish = (record(22, handshake_msg(16, b"\x20" + self.pool_slice(self.noise, 32)))
                             + ccs + record(22, self.pool_slice(self.noise, 40)))
            plan = [(0, self.client_hello(sni, alpn)), (1, server_flight),
                    (0, client_finish), (1, ccs + record(22, self.pool_slice(self.noise, 40)))]
        for _ in range(rng.randrange(1, 4)):    # request/response exchanges
            plan += [(0, self.app_records(rng.randrange(100, 700))),
                     (1, self.app_records(self.body_size()))]
        return self._tcp_session(fl, plan)

    def _tcp_session(self, fl, plan):
        est = sum(tcp_wire_estimate(len(data)) for _, data in plan) + 6 * 70

        def run():
            yield from handshake(fl)
            for d, data in plan:
                yield from transfer(fl, d, data)
            yield from teardown(fl)
        return run(), est

    # -------------------------------------------------------------- DNS
    def dns(self):
        rng = self.rng
        fl = self.new_flow("dns", 53)
        qtype = 28 if (fl.v6 or rng.random() < 0.3) else 1
        qname = b"".join(bytes([len(label)]) + label
                         for label in rng.choice(DOMAINS).encode().split(b".")) + b"\0"
        qid = rng.getrandbits(16)
        question = qname + struct.pack("!HH", qtype, 1)
        query = struct.pack("!6H", qid, 0x0100, 1, 0, 0, 0) + question
        if rng.random() < 0.05:      # NXDOMAIN: no answers
            resp = struct.pack("!6H", qid, 0x8183, 1, 0, 0, 0) + question
        else:
            nans = rng.randrange(1, 3)
            answers = b""
            for _ in range(nans):    # name = compression pointer to the question (offset 12)
                rdata = (bytes.fromhex("20010db8ffff0000") + rng.randbytes(8) if qtype == 28 else bytes([198, 51, 100, rng.randrange(1, 255)]))
                answers += struct.pack("!HHHIH", 0xC00C, qtype, 1, rng.randrange(60, 3600),
                                       len(rdata)) + rdata
            resp = struct.pack("!6H", qid, 0x8180, 1, nans, 0, 0) + question + answers

        def run():
            yield fl.udp(0, query)
            yield fl.udp(1, resp)
        return run(), len(query) + len(resp) + 2 * 62

    def new_session(self):
        r = self.rng.random()
        return self.http() if r < 0.45 else self.tls() if r < 0.70 else self.dns()


def der(tag, *parts):
    body = b"".join(parts)
    n = len(body)
    size = bytes([n]) if n < 128 else bytes([0x81, n]) if n < 256 else b"\x82" + n.to_bytes(2, "big")
    return bytes([tag]) + size + body


def x509(rng, cn, issuer):
    """A structurally valid DER certificate (RSA-2048-sized key and signature,
    random bits: parsers can read subject/issuer/SAN, nothing verifies)."""
    oid_rsa_sha256 = bytes.fromhex("06092a864886f70d01010b")
    oid_rsa = bytes.fromhex("06092a864886f70d010101")
    null = b"\x05\x00"

    def name(text):   # Name ::= SEQUENCE { SET { SEQUENCE { CN oid, UTF8String } } }
        return der(0x30, der(0x31, der(0x30, bytes.fromhex("0603550403"), der(0x0C, text.encode()))))
    modulus = b"\x00\xc0" + rng.randbytes(255)
    spki = der(0x30, der(0x30, oid_rsa, null),
               der(0x03, b"\x00", der(0x30, der(0x02, modulus), der(0x02, b"\x01\x00\x01"))))
    san = der(0x30, der(0x30, bytes.fromhex("0603551d11"),
                        der(0x04, der(0x30, der(0x82, cn.encode())))))
    tbs = der(0x30,
              der(0xA0, der(0x02, b"\x02")),                      # version v3
              der(0x02, b"\x01" + rng.randbytes(15)),              # serial
              der(0x30, oid_rsa_sha256, null),
              name(issuer),
              der(0x30, der(0x17, b"231114000000Z"), der(0x17, b"251114000000Z")),
              name(cn), spki, der(0xA3, san))
    return der(0x30, tbs, der(0x30, oid_rsa_sha256, null), der(0x03, b"\x00" + rng.randbytes(256)))


def record(ctype, body, version=0x0303):
    return struct.pack("!BHH", ctype, version, len(body)) + body


def handshake_msg(htype, body):
    return struct.pack("!I", len(body) | htype << 24) + body


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size-mb", type=float, default=220)
    ap.add_argument("--out", default="/tmp/sluice-perf.pcap")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--active", type=int, default=2000, help="concurrently open sessions")
    ap.add_argument("--mix", choices=["web", "numbers"], default="web",
                    help="numbers: number-heavy HTTP bodies (CSV, JSON, HTML tables), for DLP")
    args = ap.parse_args()
    target = int(args.size_mb * 1024 * 1024)

    t0 = time.monotonic()
    with open(args.out, "wb") as f:
        cap = Capture(f)
        gen = Gen(cap, args.seed, args.mix)
        rng = gen.rng
        active = []          # [generator, estimated bytes still to come]
        pending = 0          # sum of those estimates: admit sessions only while
        while True:          # written + pending stays under the target size
            while len(active) < args.active and cap.bytes + pending < target:
                g, est = gen.new_session()
                active.append([g, est])
                pending += est
            if not active:
                break
            i = rng.randrange(len(active))
            s = active[i]
            try:
                n = next(s[0])
                s[1] -= n
                pending -= n
            except StopIteration:      # finished: swap-remove, drop its leftover estimate
                pending -= s[1]
                active[i] = active[-1]
                active.pop()
        cap.close()
    dt = time.monotonic() - t0
    print(f"wrote {args.out}: packets={cap.packets} flows={cap.flows} "
          f"bytes={cap.bytes} packet_bytes={cap.data_bytes} "
          f"capture_span={(cap.t - START_NS) / 1e9:.3f}s generated_in={dt:.1f}s")


if __name__ == "__main__":
    main()

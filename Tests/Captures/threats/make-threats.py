#!/usr/bin/python3
"""Writes one small capture per network threat Sluice detects (attack-THREAT.pcap) and the
benign captures none of them may fire on (benign-*.pcap). Run with Debian's python3-scapy:

    /usr/bin/python3 Tests/Captures/threats/make-threats.py

The captures are checked in; ThreatReplayTests replays them. Random values come from a fixed
seed, so rerunning writes the same files. Addresses: clients 10.0.0.x, servers 10.0.1.x.
"""
import os
import random
import struct

from scapy.all import DNS, DNSQR, DNSRR, ICMP, IP, TCP, UDP, Ether, Raw, wrpcap, fragment  # noqa: F401

random.seed(16)
HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT, SERVER = "10.0.0.10", "10.0.1.20"
T0 = 1_700_000_000.0


def eth(p):
    return Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / p


def save(name, packets):
    for p in packets:
        if not hasattr(p, "time") or p.time is None:
            raise ValueError(name)
    wrpcap(os.path.join(HERE, name), packets)


class Conn:
    """A TCP connection whose segments carry consistent sequence numbers."""

    def __init__(self, t, src=CLIENT, dst=SERVER, sport=None, dport=80, client_opts=None, window=64240):
        self.t = t
        self.src, self.dst = src, dst
        self.sport = sport or random.randint(20000, 60000)
        self.dport = dport
        self.cseq, self.sseq = random.randint(1, 2**31), random.randint(1, 2**31)
        self.out = []
        self.client_opts = client_opts if client_opts is not None else [("MSS", 1460), ("SAckOK", b""), ("WScale", 7)]
        self.window = window

    def _pkt(self, to_server, flags, payload=b"", window=None, opts=None):
        if to_server:
            ip = IP(src=self.src, dst=self.dst)
            tcp = TCP(sport=self.sport, dport=self.dport, flags=flags, seq=self.cseq, ack=self.sseq if "A" in flags else 0,
                      window=window if window is not None else self.window, options=opts or [])
        else:
            ip = IP(src=self.dst, dst=self.src)
            tcp = TCP(sport=self.dport, dport=self.sport, flags=flags, seq=self.sseq, ack=self.cseq if "A" in flags else 0,
                      window=window if window is not None else 65160, options=opts or [])
        p = eth(ip / tcp / Raw(payload)) if payload else eth(ip / tcp)
        p.time = self.t
        self.t += 0.001
        self.out.append(p)
        n = len(payload) + (1 if ("S" in flags or "F" in flags) else 0)
        if to_server:
            self.cseq = (self.cseq + n) % 2**32
        else:
            self.sseq = (self.sseq + n) % 2**32
        return p

    def handshake(self):
        self._pkt(True, "S", opts=self.client_opts)
        self._pkt(False, "SA", opts=[("MSS", 1460), ("SAckOK", b""), ("WScale", 7)])
        self._pkt(True, "A")
        return self

    def send(self, data, window=None):
        self._pkt(True, "PA", data, window=window)
        return self

    def reply(self, data):
        self._pkt(False, "PA", data)
        return self

    def close(self):
        self._pkt(True, "FA")
        self._pkt(False, "FA")
        self._pkt(True, "A")
        return self


def dns_udp(t, query, src=CLIENT, sport=None, dst=SERVER):
    p = eth(IP(src=src, dst=dst) / UDP(sport=sport or random.randint(20000, 60000), dport=53) / Raw(bytes(query)))
    p.time = t
    return p


def raw_query(qname_wire, qtype=1, txid=0x1234):
    return struct.pack("!HHHHHH", txid, 0x0100, 1, 0, 0, 0) + qname_wire + struct.pack("!HH", qtype, 1)


def tls_record(ctype, body, version=0x0301):
    return struct.pack("!BHH", ctype, version, len(body)) + body


def client_hello(version=0x0303, ciphers=(0x002F, 0x0035), cipher_len=None, extensions=b""):
    cs = b"".join(struct.pack("!H", c) for c in ciphers)
    body = struct.pack("!H", version) + bytes(random.getrandbits(8) for _ in range(32)) + b"\x00"
    body += struct.pack("!H", len(cs) if cipher_len is None else cipher_len) + cs + b"\x01\x00"
    body += struct.pack("!H", len(extensions)) + extensions
    return tls_record(22, b"\x01" + struct.pack("!I", len(body))[1:] + body)


def server_hello(version=0x0303, legacy=None, extensions=b""):
    body = struct.pack("!H", legacy or version) + bytes(random.getrandbits(8) for _ in range(32)) + b"\x00"
    body += struct.pack("!H", 0x002F if version < 0x0304 else 0x1301) + b"\x00"
    body += struct.pack("!H", len(extensions)) + extensions
    return tls_record(22, b"\x02" + struct.pack("!I", len(body))[1:] + body, version=0x0303)


def mysql_packet(seq, payload):
    return struct.pack("<I", len(payload))[:3] + bytes([seq]) + payload


MYSQL_GREETING = mysql_packet(0, b"\x0a" + b"8.0.35\x00" + struct.pack("<I", 7) + b"abcdefgh" + b"\x00"
                              + struct.pack("<H", 0xFFFF) + b"\x21" + struct.pack("<H", 2) + struct.pack("<H", 0xDFFF)
                              + b"\x15" + b"\x00" * 10 + b"ijklmnopqrst\x00" + b"mysql_native_password\x00")
MYSQL_LOGIN = mysql_packet(1, struct.pack("<IIB", 0x000FA685, 16777216, 0x21) + b"\x00" * 23 + b"root\x00"
                           + b"\x14" + bytes(20) + b"mysql_native_password\x00")
MYSQL_DENIED = mysql_packet(2, b"\xff" + struct.pack("<H", 1045) + b"#28000"
                            + b"Access denied for user 'root'@'10.0.0.10' (using password: YES)")
MYSQL_OK = mysql_packet(2, b"\x00\x00\x00\x02\x00\x00\x00")


def b32(n):
    return "".join(random.choice("abcdefghijklmnopqrstuvwxyz234567") for _ in range(n))


# ---------------------------------------------------------------- attacks

def attacks():
    a = {}
    # 1500 SYNs in 0.9 s to one server from spoofed sources (default threshold 1000/s).
    syns = []
    for i in range(1500):
        p = eth(IP(src="198.51.%d.%d" % (i // 250, i % 250 + 1), dst=SERVER) /
                TCP(sport=random.randint(1024, 65535), dport=80, flags="S", seq=random.getrandbits(32),
                    options=[("MSS", 1460)]))
        p.time = T0 + i * 0.0006
        syns.append(p)
    a["tcp_syn_flood"] = syns
    pings = []
    for i in range(1500):
        p = eth(IP(src="198.51.%d.%d" % (i // 250, i % 250 + 1), dst=SERVER) / ICMP(type=8, id=i, seq=1) / Raw(b"x" * 8))
        p.time = T0 + i * 0.0006
        pings.append(p)
    a["icmp_flood"] = pings
    # One source opening 1100 connections (to as many servers, so no one server is flooded).
    sess = []
    for i in range(1100):
        p = eth(IP(src=CLIENT, dst="10.2.%d.%d" % (i // 250, i % 250 + 1)) /
                TCP(sport=10000 + i, dport=443, flags="S", seq=random.getrandbits(32), options=[("MSS", 1460)]))
        p.time = T0 + i * 0.004
        sess.append(p)
    a["source_session_limit"] = sess
    # IPv4 header length 4 words (below the minimum of 5), a total length beyond the frame,
    # and a TCP data offset of 2.
    bad = []
    for i, raw in enumerate([
        bytes(IP(src=CLIENT, dst=SERVER, ihl=4) / TCP()),
        bytes(IP(src=CLIENT, dst=SERVER, len=1400) / TCP()),
        bytes(IP(src=CLIENT, dst=SERVER) / TCP(dataofs=2)),
    ]):
        p = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02", type=0x0800) / Raw(raw)
        p.time = T0 + i * 0.01
        bad.append(p)
    a["invalid_packet"] = bad
    # Teardrop: a second fragment starting inside the first.
    f1 = eth(IP(src=CLIENT, dst=SERVER, id=0x4242, flags="MF", frag=0, proto=17) / Raw(b"A" * 48))
    f2 = eth(IP(src=CLIENT, dst=SERVER, id=0x4242, flags=0, frag=3, proto=17) / Raw(b"B" * 32))
    f1.time, f2.time = T0, T0 + 0.001
    a["ip_teardrop"] = [f1, f2]
    c = Conn(T0)
    c._pkt(True, "S", b"GET / HTTP/1.1\r\n\r\n", opts=[("MSS", 1460)])
    a["tcp_syn_data"] = c.out
    # Split handshake: the server answers the SYN with a SYN of its own.
    c = Conn(T0)
    c._pkt(True, "S", opts=[("MSS", 1460)])
    c._pkt(False, "S", opts=[("MSS", 1460)])
    c._pkt(True, "SA", opts=[("MSS", 1460)])
    c._pkt(False, "A")
    a["tcp_split_handshake"] = c.out
    out = []
    for i in range(60):
        c = Conn(T0 + i * 0.5, dport=22)
        c.handshake().close()
        out += c.out
    a["tcp_no_client_data"] = out
    c = Conn(T0, client_opts=[("MSS", 1460), ("WScale", 0)])
    c.handshake().send(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", window=8)
    c.reply(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + b"z" * 1000)
    c._pkt(True, "A", window=8)
    a["tcp_small_window"] = c.out
    c = Conn(T0, client_opts=[("MSS", 48), ("SAckOK", b"")])
    c.handshake()
    a["tcp_small_mss"] = c.out
    # Ping of death: the last fragment of an echo request ends past 65535 bytes.
    head = eth(IP(src=CLIENT, dst=SERVER, id=0x5151, flags="MF", frag=0, proto=1) / Raw(bytes(ICMP(type=8)) + b"P" * 1472))
    tail = eth(IP(src=CLIENT, dst=SERVER, id=0x5151, flags=0, frag=65000 // 8, proto=1) / Raw(b"P" * 1000))
    head.time, tail.time = T0, T0 + 0.001
    a["ping_of_death"] = [head, tail]
    # A question name that is a pointer to itself.
    a["dns_loop_pointer"] = [dns_udp(T0, raw_query(b"\xc0\x0c"))]
    # A label of 100 bytes (its length byte has the 0x40 bit: no valid label is that long).
    a["dns_overflow"] = [dns_udp(T0, raw_query(bytes([100]) + b"a" * 100 + b"\x00"))]
    # Zone transfer over TCP (AXFR, type 252).
    c = Conn(T0, dport=53)
    q = bytes(DNS(id=7, rd=0, qd=DNSQR(qname="example.com", qtype=252)))
    c.handshake().send(struct.pack("!H", len(q)) + q).close()
    a["dns_zone_transfer"] = c.out
    a["dns_type_null"] = [dns_udp(T0, DNS(id=9, rd=1, qd=DNSQR(qname="null.example.com", qtype=10)))]
    # iodine-like: long base32 labels under a tunnel domain, 40 queries in 20 s.
    a["dns_tunneling"] = [dns_udp(T0 + i * 0.5, DNS(id=i, rd=1, qd=DNSQR(qname="%s.%s.t.example.com" % (b32(40), b32(20)), qtype=10 if False else 16)))
                          for i in range(40)]
    # ICMP tunneling: 40 echo requests with 512-byte payloads in 20 s.
    icmps = []
    for i in range(40):
        p = eth(IP(src=CLIENT, dst=SERVER) / ICMP(type=8, id=77, seq=i) / Raw(bytes(random.getrandbits(8) for _ in range(512))))
        p.time = T0 + i * 0.5
        icmps.append(p)
    a["icmp_tunneling"] = icmps
    c = Conn(T0, dport=22)
    c.handshake().reply(b"SSH-1.5-OpenSSH_1.2.3\r\n").send(b"SSH-1.5-Client_1.0\r\n").close()
    a["ssh_version1"] = c.out
    # Heartbleed: a heartbeat request in clear that claims 16 KB of payload in a 3-byte record.
    c = Conn(T0, dport=443)
    c.handshake().send(client_hello(0x0302)).reply(server_hello(0x0302))
    c.send(tls_record(24, b"\x01\x40\x00", version=0x0302)).reply(tls_record(24, b"\x02\x40\x00" + b"M" * 16384, version=0x0302))
    a["tls_heartbleed"] = c.out
    # A ClientHello whose cipher suite list claims 0xFFF0 bytes.
    c = Conn(T0, dport=443)
    c.handshake().send(client_hello(cipher_len=0xFFF0))
    a["tls_cipher_overflow"] = c.out
    # TLS 1.0 negotiated.
    c = Conn(T0, dport=443)
    c.handshake().send(client_hello(0x0301)).reply(server_hello(0x0301)).close()
    a["tls_old_version"] = c.out
    c = Conn(T0)
    c.handshake().send(b"POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n").close()
    a["http_negative_length"] = c.out
    c = Conn(T0)
    c.handshake().send(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                       b"0\r\n\r\nGET /admin HTTP/1.1\r\nHost: a\r\n\r\n").close()
    a["http_smuggling"] = c.out
    # Slowloris: 25 connections each sending a request line and a header, then one more
    # header 12 s later, never the blank line.
    conns = [Conn(T0 + i * 0.01) for i in range(25)]
    for c in conns:
        c.handshake().send(b"GET / HTTP/1.1\r\nHost: victim\r\n")
    for c in conns:
        c.t = T0 + 12 + c.t - T0
        c.send(b"X-a: %d\r\n" % random.randint(1, 5000))
    a["http_slowloris"] = sorted((p for c in conns for p in c.out), key=lambda p: p.time)
    out = []
    for i in range(12):
        c = Conn(T0 + i * 2, dport=3306)
        c.handshake().reply(MYSQL_GREETING).send(MYSQL_LOGIN).reply(MYSQL_DENIED).close()
        out += c.out
    a["mysql_access_denied"] = out
    return a


# ---------------------------------------------------------------- benign

def benign():
    b = {}
    # 200 short HTTP connections from 8 clients over 2 s, each one GET and a 200.
    out = []
    for i in range(200):
        c = Conn(T0 + i * 0.01, src="10.0.0.%d" % (10 + i % 8))
        c.handshake().send(b"GET /item/%d HTTP/1.1\r\nHost: shop\r\nUser-Agent: curl/8.5\r\n\r\n" % i)
        c.reply(b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\nContent-Type: text/plain\r\n\r\nhello world\n")
        c.close()
        out += c.out
    # Keep-alive with a body and chunked responses.
    c = Conn(T0 + 5)
    c.handshake().send(b"POST /api HTTP/1.1\r\nHost: shop\r\nContent-Length: 5\r\n\r\nhello")
    c.reply(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nworld\r\n0\r\n\r\n").close()
    out += c.out
    b["http"] = sorted(out, key=lambda p: p.time)
    # DNS: ordinary queries (Kubernetes search-path names included), and a large answer.
    out = []
    names = ["api.example.com", "www.google.com", "kubernetes.default.svc.cluster.local",
             "payments-service.production.svc.cluster.local.example.internal",
             "e1234.dscx.akamaiedge.net", "_https._tcp.service-discovery-endpoint.example.com"]
    for i in range(120):
        out.append(dns_udp(T0 + i * 0.25, DNS(id=i, rd=1, qd=DNSQR(qname=names[i % len(names)])), sport=30000 + i))
    # A cloud load balancer's long, random-looking name, asked 40 times in 20 s (no tunnel:
    # the same name again and again).
    elb = "internal-k8s-default-webapp-0123456789.us-east-1.elb.amazonaws.com"
    for i in range(40):
        out.append(dns_udp(T0 + 45 + i * 0.5, DNS(id=2000 + i, rd=1, qd=DNSQR(qname=elb)), sport=41000 + i))
    answers = [DNSRR(rrname="big.example.com", type="A", ttl=60, rdata="10.9.%d.%d" % (i // 200, i % 200)) for i in range(80)]
    big = DNS(id=999, qr=1, aa=1, rd=1, ra=1, qd=DNSQR(qname="big.example.com"), an=answers)
    q = dns_udp(T0 + 40, DNS(id=999, rd=1, qd=DNSQR(qname="big.example.com")), sport=40000)
    r = eth(IP(src=SERVER, dst=CLIENT) / UDP(sport=53, dport=40000) / Raw(bytes(big)))
    r.time = T0 + 40.001
    out += [q, r]
    b["dns"] = out
    # TLS 1.3 (supported_versions) and TLS 1.2 handshakes, then application data.
    out = []
    for i, (v, ext) in enumerate([(0x0304, b"\x00\x2b\x00\x02\x03\x04"), (0x0303, b"")]):
        c = Conn(T0 + i, dport=443)
        c.handshake().send(client_hello(0x0303, ciphers=(0x1301, 0x1302, 0xC02F))).reply(server_hello(v, legacy=0x0303, extensions=ext))
        c.reply(tls_record(20, b"\x01", version=0x0303)).send(tls_record(20, b"\x01", version=0x0303))
        c.send(tls_record(23, bytes(200), version=0x0303)).reply(tls_record(23, bytes(3000), version=0x0303)).close()
        out += c.out
    b["tls"] = out
    # Ordinary pings, 10 a second for 5 s; SSH 2; a MySQL login that works and one typo.
    out = []
    for i in range(50):
        p = eth(IP(src=CLIENT, dst=SERVER) / ICMP(type=8, id=5, seq=i) / Raw(b"x" * 56))
        p.time = T0 + i * 0.1
        out.append(p)
    c = Conn(T0 + 6, dport=22)
    c.handshake().reply(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n").send(b"SSH-2.0-OpenSSH_9.2p1\r\n").send(b"\x00" * 64).close()
    out += c.out
    for i, reply in enumerate([MYSQL_OK, MYSQL_DENIED, MYSQL_OK]):
        c = Conn(T0 + 7 + i, dport=3306)
        c.handshake().reply(MYSQL_GREETING).send(MYSQL_LOGIN).reply(reply).close()
        out += c.out
    b["misc"] = sorted(out, key=lambda p: p.time)
    return b


if __name__ == "__main__":
    for name, pkts in attacks().items():
        save("attack-%s.pcap" % name, pkts)
    for name, pkts in benign().items():
        save("benign-%s.pcap" % name, pkts)

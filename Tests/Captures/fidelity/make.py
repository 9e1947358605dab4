#!/usr/bin/python3
"""Write the small captures FidelityTests (Tests/L7Tests) replays: protocol cases where
Suricata's behaviour is the reference (issue 18). Each capture is built by hand so that the
one thing it tests is plain in the packets:

- dns-answer-first-udp / -tcp: the first packet seen is a DNS answer (the query was missed or
  reordered); records must name the querier as src.
- dns-junk-first-udp / -both-udp: a junk datagram (one way / each way) before the first
  query; DNS must still be detected.
- dns-tcp-gap: DNS over TCP where one answer's segment is missing; the answers after it
  must still be logged (resynchronised at the next message).
- http-gap-body / http-gap-response: keep-alive HTTP where the second response's body / the
  whole second response is missing; the third response keeps its status.
- mqtt-midstream: an MQTT flow picked up after CONNECT, a PUBLISH split across segments.
- mqtt-ping: just a PINGREQ and its PINGRESP.
- mqtt5-connect: an MQTT 5 CONNECT with properties before a long client id.
- http-connect: CONNECT, 200, then plain HTTP through the tunnel.
- http-noproto: `GET /` without a protocol, followed by headers.
- http-ipv6-host: an absolute URI and Host naming an IPv6 literal.
- http-lzma: a body with Content-Encoding: lzma.

Run with Debian's python (it has scapy):  /usr/bin/python3 make.py
Timestamps are fixed, so a rerun writes the same bytes.
"""
import lzma
import os
import struct

from scapy.all import IP, TCP, UDP, Ether, IPv6, Raw, wrpcap

HERE = os.path.dirname(os.path.abspath(__file__))
T0 = 1_700_000_000.0
C, S = "10.18.0.1", "10.18.0.53"


def dns_message(txid, name, answer=None):
    """A query (answer None) or an answer with one A record."""
    qname = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\x00"
    question = qname + struct.pack(">HH", 1, 1)
    if answer is None:
        return struct.pack(">HHHHHH", txid, 0x0100, 1, 0, 0, 0) + question
    rr = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 300, 4) + bytes(int(x) for x in answer.split("."))
    return struct.pack(">HHHHHH", txid, 0x8180, 1, 1, 0, 0) + question + rr


class Conv:
    """One TCP connection's packets, with sequence numbers kept per side."""

    def __init__(self, c, cport, s, sport, v6=False):
        self.c, self.cport, self.s, self.sport, self.v6 = c, cport, s, sport, v6
        self.seq = {True: 1000, False: 5000}
        self.pkts = []
        self.t = T0

    def ip(self, to_server):
        src, dst = (self.c, self.s) if to_server else (self.s, self.c)
        return IPv6(src=src, dst=dst) if self.v6 else IP(src=src, dst=dst)

    def pkt(self, to_server, flags, data=b"", send=True):
        sp, dp = (self.cport, self.sport) if to_server else (self.sport, self.cport)
        p = Ether(src="02:18:00:00:00:01", dst="02:18:00:00:00:02") / self.ip(to_server) / TCP(sport=sp, dport=dp, flags=flags,
                                               seq=self.seq[to_server], ack=self.seq[not to_server])
        if data:
            p = p / Raw(data)
        self.seq[to_server] += len(data) + (1 if "S" in flags or "F" in flags else 0)
        self.t += 0.001
        p.time = self.t
        if send:
            self.pkts.append(p)

    def handshake(self):
        self.pkt(True, "S")
        self.pkt(False, "SA")
        self.pkt(True, "A")

    def data(self, to_server, data, send=True):
        self.pkt(to_server, "PA", data, send)
        self.pkt(not to_server, "A")

    def close(self):
        self.pkt(True, "FA")
        self.pkt(False, "FA")
        self.pkt(True, "A")


def udp(src, sport, dst, dport, data, t):
    p = Ether(src="02:18:00:00:00:01", dst="02:18:00:00:00:02") / IP(src=src, dst=dst) / UDP(sport=sport, dport=dport) / Raw(data)
    p.time = t
    return p


def write(name, pkts):
    wrpcap(os.path.join(HERE, name), pkts)


# DNS answer before its query, over UDP.
write("dns-answer-first-udp.pcap", [
    udp(S, 53, C, 41000, dns_message(0x1234, "example.org", "192.0.2.7"), T0),
    udp(C, 41000, S, 53, dns_message(0x1234, "example.org"), T0 + 0.01),
])

# DNS over TCP picked up midstream, the server's answer first.
tcp = Conv(C, 41001, S, 53)
ans = dns_message(0x2222, "example.net", "192.0.2.8")
tcp.data(False, struct.pack(">H", len(ans)) + ans)
q = dns_message(0x2223, "example.com")
tcp.data(True, struct.pack(">H", len(q)) + q)
ans = dns_message(0x2223, "example.com", "192.0.2.9")
tcp.data(False, struct.pack(">H", len(ans)) + ans)
write("dns-answer-first-tcp.pcap", tcp.pkts)

# One junk datagram, then a DNS query and its answer.
write("dns-junk-first-udp.pcap", [
    udp(C, 41002, S, 53, b"\x00\x01junk that is not dns at all", T0),
    udp(C, 41002, S, 53, dns_message(0x3333, "example.org"), T0 + 0.01),
    udp(S, 53, C, 41002, dns_message(0x3333, "example.org", "192.0.2.10"), T0 + 0.02),
])

# One junk datagram each way, then a DNS query and its answer.
write("dns-junk-both-udp.pcap", [
    udp(C, 41002, S, 53, b"\x00\x01junk that is not dns at all", T0),
    udp(S, 53, C, 41002, b"\x00\x01junk back", T0 + 0.005),
    udp(C, 41002, S, 53, dns_message(0x3333, "example.org"), T0 + 0.01),
    udp(S, 53, C, 41002, dns_message(0x3333, "example.org", "192.0.2.10"), T0 + 0.02),
])

# DNS over TCP, three queries and answers, the second answer's segment lost.
tcp = Conv(C, 41003, S, 53)
tcp.handshake()
for i, name in enumerate(["one.example", "two.example", "three.example"]):
    q = dns_message(0x4000 + i, name)
    tcp.data(True, struct.pack(">H", len(q)) + q)
    a = dns_message(0x4000 + i, name, "192.0.2.%d" % (20 + i))
    tcp.data(False, struct.pack(">H", len(a)) + a, send=(i != 1))
tcp.close()
write("dns-tcp-gap.pcap", tcp.pkts)


def http_gap(name, lose_head):
    """Three keep-alive requests; the second response's body is lost (lose_head False) or
    the whole second response is (lose_head True)."""
    tcp = Conv(C, 41004, "10.18.0.80", 80)
    tcp.handshake()
    for i in range(3):
        tcp.data(True, b"GET /page%d HTTP/1.1\r\nHost: www.example\r\n\r\n" % i)
        body = (b"%d" % i) * 300
        head = b"HTTP/1.1 %d OK\r\nContent-Length: %d\r\nContent-Type: text/plain\r\n\r\n" % (200 + i, len(body))
        tcp.data(False, head, send=not (lose_head and i == 1))
        tcp.data(False, body, send=i != 1)
    tcp.close()
    write(name, tcp.pkts)


http_gap("http-gap-body.pcap", False)
http_gap("http-gap-response.pcap", True)

# MQTT picked up midstream: a PUBLISH split over two segments, the broker's PUBACK.
tcp = Conv(C, 41005, "10.18.0.88", 1883)
topic = b"sensors/kitchen/temperature"
payload = b"21.5"
var = struct.pack(">H", len(topic)) + topic + struct.pack(">H", 7) + payload
publish = bytes([0x32, len(var)]) + var
tcp.data(True, publish[:9])
tcp.data(True, publish[9:])
tcp.data(False, b"\x40\x02\x00\x07")
write("mqtt-midstream.pcap", tcp.pkts)

# A PINGREQ and its PINGRESP, nothing else.
tcp = Conv(C, 41006, "10.18.0.88", 1883)
tcp.pkt(True, "PA", b"\xc0\x00")
tcp.pkt(False, "PA", b"\xd0\x00")
write("mqtt-ping.pcap", tcp.pkts)

# MQTT 5 CONNECT with properties (session expiry, receive maximum, user property) and a long
# client id, and its CONNACK.
tcp = Conv(C, 41007, "10.18.0.88", 1883)
tcp.handshake()
props = b"\x11" + struct.pack(">I", 3600) + b"\x21" + struct.pack(">H", 20)
props += b"\x26" + struct.pack(">H", 11) + b"application" + struct.pack(">H", 22) + b"sluice-fidelity-checks"
client_id = b"sluice-mqtt5-client-with-a-rather-long-identifier-0123456789"
var = struct.pack(">H", 4) + b"MQTT" + b"\x05" + b"\x02" + struct.pack(">H", 60)
var += bytes([len(props)]) + props + struct.pack(">H", len(client_id)) + client_id
tcp.data(True, bytes([0x10, len(var)]) + var)
tcp.data(False, b"\x20\x03\x00\x00\x00")
tcp.close()
write("mqtt5-connect.pcap", tcp.pkts)

# CONNECT, then plain HTTP through the tunnel.
tcp = Conv(C, 41008, "10.18.0.3", 3128)
tcp.handshake()
tcp.data(True, b"CONNECT www.example:80 HTTP/1.1\r\nHost: www.example:80\r\n\r\n")
tcp.data(False, b"HTTP/1.1 200 Connection established\r\n\r\n")
tcp.data(True, b"GET /inside HTTP/1.1\r\nHost: www.example\r\nUser-Agent: tunnelled\r\n\r\n")
tcp.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
tcp.close()
write("http-connect.pcap", tcp.pkts)

# `GET /` with no protocol, then headers: HTTP/1.x in all but the version.
tcp = Conv(C, 41009, "10.18.0.80", 80)
tcp.handshake()
tcp.data(True, b"GET /noproto\r\nHost: www.example\r\nUser-Agent: noproto\r\n\r\n")
tcp.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
tcp.close()
write("http-noproto.pcap", tcp.pkts)

# IPv6 literal host in the request URI and Host header.
tcp = Conv("fd18::1", 41010, "fd18::80", 8080, v6=True)
tcp.handshake()
tcp.data(True, b"GET http://[fd18::80]:8080/v6 HTTP/1.1\r\nHost: [fd18::80]:8080\r\n\r\n")
tcp.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
tcp.close()
write("http-ipv6-host.pcap", tcp.pkts)

# A body with Content-Encoding: lzma (the "alone" format: properties, dictionary size,
# uncompressed size, then the LZMA stream).
plain = b"lzma-compressed body: " + b"sluice " * 40
body = lzma.compress(plain, format=lzma.FORMAT_ALONE)
tcp = Conv(C, 41011, "10.18.0.80", 80)
tcp.handshake()
tcp.data(True, b"GET /lzma HTTP/1.1\r\nHost: www.example\r\n\r\n")
tcp.data(False, b"HTTP/1.1 200 OK\r\nContent-Encoding: lzma\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
tcp.close()
write("http-lzma.pcap", tcp.pkts)

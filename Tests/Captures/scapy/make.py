#!/usr/bin/python3
"""Write small hand-built captures that pin down defragmentation and TCP
reassembly semantics, plus expected.json saying what a correct engine must
produce for each of them.

Run with Debian's python (it has scapy):  /usr/bin/python3 make.py

The expected values are written from TCP/IP semantics, by hand, next to
the packets that exercise them; they are never computed by replaying the
captures through an engine. Policy for overlaps (IPv4/IPv6 fragments and
TCP segments alike) is FIRST-WINS: bytes already received are kept, later
copies of the same offsets are ignored.
"""
import base64
import hashlib
import json
import os

from scapy.all import IP, TCP, UDP, Ether, IPv6, IPv6ExtHdrFragment, Raw, wrpcap

HERE = os.path.dirname(os.path.abspath(__file__))
MAC_C, MAC_S = "02:99:00:00:00:01", "02:99:00:00:00:02"
V4_C, V4_S = "10.99.0.1", "10.99.0.2"
V6_C, V6_S = "fd99::1", "fd99::2"
T0 = 1_700_000_000.0   # fixed timestamps keep the files byte-identical on rerun

expected = {
    "_format": {
        "policy": "first-wins: on overlap, bytes already received are kept",
        "defrag": "udp_payload_b64 = UDP data after the UDP header of the one "
                  "reassembled datagram (null when none must come out); "
                  "datagrams = number of reassembled datagrams expected",
        "tcp": "c2s/s2c = reassembled stream per direction as a list of chunks; "
               "{'text': s} = exact bytes (ASCII), {'gap': n} = n missing bytes; "
               "adjacent data is merged into one chunk. packets_c2s/packets_s2c "
               "count every frame of the flow in that direction (SYN, pure "
               "ACKs, FIN and retransmissions included). client = 10.99.0.1 / "
               "fd99::1, the side with the ephemeral port.",
    },
}


def write(name, frames):
    for i, f in enumerate(frames):
        f.time = T0 + i * 0.001
    wrpcap(os.path.join(HERE, name), frames)   # Ether frames => linktype 1


# --------------------------------------------------------------------------
# IP defragmentation: one UDP datagram of 3000 data bytes, cut by hand so we
# control exactly which fragment carries what.

DEFRAG_DATA = b"".join(b"DEFRAG-LINE-%04d\n" % i for i in range(3000 // 17 + 1))[:3000]


def v4_fragments(ident):
    """The datagram's IP payload (UDP header with a valid checksum + data),
    returned with a helper that wraps any slice of it in a fragment."""
    whole = IP(src=V4_C, dst=V4_S, id=ident) / UDP(sport=40000, dport=9999) / DEFRAG_DATA
    body = bytes(whole)[20:]          # 3008 bytes: UDP header + data

    def frag(start, end, data=None, more=True):
        assert start % 8 == 0
        return (Ether(src=MAC_C, dst=MAC_S)
                / IP(src=V4_C, dst=V4_S, id=ident, proto=17,
                     flags="MF" if more else 0, frag=start // 8)
                / Raw(body[start:end] if data is None else data))
    return body, frag


def defrag_case(name, frames, payload, note):
    write(name, frames)
    expected[name] = {
        "kind": "defrag",
        "note": note,
        "frames": len(frames),
        "datagrams": 0 if payload is None else 1,
        "udp_payload_len": None if payload is None else len(payload),
        "udp_payload_sha256": None if payload is None else hashlib.sha256(payload).hexdigest(),
        "udp_payload_b64": None if payload is None else base64.b64encode(payload).decode(),
    }


# IPv4, 1500-byte MTU: 1480 + 1480 + 48 bytes of IP payload.
body, frag = v4_fragments(0x1111)
A, B, D = frag(0, 1480), frag(1480, 2960), frag(2960, 3008, more=False)
defrag_case("defrag-v4-inorder.pcap", [A, B, D], DEFRAG_DATA,
            "3 fragments in order")

body, frag = v4_fragments(0x2222)
defrag_case("defrag-v4-reversed.pcap",
            [frag(2960, 3008, more=False), frag(1480, 2960), frag(0, 1480)],
            DEFRAG_DATA, "3 fragments, last one first")

# Overlap: after the first two fragments, a rogue fragment rewrites offsets
# 1400..1560 (straddling both) with different bytes. Everything it covers was
# already received, so first-wins keeps the original: same datagram as in order.
body, frag = v4_fragments(0x3333)
evil = frag(1400, 1560, data=b"EVIL" * 40)
defrag_case("defrag-v4-overlap.pcap",
            [frag(0, 1480), frag(1480, 2960), evil, frag(2960, 3008, more=False)],
            DEFRAG_DATA,
            "fragment at 1400..1560 carries EVIL bytes over already received "
            "data; first-wins => original payload")

# Missing middle fragment: the datagram can never complete.
body, frag = v4_fragments(0x4444)
defrag_case("defrag-v4-missing.pcap",
            [frag(0, 1480), frag(2960, 3008, more=False)],
            None, "fragment 1480..2960 never arrives => no datagram")


def v6_fragments(ident):
    # Build the whole packet first so scapy computes the UDP checksum over
    # the IPv6 pseudo header, then slice the fragmentable part.
    whole = IPv6(src=V6_C, dst=V6_S) / UDP(sport=40000, dport=9999) / DEFRAG_DATA
    body = bytes(whole)[40:]

    def frag(start, end, more=True):
        return (Ether(src=MAC_C, dst=MAC_S)
                / IPv6(src=V6_C, dst=V6_S)
                / IPv6ExtHdrFragment(nh=17, offset=start // 8, m=int(more), id=ident)
                / Raw(body[start:end]))
    return frag


# IPv6, 1500-byte MTU: 1500 - 40 - 8 = 1452, rounded down to 8 => 1448.
frag = v6_fragments(0x66660001)
defrag_case("defrag-v6-inorder.pcap",
            [frag(0, 1448), frag(1448, 2896), frag(2896, 3008, more=False)],
            DEFRAG_DATA, "3 IPv6 fragments in order")
frag = v6_fragments(0x66660002)
defrag_case("defrag-v6-reversed.pcap",
            [frag(2896, 3008, more=False), frag(1448, 2896), frag(0, 1448)],
            DEFRAG_DATA, "3 IPv6 fragments, last one first")


# --------------------------------------------------------------------------
# TCP reassembly.

class Conn:
    """Builds the frames of one TCP connection. Sequence numbers are kept as
    plain integers (wrapped mod 2**32 only on the wire) and nxt[side] is the
    next sequence number that side will send. By default every frame
    acknowledges everything the other side has sent so far."""

    def __init__(self, v6=False, cport=50001, sport=9000, c_isn=1000, s_isn=5000):
        self.v6, self.port = v6, {"c": cport, "s": sport}
        self.nxt = {"c": c_isn, "s": s_isn}
        self.frames, self.count = [], {"c": 0, "s": 0}

    def send(self, side, flags="PA", data=b"", seq=None, ack=None):
        other = "s" if side == "c" else "c"
        seq = self.nxt[side] if seq is None else seq
        ack = self.nxt[other] if ack is None else ack
        ips = (V4_C, V4_S) if side == "c" else (V4_S, V4_C)
        macs = (MAC_C, MAC_S) if side == "c" else (MAC_S, MAC_C)
        l3 = IPv6(src=V6_C if side == "c" else V6_S,
                  dst=V6_S if side == "c" else V6_C) if self.v6 else IP(src=ips[0], dst=ips[1])
        tcp = TCP(sport=self.port[side], dport=self.port[other], flags=flags,
                  seq=seq % 2**32, ack=(ack % 2**32) if "A" in flags else 0, window=65535)
        self.frames.append(Ether(src=macs[0], dst=macs[1]) / l3 / tcp / Raw(data)
                           if data else Ether(src=macs[0], dst=macs[1]) / l3 / tcp)
        self.count[side] += 1
        end = seq + len(data) + (1 if ("S" in flags or "F" in flags) else 0)
        self.nxt[side] = max(self.nxt[side], end)
        return seq

    def reserve(self, side, data):
        """Sequence space for data that is sent later (out of order) or lost."""
        seq = self.nxt[side]
        self.nxt[side] += len(data)
        return seq

    def handshake(self):
        self.send("c", "S")
        self.send("s", "SA")
        self.send("c", "A")

    def teardown(self):
        self.send("c", "FA")
        self.send("s", "FA")
        self.send("c", "A")


def tcp_case(name, conn, c2s, s2c, packets_c2s, packets_s2c, note):
    # The hand-counted frame numbers must match what was built.
    assert conn.count == {"c": packets_c2s, "s": packets_s2c}, (name, conn.count)
    write(name, conn.frames)

    def chunks(parts):   # merge adjacent data, keep gaps, bytes -> ASCII text
        out = []
        for p in parts:
            if isinstance(p, int):
                out.append({"gap": p})
            elif out and "text" in out[-1]:
                out[-1]["text"] += p.decode("ascii")
            else:
                out.append({"text": p.decode("ascii")})
        return out
    expected[name] = {"kind": "tcp", "note": note,
                      "c2s": chunks(c2s), "s2c": chunks(s2c),
                      "packets_c2s": packets_c2s, "packets_s2c": packets_s2c}


# Distinct, readable client segments and server replies.
C1, C2, C3, C4 = (b"%s-client-segment-%d|" % (w, i) * 2 for i, w in
                  enumerate((b"ALPHA", b"BRAVO", b"CHARLIE", b"DELTA"), 1))
S1 = b"HTTP-ish reply one from the server\n"
S2 = b"and a second server line, then bye\n"

# In order: 3WHS, client sends 3 segments (each ACKed), server sends 2 (each
# ACKed), FIN from client, FIN from server, final ACK.
c = Conn()
c.handshake()
for seg in (C1, C2, C3):
    c.send("c", data=seg)
    c.send("s", "A")
for seg in (S1, S2):
    c.send("s", data=seg)
    c.send("c", "A")
c.teardown()
# c2s frames: SYN, ACK, 3 data, 2 ACKs, FIN, last ACK = 9; s2c: SYN/ACK, 3 ACKs, 2 data, FIN = 7
tcp_case("tcp-inorder.pcap", c, [C1, C2, C3], [S1, S2], 9, 7, "plain in-order session")

# Out of order: the 4 client segments arrive as 3,1,4,2. The server's ACK
# after each is its contiguous edge: start, end of 1, end of 1, end of 4.
c = Conn()
c.handshake()
seqs = [c.reserve("c", seg) for seg in (C1, C2, C3, C4)]
base = seqs[0]
for i, ack in ((2, base), (0, seqs[1]), (3, seqs[1]), (1, c.nxt["c"])):
    c.send("c", data=(C1, C2, C3, C4)[i], seq=seqs[i])
    c.send("s", "A", ack=ack)
c.send("s", data=S1)
c.send("c", "A")
c.teardown()
# c2s: SYN, ACK, 4 data, ACK of S1, FIN, last ACK = 9; s2c: SYN/ACK, 4 ACKs, S1, FIN = 7
tcp_case("tcp-out-of-order.pcap", c, [C1, C2, C3, C4], [S1], 9, 7,
         "client segments arrive in order 3,1,4,2")

# Retransmission: C2 is sent twice with identical bytes; it counts once.
c = Conn()
c.handshake()
c.send("c", data=C1)
c.send("s", "A")
seq2 = c.send("c", data=C2)
c.send("c", data=C2, seq=seq2)          # same seq, same bytes
c.send("s", "A")
c.send("c", data=C3)
c.send("s", "A")
c.send("s", data=S1)
c.send("c", "A")
c.teardown()
# c2s: SYN, ACK, 4 data frames, ACK, FIN, ACK = 9; s2c: SYN/ACK, 3 ACKs, S1, FIN = 6
tcp_case("tcp-retransmission.pcap", c, [C1, C2, C3], [S1], 9, 6,
         "C2 retransmitted once with identical bytes")

# Overlap: G1 G2 G3 (GOOD bytes) are received; then a segment rewrites the
# middle of the received data with EVIL bytes (first-wins: ignored); then a
# segment that overlaps the last 30 received bytes with EVIL and continues
# with 32 new bytes: only its new part is taken.
G1, G2, G3 = b"GOOD" * 15, b"good" * 15, b"GOOD-END" * 7 + b"GOOD"
NEW = b"NEW-" * 8
c = Conn()
c.handshake()
first = c.send("c", data=G1)
c.send("c", data=G2)
c.send("c", data=G3)
c.send("s", "A")
c.send("c", data=b"EVIL" * 15, seq=first + 30)                  # inside received data
c.send("s", "A")
c.send("c", data=b"EVIL" * 7 + b"EV" + NEW, seq=first + 150)   # last 30 old + 32 new
c.send("s", "A")
c.send("s", data=S1)
c.send("c", "A")
c.teardown()
# c2s: SYN, ACK, 5 data, ACK, FIN, ACK = 10; s2c: SYN/ACK, 3 ACKs, S1, FIN = 6
tcp_case("tcp-overlap.pcap", c, [G1, G2, G3, NEW], [S1], 10, 6,
         "EVIL bytes rewrite already received offsets 30..90 and 150..180; "
         "first-wins keeps GOOD bytes and only appends the 32 NEW bytes")

# Gap: C2 (46 bytes) is lost before the tap, yet the server ACKs past it
# (the capture missed it, the server did not). The stream must be C1,
# a 46-byte gap, then C3 and C4.
c = Conn()
c.handshake()
c.send("c", data=C1)
c.send("s", "A")
c.reserve("c", C2)                     # never captured
c.send("c", data=C3)
c.send("s", "A")                       # ack = end of C3: past the hole
c.send("c", data=C4)
c.send("s", "A")
c.send("s", data=S1)
c.send("c", "A")
c.teardown()
# c2s: SYN, ACK, 3 data, ACK, FIN, ACK = 8; s2c: SYN/ACK, 3 ACKs, S1, FIN = 6
tcp_case("tcp-gap.pcap", c, [C1, len(C2), C3, C4], [S1], 8, 6,
         "C2 missing from the capture but ACKed by the server => gap of 46 bytes")

# Mid-stream: the capture starts inside an established connection (no SYN).
# The streams begin at the first byte seen in each direction.
c = Conn(cport=50002, c_isn=200_000, s_isn=700_000)
c.send("c", data=C1)
c.send("s", "A")
c.send("s", data=S1)
c.send("c", "A")
c.send("c", data=C2)
c.send("s", data=S2)
c.send("c", "A")
c.teardown()
# c2s: C1, ACK, C2, ACK, FIN, ACK = 6; s2c: ACK, S1, S2, FIN = 4
tcp_case("tcp-midstream.pcap", c, [C1, C2], [S1, S2], 6, 4,
         "no handshake: starts with client data, data both ways, FIN close")

# Extra: IPv6 TCP whose client sequence numbers wrap past 2**32 inside C2.
c = Conn(v6=True, cport=50003, c_isn=2**32 - 80)
c.handshake()
for seg in (C1, C2, C3):
    c.send("c", data=seg)
    c.send("s", "A")
c.send("s", data=S1)
c.send("c", "A")
c.teardown()
# c2s: SYN, ACK, 3 data, ACK, FIN, ACK = 8; s2c: SYN/ACK, 3 ACKs, S1, FIN = 6
tcp_case("tcp-seq-wrap.pcap", c, [C1, C2, C3], [S1], 8, 6,
         "IPv6; client ISN 2^32-80 so the client sequence wraps to 0 inside C2")

with open(os.path.join(HERE, "expected.json"), "w") as f:
    json.dump(expected, f, indent=2)
    f.write("\n")
print("wrote", len(expected) - 1, "captures and expected.json")

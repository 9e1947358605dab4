#!/usr/bin/env python3
"""Writes the seed corpus of the apiRequest fuzz target: the requests the API tests and
`sluice ctl` make, and the malformed ones the hardening tests send.

Format (see Sources/FuzzTargets/APIRequestFuzz.swift): a flags byte (bit 7: method is the
next record, else the low 3 bits index GET PUT POST DELETE HEAD PATCH OPTIONS get; bit 6: no
bearer token), then two-byte big-endian length records for the URI and the header lines,
then the body. Seeds are named by content hash.

Usage: scripts/fuzz-api-seeds.py
"""
import hashlib, json, os, struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fuzz", "corpus", "apiRequest")
METHODS = ["GET", "PUT", "POST", "DELETE", "HEAD", "PATCH", "OPTIONS", "get"]

POLICY = """version: 1
mode: protect
default: deny
groups:
  clients: { cidrs: [10.98.0.1/32] }
  web:     { cidrs: [10.98.0.2/32] }
workloads:
  web: { group: web, mode: protect, sensors: [waf-core] }
rules:
  - { id: 10, from: clients, to: web, ports: [tcp/80], apps: [http], action: allow }
"""
SENSORS = "sensors:\n  - name: waf-block\n    rules:\n      - { id: 9000001, name: union, context: url, patterns: ['union\\s+select'], action: block }\n"


def record(b):
    return struct.pack(">H", len(b)) + b


def seed(method, uri, headers=None, body=b"", token=True):
    flags = 0 if token else 0x40
    out = b""
    if method in METHODS:
        flags |= METHODS.index(method)
    else:
        flags |= 0x80
        out += record(method.encode())
    out += record(uri.encode())
    out += record("\n".join(f"{k}: {v}" for k, v in (headers or {}).items()).encode())
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode()
    return bytes([flags]) + out + body


SEEDS = [
    seed("GET", "/v1/status"),
    seed("GET", "/v1/status", token=False),
    seed("GET", "/v1/openapi.yaml"),
    seed("GET", "/v1/policy"),
    seed("GET", "/v1/policy?format=yaml"),
    seed("PUT", "/v1/policy", body=POLICY),
    seed("PUT", "/v1/policy?name=deny80.yaml", {"If-Match": '"1"'}, POLICY),
    seed("PUT", "/v1/policy", {"If-Match": "abc"}, POLICY),
    seed("PUT", "/v1/policy", body=b"\xff\xfe"),
    seed("GET", "/v1/sensors"),
    seed("GET", "/v1/sensors?format=yaml"),
    seed("PUT", "/v1/sensors?name=waf-block.yaml", body=SENSORS),
    seed("GET", "/v1/events?tail=5"),
    seed("GET", "/v1/events?tail=0&follow=1"),
    seed("GET", "/v1/events?tail=-1"),
    seed("GET", "/v1/events?tail=99999999999999999999999"),
    seed("GET", "/v1/events?tail=10000&follow=true"),
    seed("GET", "/v1/flows?limit=50"),
    seed("GET", "/v1/flows?limit=0"),
    seed("GET", "/v1/workloads"),
    seed("PUT", "/v1/workloads/web", body={"quarantine": True}),
    seed("PUT", "/v1/workloads/web", body={"mode": "monitor", "quarantine": False}),
    seed("PUT", "/v1/workloads/web", body={"quarantine": 1}),
    seed("PUT", "/v1/workloads/nosuch", body={"mode": "protect"}),
    seed("POST", "/v1/captures", body={"interface": "web", "filter": "tcp port 80", "packets": 1000}),
    seed("POST", "/v1/captures", body={"workload": "web", "seconds": 2.5, "bytes": 1 << 20, "snaplen": 128}),
    seed("POST", "/v1/captures", body={"interface": "web", "bytes": -1}),
    seed("POST", "/v1/captures", body='{"interface": "web", "seconds": 1e300}'),
    seed("POST", "/v1/captures", body={"interface": "web", "seconds": 1e11}),
    seed("POST", "/v1/captures", body={"interface": "web", "filter": 5}),
    seed("POST", "/v1/captures", body={"interface": "web", "packets": 1.5}),
    seed("POST", "/v1/captures", body={"interface": "web", "packets": True}),
    seed("POST", "/v1/captures", body='{"interface": "web", "packets": 18446744073709551615}'),
    seed("POST", "/v1/captures", body={"interface": "web", "filter": " or ".join(f"port {i}" for i in range(1, 800))}),
    seed("POST", "/v1/captures", body={"interface": "web", "packet": 10}),
    seed("POST", "/v1/captures", body="[1, 2]"),
    seed("POST", "/v1/captures", body="{"),
    seed("GET", "/v1/captures"),
    seed("GET", "/v1/captures/cap-1"),
    seed("GET", "/v1/captures/cap-1/pcap"),
    seed("POST", "/v1/captures/cap-1/stop"),
    seed("DELETE", "/v1/captures/cap-1"),
    seed("DELETE", "/v1/captures/cap-9"),
    seed("PATCH", "/v1/status"),
    seed("GET", "/nowhere?a=%zz&b&=c"),
    seed("BREW", "/v1/status"),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    for s in SEEDS:
        name = hashlib.sha1(s).hexdigest()[:16]
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(s)
    print(f"{len(SEEDS)} seeds in {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()

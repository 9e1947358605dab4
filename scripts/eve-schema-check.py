#!/usr/bin/python3
"""Validates Sluice's EVE records against Suricata's EVE JSON schema and prints, per event
type, how many records are valid.

    scripts/eve-schema-check.py --sluice .build/debug/sluice        # replay Tests/Captures
    scripts/eve-schema-check.py eve.json [more.json ...]            # records already written
    scripts/eve-schema-check.py --sluice BIN --errors 3 --strict    # why, and fail when invalid
    scripts/eve-schema-check.py --allow-suricata-gaps ...           # what Suricata 7 writes outside its schema passes

With --sluice, every capture under Tests/Captures (pcap and pcapng) is replayed with
`sluice replay --eve`, plus mixed.pcap under a whitelist policy in protect and in monitor mode
(policy records and policy alerts). The schema is Suricata 7.0.10's etc/schema.json, checked in
as Tests/Fixtures/suricata-eve-schema.json (see the README there). Needs Debian's
python3-jsonschema. `--json` prints the counts as one JSON object (EveSchemaTests reads it).
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The policy the replay tests use on mixed.pcap (Tests/EnforceTests/PolicyReplayTests.swift).
POLICY = """version: 1
mode: {mode}
default: deny
groups:
  clients: {{ cidrs: [10.77.0.0/24, "fd77::/64"] }}
  web:     {{ cidrs: [10.77.0.2/32, "fd77::2/128"] }}
  example: {{ fqdns: ["alpha.example.com"] }}
workloads:
  web: {{ group: web, mode: {mode}, sensors: [dlp-pii, waf-core] }}
rules:
  - {{ id: 10, from: clients, to: web, ports: [tcp/80], apps: [http], action: allow }}
  - {{ id: 20, from: clients, to: web, ports: [udp/53, tcp/53], apps: [dns], action: allow }}
  - {{ id: 30, from: clients, to: example, ports: [tcp/443], apps: [tls], action: allow }}
  - {{ id: 40, from: any, to: web, ports: [tcp/22], action: deny }}
"""


def allow_suricata_gaps(schema):
    """Adds to the schema what Suricata 7.0.10 itself writes but its schema leaves out, so
    records written exactly as Suricata writes them pass: DNS `grouped` NS and SOA lists and an
    answer's `soa` object (rust/src/dns/log.rs writes them; the 7.0.x schema has neither).
    Sluice keeps Suricata's output there rather than its schema (docs/eve.md)."""
    dns = schema["properties"]["dns"]["properties"]
    soa = dns["authorities"]["items"]["properties"]["soa"]
    dns["answers"]["items"]["properties"]["soa"] = soa
    dns["grouped"]["properties"]["NS"] = {"type": "array", "minItems": 1, "items": {"type": "string"}}
    dns["grouped"]["properties"]["SOA"] = {"type": "array", "minItems": 1, "items": soa}
    return schema


def captures(folder):
    found = []
    for dirpath, _, files in os.walk(folder):
        for f in files:
            if f.endswith(".pcap") or f.endswith(".pcapng"):
                found.append(os.path.join(dirpath, f))
    return sorted(found)


def replay(sluice, capture, out, extra=()):
    """Replays one capture; the EVE lines it wrote (a damaged capture's exit status is fine)."""
    subprocess.run([sluice, "replay", capture, "--eve", out, *extra],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    with open(out, encoding="utf-8", errors="replace") as f:
        return [(capture, line) for line in f if line.strip()]


def replayed_lines(sluice, folder, extra):
    lines = []
    with tempfile.TemporaryDirectory(prefix="sluice-eve-schema-") as tmp:
        out = os.path.join(tmp, "eve.json")
        for c in captures(folder):
            lines += replay(sluice, c, out, extra)
        mixed = os.path.join(folder, "real", "mixed.pcap")
        if os.path.exists(mixed):
            for mode in ("protect", "monitor"):
                policy = os.path.join(tmp, "policy.yaml")
                with open(policy, "w") as f:
                    f.write(POLICY.format(mode=mode))
                lines += [(mixed + " (policy " + mode + ")", l)
                          for _, l in replay(sluice, mixed, out, ["--policy", policy, *extra])]
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("eve", nargs="*", help="EVE files to validate")
    ap.add_argument("--sluice", help="replay Tests/Captures with this sluice binary")
    ap.add_argument("--captures", default=os.path.join(ROOT, "Tests", "Captures"))
    ap.add_argument("--schema", default=os.path.join(ROOT, "Tests", "Fixtures", "suricata-eve-schema.json"))
    ap.add_argument("--replay-arg", action="append", default=[], help="one more argument for sluice replay")
    ap.add_argument("--errors", type=int, default=0, help="print up to N distinct reasons per event type")
    ap.add_argument("--json", action="store_true", help="print the counts as one JSON object")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a record is invalid")
    ap.add_argument("--allow-suricata-gaps", action="store_true",
                    help="accept what Suricata 7 writes outside its own schema (DNS grouped NS/SOA, answers' soa)")
    args = ap.parse_args()
    try:
        import jsonschema
    except ImportError:
        print("eve-schema-check: python3-jsonschema is not installed", file=sys.stderr)
        return 2
    with open(args.schema) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    strict = cls(schema)
    validator = cls(allow_suricata_gaps(json.loads(json.dumps(schema)))) if args.allow_suricata_gaps else strict

    lines = []
    if args.sluice:
        lines += replayed_lines(args.sluice, args.captures, args.replay_arg)
    for path in args.eve:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines += [(path, l) for l in f if l.strip()]

    valid = collections.Counter()
    strict_valid = collections.Counter()
    total = collections.Counter()
    reasons = collections.defaultdict(collections.Counter)
    for source, line in lines:
        try:
            record = json.loads(line)
        except ValueError as e:
            total["(not JSON)"] += 1
            reasons["(not JSON)"][f"{e}"] += 1
            continue
        kind = record.get("event_type", "(none)") if isinstance(record, dict) else "(not an object)"
        total[kind] += 1
        errors = list(validator.iter_errors(record))
        if not errors:
            valid[kind] += 1
        if validator is strict and not errors or validator is not strict and strict.is_valid(record):
            strict_valid[kind] += 1
        for e in errors:
            where = "/".join(str(p) for p in e.absolute_path) or "(top)"
            reasons[kind][f"{where}: {e.message[:160]}"] += 1

    if args.json:
        print(json.dumps({"total": sum(total.values()), "valid": sum(valid.values()),
                          "strict_valid": sum(strict_valid.values()),
                          "types": {k: {"valid": valid[k], "strict_valid": strict_valid[k], "total": total[k]}
                                    for k in sorted(total)},
                          "reasons": {k: dict(reasons[k].most_common(args.errors or 5)) for k in sorted(reasons)}},
                         sort_keys=True))
    else:
        width = max([len(k) for k in total] + [10])
        for k in sorted(total):
            gaps = f"  ({strict_valid[k]} without the Suricata gaps)" if strict_valid[k] != valid[k] else ""
            print(f"{k:<{width}} {valid[k]:>5} / {total[k]:<5} valid{gaps}")
            for reason, n in reasons[k].most_common(args.errors):
                print(f"{'':<{width}}   {n:>4} x {reason}")
        print(f"{'all':<{width}} {sum(valid.values()):>5} / {sum(total.values()):<5} valid")
    if args.strict and sum(valid.values()) != sum(total.values()):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

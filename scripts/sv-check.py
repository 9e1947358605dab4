#!/usr/bin/python3
"""Runs suricata-verify cases (https://github.com/OISF/suricata-verify) against Sluice: each
case's capture is replayed with `sluice replay --eve`, and its test.yaml `filter` checks
(count, and match on dotted paths with suricata-verify's operators) are evaluated on the
records, as suricata-verify's run.py evaluates them on Suricata's.

    scripts/sv-check.py --sluice .build/debug/sluice                   # ../shared/suricata-verify/tests
    scripts/sv-check.py --sluice BIN --suite DIR --verbose              # why each case fails
    scripts/sv-check.py --sluice BIN --json                             # counts and passing cases

Sluice stands in for Suricata 7.0.10: a case (or a check) whose `requires` asks for another
version is skipped, as suricata-verify skips it on that version. The case's suricata.yaml
eve-log `types:` become `--eve-types`. Checks other than `filter` (shell, file-compare) are not
run. A case passes when every filter check it runs holds. Checks on alerts from the case's
Suricata rules fail: Sluice does not run Suricata rules; cases failing only on those are
counted apart. Needs python3-yaml.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SURICATA_VERSION = (7, 0, 10)
# The event types `sluice replay --eve-types` knows.
KNOWN_TYPES = {"alert", "flow", "policy", "http", "tls", "dns", "ssh", "mysql", "pgsql", "redis", "mongodb",
               "kafka", "cassandra", "zookeeper", "memcached", "amqp", "mqtt", "dhcp", "ntp"}
OPERATORS = ("__gt", "__gte", "__lt", "__lte")


def version(text):
    parts = [int(p) for p in re.findall(r"\d+", str(text))][:3]
    return tuple(parts + [0] * (3 - len(parts)))


def version_ok(requires):
    """Whether Suricata 7.0.10 meets a `requires` block's version conditions."""
    if not isinstance(requires, dict):
        return True
    if "min-version" in requires and SURICATA_VERSION < version(requires["min-version"]):
        return False
    if "lt-version" in requires and SURICATA_VERSION >= version(requires["lt-version"]):
        return False
    if "version" in requires:
        want = version(requires["version"])
        n = len(re.findall(r"\d+", str(requires["version"])))
        if SURICATA_VERSION[:n] != want[:n]:
            return False
    return True


def find_value(name, obj):
    """A dotted path (`dns.answers[0].rrname`, `x.__len`) in a record, as run.py reads it."""
    for part in name.split("."):
        if part == "__len":
            try:
                return len(obj)
            except TypeError:
                return -1
        if part in ("__contains", "__find", "__startswith", "__endswith") + OPERATORS:
            break
        m = re.match(r"^(.*)\[(\d+)\]$", part)
        key, index = (m.group(1), int(m.group(2))) if m else (part, None)
        if not isinstance(obj, dict) or key not in obj:
            return None
        obj = obj[key]
        if index is not None:
            try:
                obj = obj[index]
            except (IndexError, KeyError, TypeError):
                return None
    return obj


def matches(record, match):
    for key, expected in match.items():
        if key in ("has-key", "not-has-key"):
            keys = expected if isinstance(expected, list) else [expected]
            present = [find_value(k, record) is not None for k in keys]
            if key == "has-key" and not all(present) or key == "not-has-key" and any(present):
                return False
            continue
        val = find_value(key, record)
        suffix = key.rsplit(".", 1)[-1]
        try:
            if suffix == "__find":
                ok = val is not None and val.find(expected) >= 0
            elif suffix == "__contains":
                ok = val is not None and expected in val
            elif suffix == "__startswith":
                ok = val is not None and val.startswith(expected)
            elif suffix == "__endswith":
                ok = val is not None and val.endswith(expected)
            elif suffix in OPERATORS:
                numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (val, expected))
                ok = numbers and {"__gt": val > expected, "__gte": val >= expected,
                                  "__lt": val < expected, "__lte": val <= expected}[suffix] if numbers else False
            else:
                ok = val == expected
        except (AttributeError, TypeError):
            ok = False
        if not ok:
            return False
    return True


def eve_types(case_dir):
    """The eve-log `types:` of the case's suricata.yaml that Sluice writes, or None for all."""
    path = os.path.join(case_dir, "suricata.yaml")
    if not os.path.exists(path):
        return None
    import yaml
    try:
        with open(path) as f:
            text = f.read()
        # Suricata's YAML starts with a %YAML directive and may use tags; the outputs are plain.
        doc = yaml.safe_load(re.sub(r"^%YAML.*$", "", text, flags=re.M).replace("!include", ""))
    except Exception:
        return None
    for output in (doc or {}).get("outputs", []) or []:
        if not isinstance(output, dict) or "eve-log" not in output:
            continue
        types = (output["eve-log"] or {}).get("types")
        if not types:
            return None
        names = []
        for t in types:
            name = t if isinstance(t, str) else next(iter(t), None) if isinstance(t, dict) else None
            if name in KNOWN_TYPES:
                names.append(name)
        return names or ["flow"]
    return None


def find_pcap(case_dir, config):
    pcap = config.get("pcap")
    if pcap is False:
        return None
    if isinstance(pcap, str):
        path = os.path.normpath(os.path.join(case_dir, pcap))
        return path if os.path.exists(path) else None
    found = sorted(f for f in os.listdir(case_dir) if f.endswith(".pcap") or f.endswith(".pcapng"))
    return os.path.join(case_dir, found[0]) if found else None


def needs_rules(f):
    """Whether a filter looks for what a Suricata rule produces (an alert)."""
    m = f.get("match", {}) or {}
    return m.get("event_type") == "alert" or any(k.startswith("alert.") for k in m)


def run_case(sluice, case_dir, tmp, use_types=True):
    """(status, detail): status is pass, fail, rules (failed only on alert checks) or skip."""
    import yaml
    with open(os.path.join(case_dir, "test.yaml")) as f:
        config = yaml.safe_load(f) or {}
    if not version_ok(config.get("requires")):
        return "skip", "requires another Suricata version: %s" % config.get("requires")
    pcap = find_pcap(case_dir, config)
    if pcap is None:
        return "skip", "no capture"
    filters = [c["filter"] for c in config.get("checks", []) or [] if isinstance(c, dict) and "filter" in c]
    filters = [f for f in filters if version_ok(f.get("requires")) and "filename" not in f]
    if not filters:
        return "skip", "no filter check for this version"
    out = os.path.join(tmp, "eve.json")
    if os.path.exists(out):
        os.unlink(out)
    command = [sluice, "replay", pcap, "--eve", out, "--no-builtin-sensors"]
    types = eve_types(case_dir) if use_types else None
    if types:
        command += ["--eve-types", ",".join(types)]
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    records = []
    if os.path.exists(out):
        with open(out, encoding="utf-8", errors="replace") as f:
            records = [json.loads(l) for l in f if l.strip()]
    problems = []
    rules_only = True
    for f in filters:
        n = sum(1 for r in records if matches(r, f.get("match", {}) or {}))
        if n != f.get("count"):
            problems.append("want %s got %d: %s" % (f.get("count"), n, json.dumps(f.get("match"))[:200]))
            rules_only = rules_only and needs_rules(f)
    if not problems:
        return "pass", ""
    return ("rules" if rules_only else "fail"), "; ".join(problems)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sluice", required=True)
    ap.add_argument("--suite", default=os.path.join(os.path.dirname(ROOT), "shared", "suricata-verify", "tests"))
    ap.add_argument("--cases", nargs="*", help="only these cases (paths under the suite)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--no-eve-types", action="store_true",
                    help="ignore the cases' eve-log types (for a sluice without --eve-types)")
    args = ap.parse_args()
    try:
        import yaml  # noqa: F401
    except ImportError:
        print("sv-check: python3-yaml is not installed", file=sys.stderr)
        return 2
    if not os.path.isdir(args.suite):
        print("sv-check: no suricata-verify suite at %s" % args.suite, file=sys.stderr)
        return 3
    cases = []
    for dirpath, _, files in os.walk(args.suite):
        if "test.yaml" in files:
            cases.append(os.path.relpath(dirpath, args.suite))
    cases.sort()
    if args.cases:
        cases = [c for c in cases if c in set(args.cases)]
    results = {}
    with tempfile.TemporaryDirectory(prefix="sluice-sv-") as tmp:
        for c in cases:
            results[c] = run_case(args.sluice, os.path.join(args.suite, c), tmp, not args.no_eve_types)
    counts = {s: sum(1 for v in results.values() if v[0] == s) for s in ("pass", "fail", "rules", "skip")}
    if args.json:
        print(json.dumps({"cases": len(cases), **counts,
                          "passing": sorted(c for c, v in results.items() if v[0] == "pass")}, sort_keys=True))
    else:
        for c, (status, detail) in results.items():
            if args.verbose or status == "pass":
                print("%-5s %s%s" % (status, c, "  " + detail if detail and args.verbose else ""))
        print("suricata-verify: %d cases: %d pass, %d fail on Suricata rules' alerts only, %d fail otherwise, "
              "%d skipped (version or no capture)" % (len(cases), counts["pass"], counts["rules"], counts["fail"],
                                                      counts["skip"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Writes seed corpora for the loader fuzz targets (engineConfig, policy, sensorFile,
daemonConfig): the bundled configs, the built-in sensor sets' YAML, and hand-made attacks
(alias bombs, numbers that overflow, deep nesting, huge lists) that the loaders must reject
with a located error.

Usage: scripts/fuzz-config-seeds.py
Seeds are named by content hash, so running it again adds nothing twice.
"""
import glob, hashlib, os, re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "Tests", "Fuzz", "corpus")


def save(target, text):
    data = text.encode() if isinstance(text, str) else text
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha256(data).hexdigest()[:16]), "wb") as f:
        f.write(data)


def read(path):
    with open(os.path.join(ROOT, path)) as f:
        return f.read()


def laughs(levels, width, as_keys):
    """Billion laughs: each level a list of `width` aliases of the one before; with
    `as_keys`, the aliases are used as mapping keys (which Yams hashes)."""
    lines = ['a0: &a0 "lol"']
    for i in range(1, levels):
        refs = ", ".join(f"*a{i-1}" for _ in range(width))
        lines.append(f"a{i}: &a{i} [{refs}]")
    if as_keys:
        lines.append(f"top: {{ ? *a{levels-1} : *a{levels-1} }}")
    else:
        lines.append(f"top: *a{levels-1}")
    return "\n".join(lines) + "\n"


BOMBS = [laughs(9, 9, True), laughs(9, 9, False), laughs(4, 4, True),
         "a: " + "[" * 200 + "]" * 200 + "\n", "a: " + "{x: " * 100 + "1" + "}" * 100 + "\n",
         "a: &x [*x]\n", "a: *undefined\n", "--- a\n--- b\n", "\t:\n", "a: !!binary Zm9v\n"]

OVERFLOW_ENGINE = [
    "flow:\n  capacity: 99999999999999999999999\n",
    "flow:\n  timeouts:\n    tcp_new: 9223372036854775807h\n",
    "flow:\n  timeouts:\n    tcp_established: -1\n",
    "stream:\n  pool: 9223372036854775807GiB\n",
    "stream:\n  per_flow: 18446744073709551616\n",
    "defrag:\n  timeout: 4000000000000000000m\n",
    "sensors:\n  stream_depth: -9223372036854775808\n  compile_timeout: 999999999999h\n",
    "sensors:\n  files: [/dev/zero]\n  compile_memory: 1TiB\n",
    "app_layer:\n  http:\n    max_decompressed_body: 1e99\n",
]

OVERFLOW_DAEMON = [
    "interfaces: [{name: a, mode: tap, interface: eth0}]\ncaptures:\n  disk_budget: 99999999999999999999TiB\n",
    "interfaces: [{name: a, mode: tap, interface: eth0}]\nworkers: 18446744073709551617\n",
    "interfaces: [{name: a, mode: tap, interface: eth0}]\nfail_after_ms: -99999999999999999999\n",
    "interfaces: [{name: a, mode: inline, pair: [x, x]}]\n",
]

POLICY_ATTACKS = [
    "version: 1\nrules:\n  - {id: 99999999999999999999, from: any, to: any, action: allow}\n",
    "version: 1\nrules:\n  - {id: 1, from: any, to: any, ports: ['tcp/0-99999999999'], action: allow}\n",
    "version: 1\ngroups:\n  g: {cidrs: [10.0.0.0/99999999999999999999]}\n",
    "version: 1\ngroups:\n" + "".join(f"  g{i}: {{cidrs: [10.{i}.0.0/16, 0.0.0.0/0]}}\n" for i in range(40))
    + "rules:\n  - {id: 1, from: [" + ", ".join(f"g{i}" for i in range(40)) + "], to: [" + ", ".join(f"g{i}" for i in range(40)) + "], action: allow}\n",
]

SENSOR_ATTACKS = [
    "sensors:\n  - name: s\n    rules:\n      - {id: 1, name: wide, context: body, patterns: ['.{3000}']}\n",
    "sensors:\n  - name: s\n    rules:\n      - {id: 1, name: wide, context: body, patterns: ['a.{0,9000}b']}\n",
    "sensors:\n  - name: s\n    rules:\n      - {id: 99999999999999999999, name: x, context: url, pattern: a}\n",
    "sensors:\n  - name: s\n    rules:\n      - {id: 1, name: x, context: url, pattern: '(', severity: 300}\n",
    "sensors:\n  - name: s\n    rules:\n" + "".join(f"      - {{id: {i}, name: r{i}, context: url, pattern: 'x{i}y'}}\n" for i in range(1, 60)),
]


def main():
    for p in ["configs/engine.yaml"]:
        save("engineConfig", read(p))
    for p in ["configs/sidecar.yaml", "configs/node.yaml"]:
        save("daemonConfig", read(p))
    for p in ["configs/policy.yaml", "configs/control.yaml"]:
        save("policy", read(p))
    save("sensorFile", read("configs/sensors-example.yaml"))
    # The built-in sets' YAML, as embedded in Sources/Sensors/BuiltIn.
    for path in sorted(glob.glob(os.path.join(ROOT, "Sources/Sensors/BuiltIn/BuiltInSensors+*.swift"))):
        m = re.search(r'"""\n(.*?)\n\s*"""', open(path).read(), re.S)
        if m:
            save("sensorFile", "\n".join(line[4:] if line.startswith("    ") else line for line in m.group(1).split("\n")) + "\n")
    for t in ["engineConfig", "daemonConfig", "policy", "sensorFile"]:
        for b in BOMBS:
            save(t, b)
    for s in OVERFLOW_ENGINE:
        save("engineConfig", s)
    for s in OVERFLOW_DAEMON:
        save("daemonConfig", s)
    for s in POLICY_ATTACKS:
        save("policy", s)
    for s in SENSOR_ATTACKS:
        save("sensorFile", s)


if __name__ == "__main__":
    main()

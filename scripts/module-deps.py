#!/usr/bin/env python3
"""Prints the modules each named target pulls in, transitively, from `swift package describe`.

    swift package describe --type json > /tmp/pkg.json
    python3 scripts/module-deps.py /tmp/pkg.json Policy ControlAPI

docs/architecture.md ("Module layering") quotes its output; rerun it when Package.swift changes.
"""
import json
import sys


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 64
    with open(sys.argv[1]) as f:
        targets = {t["name"]: t for t in json.load(f)["targets"]}
    for name in sys.argv[2:]:
        if name not in targets:
            print(f"{name}: no such target", file=sys.stderr)
            return 1
        modules, products, todo = set(), set(), [name]
        while todo:
            t = targets[todo.pop()]
            products.update(t.get("product_dependencies", []))
            for d in t.get("target_dependencies", []):
                if d not in modules:
                    modules.add(d)
                    todo.append(d)
        swift = sorted(m for m in modules if targets[m].get("module_type") == "SwiftTarget")
        c = sorted(m for m in modules if targets[m].get("module_type") != "SwiftTarget")
        print(f"{name}: {len(swift)} Swift modules: {', '.join(swift) or '-'}")
        print(f"  C modules: {', '.join(c) or '-'}; packages: {', '.join(sorted(products)) or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

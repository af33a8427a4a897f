#!/usr/bin/env python3
"""The benchmark table (bench/results/table-latest.txt, written by bench/table.sh) as Markdown
for docs/performance.md: one table per database with requests/s (p50 / p99 ms) per case and worker
count, the NIO ceiling on top; then memory per worker and time to ready.

  markdown.py [TABLE]
"""
import sys
from collections import OrderedDict

COLUMNS = ["server", "wkr", "auth", "case", "rps", "p50", "p99", "mib", "ready", "errors"]


def rows(path):
    out = []
    with open(path) as f:
        for line in f:
            if line.startswith("#") or line.startswith("server"):
                continue
            parts = line.split()
            if len(parts) < 10:
                continue
            # The case name has spaces: the first three fields and the last six frame it.
            fields = parts[:3] + [" ".join(parts[3:-6])] + parts[-6:]
            out.append(dict(zip(COLUMNS, fields)))
    return out


def cell(row):
    if row is None:
        return "–"
    errors = "" if row["errors"] == "0" else f", {row['errors']} errors"
    return f"{int(row['rps']):,} ({row['p50']} / {row['p99']}{errors})"


def main(path):
    table = rows(path)
    workers = sorted({int(r["wkr"]) for r in table})
    index = {(r["server"], int(r["wkr"]), r["auth"], r["case"]): r for r in table}
    ceiling = [index.get(("nio-hello", w, "-", "GET /")) for w in workers]
    header = "| case | auth | " + " | ".join(f"{w} worker{'s' if w > 1 else ''}" for w in workers) + " |"
    rule = "|---|---|" + "---|" * len(workers)
    for server in OrderedDict.fromkeys(r["server"] for r in table if r["server"] != "nio-hello"):
        print(f"**{server}**: requests/s (p50 / p99 ms)\n")
        print(header)
        print(rule)
        print("| bare NIO hello world (ceiling) | – | " + " | ".join(cell(c) for c in ceiling) + " |")
        mine = [r for r in table if r["server"] == server]
        for case in OrderedDict.fromkeys(r["case"] for r in mine):
            for auth in sorted({r["auth"] for r in mine if r["case"] == case}):
                print(f"| {case} | {auth} | " + " | ".join(cell(index.get((server, w, auth, case))) for w in workers) + " |")
        print()
    print("Memory per worker after the run (MiB) and time from `serve` to every worker serving (s):\n")
    print("| server | auth | " + " | ".join(f"{w} worker{'s' if w > 1 else ''}" for w in workers) + " |")
    print(rule)
    last = {(r["server"], r["auth"], int(r["wkr"])): r for r in table}   # a server's last case, after all its work
    for (server, auth) in OrderedDict.fromkeys((r["server"], r["auth"]) for r in table):
        found = [last.get((server, auth, w)) for w in workers]
        cells = [f"{r['mib']} MiB, {r['ready']} s" if r else "–" for r in found]
        print(f"| {server} | {auth} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    if len(sys.argv) > 2:
        sys.exit(__doc__)
    main(sys.argv[1] if len(sys.argv) == 2 else "bench/results/table-latest.txt")

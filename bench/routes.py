#!/usr/bin/env python3
"""Per-operation latency from two scrapes of the registry's Prometheus text (GET /metrics).

  routes.py BEFORE AFTER
  routes.py --p99 PREFIX [PREFIX...] BEFORE AFTER

Prints, for each method and route pattern answered between the scrapes: requests, statuses,
mean, and p50/p99/max-bucket estimated from the pyrmute_http_request_duration_seconds histogram
(linear inside a bucket, so a quantile is as precise as the buckets: 1, 2.5, 5, 10, 25, 50,
100, 250, 500 ms, 1, 2.5, 5, 10 s). With --p99, prints only, for each PREFIX, the p99 in ms over
the operations whose "METHOD ROUTE" starts with it (e.g. "GET /schemas": every schema read).
"""
import re
import sys
from collections import defaultdict

LINE = re.compile(r'^pyrmute_http_request_duration_seconds_(bucket|sum|count)\{(.*)\} (\S+)$')
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def scrape(path):
    """{(method, route, status): {"buckets": {le: cumulative}, "sum": s, "count": n}}"""
    series = defaultdict(lambda: {"buckets": {}, "sum": 0.0, "count": 0})
    with open(path) as f:
        for line in f:
            match = LINE.match(line.strip())
            if not match:
                continue
            kind, labels, value = match.groups()
            labels = dict(LABEL.findall(labels))
            entry = series[(labels["method"], labels["route"], labels["status"])]
            if kind == "bucket":
                entry["buckets"][float(labels["le"])] = float(value)
            elif kind == "sum":
                entry["sum"] = float(value)
            else:
                entry["count"] = int(float(value))
    return series


def quantile(buckets, q):
    """buckets: sorted [(upper bound, count in bucket)]; q in 0..1; seconds."""
    total = sum(n for _, n in buckets)
    if total == 0:
        return 0.0
    rank, seen, lower = q * total, 0.0, 0.0
    for upper, n in buckets:
        if n and seen + n >= rank:
            if upper == float("inf"):
                return lower
            return lower + (upper - lower) * (rank - seen) / n
        seen += n
        lower = upper
    return lower


def operations(before_path, after_path):
    before, after = scrape(before_path), scrape(after_path)
    ops = defaultdict(lambda: {"count": 0, "sum": 0.0, "statuses": defaultdict(int), "buckets": defaultdict(float)})
    for key, now in after.items():
        then = before.get(key, {"buckets": {}, "sum": 0.0, "count": 0})
        count = now["count"] - then["count"]
        if count <= 0:
            continue
        method, route, status = key
        op = ops[(method, route)]
        op["count"] += count
        op["sum"] += now["sum"] - then["sum"]
        op["statuses"][status] += count
        previous = 0.0
        for le in sorted(now["buckets"]):
            cumulative = now["buckets"][le] - then["buckets"].get(le, 0.0)
            op["buckets"][le] += cumulative - previous
            previous = cumulative
    return ops


def p99_of(prefixes, before_path, after_path):
    ops = operations(before_path, after_path)
    figures = []
    for prefix in prefixes:
        merged = defaultdict(float)
        for (method, route), op in ops.items():
            if f"{method} {route}".startswith(prefix):
                for le, n in op["buckets"].items():
                    merged[le] += n
        figures.append("%.2f" % (1000 * quantile(sorted(merged.items()), 0.99)))
    print(" ".join(figures))


def table(before_path, after_path):
    ops = operations(before_path, after_path)
    fmt = "  %-6s %-44s %8s %9s %9s %9s %9s  %s"
    print(fmt % ("method", "route", "requests", "mean ms", "p50 ms", "p99 ms", "max ≤ ms", "statuses"))
    for (method, route), op in sorted(ops.items(), key=lambda item: -item[1]["count"]):
        buckets = sorted(op["buckets"].items())
        top = max((le for le, n in buckets if n > 0), default=0.0)
        statuses = " ".join(f"{s}×{n}" for s, n in sorted(op["statuses"].items()))
        print(fmt % (method, route, op["count"], "%.2f" % (1000 * op["sum"] / op["count"]),
                     "%.2f" % (1000 * quantile(buckets, 0.5)), "%.2f" % (1000 * quantile(buckets, 0.99)),
                     "inf" if top == float("inf") else "%g" % (1000 * top), statuses))


if __name__ == "__main__":
    if len(sys.argv) >= 5 and sys.argv[1] == "--p99":
        p99_of(sys.argv[2:-2], *sys.argv[-2:])
    elif len(sys.argv) == 3:
        table(*sys.argv[1:])
    else:
        sys.exit(__doc__)

#!/usr/bin/env python3
"""A steady client beside the load: reads seeded versions over a few kept-alive connections,
one request at a time with a 10 ms pause, for SECONDS; prints "p50 p99 max count" in ms.

  probe.py PORT SECONDS VERSIONS [CONNECTIONS]     (VERSIONS comma-separated, as seed.py grid)

Its latencies are what a client of the server sees under the load, without wrk's
coordinated-omission correction. With PYRMUTE_BENCH_KEY set, requests carry it as X-API-Key.
"""
import http.client
import os
import random
import sys
import threading
import time


def main(port, seconds, versions, connections=4):
    headers = {"X-API-Key": os.environ["PYRMUTE_BENCH_KEY"]} if os.environ.get("PYRMUTE_BENCH_KEY") else {}
    versions = versions.split(",")
    latencies, failures, lock = [], [], threading.Lock()
    deadline = time.monotonic() + seconds

    def run():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.monotonic() < deadline:
            path = "/schemas/ns%02d/model%02d/versions/%s" % (random.randrange(20), random.randrange(10), random.choice(versions))
            started = time.monotonic()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            with lock:
                (latencies if ok else failures).append(time.monotonic() - started)
            time.sleep(0.01)

    threads = [threading.Thread(target=run) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        sys.exit(f"probe: {len(failures)} failed requests")
    latencies.sort()
    n = len(latencies)
    if n == 0:
        sys.exit("probe: no requests")
    pick = lambda q: 1000 * latencies[min(n - 1, int(q * n))]
    print("%.2f %.2f %.2f %d" % (pick(0.5), pick(0.99), 1000 * latencies[-1], n))


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    main(int(sys.argv[1]), float(sys.argv[2]), sys.argv[3], *(int(a) for a in sys.argv[4:]))

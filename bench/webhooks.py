"""Webhook delivery latency and the cost of webhooks for registration (issue 17).

Usage: webhooks.py BASE_URL [--webhooks N] [--registrations M] [--clients C]

Against a running server started with PYRMUTE_REGISTRY_WEBHOOK_ALLOW_PRIVATE=true (and auth off):
starts a receiver on loopback, creates N webhooks to it (`*`), registers M schemas from C client
threads, and prints the registration throughput and, with N > 0, the latency from an event's
`occurred_at` (taken in the writing transaction, just before its commit) to its receipt: p50, p99,
max. Run it with --webhooks 0 and --webhooks 3 on fresh databases for the comparison.
"""

import argparse
import json
import threading
import time
import urllib.request
import uuid
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("base")
parser.add_argument("--webhooks", type=int, default=3)
parser.add_argument("--registrations", type=int, default=500)
parser.add_argument("--clients", type=int, default=8)
args = parser.parse_args()

latencies = []
received = 0
lock = threading.Lock()


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive, as most receivers: one connection per webhook

    def do_POST(self):
        global received
        now = time.time()
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        occurred = datetime.fromisoformat(body["occurred_at"].replace("Z", "+00:00")).timestamp()
        with lock:
            latencies.append(now - occurred)
            received += 1
        self.send_response(204)
        self.end_headers()

    def log_message(self, *a):
        pass


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(args.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
threading.Thread(target=server.serve_forever, daemon=True).start()
for i in range(args.webhooks):
    call("POST", "/webhooks", {"url": f"http://127.0.0.1:{server.server_port}/hook/{i}", "events": ["*"]})

if args.webhooks:
    time.sleep(1.5)   # the deliverer looks for active webhooks once a second while there is none

run = uuid.uuid4().hex[:8]
per_client = args.registrations // args.clients


def client(c):
    for v in range(per_client):
        call("POST", f"/schemas/bench{run}/M{c}/versions",
             {"version": f"1.0.{v}", "json_schema": {"type": "object"}, "registered_by": "bench"})


started = time.time()
threads = [threading.Thread(target=client, args=(c,)) for c in range(args.clients)]
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.time() - started
total = per_client * args.clients
print(f"registrations: {total} in {elapsed:.2f} s = {total / elapsed:.1f}/s ({args.clients} clients, {args.webhooks} webhooks)")

expected = total * args.webhooks
deadline = time.time() + 300
while args.webhooks and received < expected and time.time() < deadline:
    time.sleep(0.1)
if args.webhooks:
    values = sorted(latencies)
    def pct(p):
        return values[min(len(values) - 1, int(p * len(values)))] * 1000
    print(f"deliveries: {received}/{expected}; commit to receipt p50 {pct(0.5):.0f} ms, p99 {pct(0.99):.0f} ms, "
          f"max {values[-1] * 1000:.0f} ms")

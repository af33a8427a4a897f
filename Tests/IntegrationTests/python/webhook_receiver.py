"""A webhook receiver for the tests of issue 17: verifies every delivery with the Standard
Webhooks reference library (PyPI `standardwebhooks`) and appends what it got to a JSON-lines file.

Usage: webhook_receiver.py PORT DIRECTORY. DIRECTORY/secrets.json maps a path to the secrets that
may sign for it (re-read on each request); each delivery appends one line to
DIRECTORY/deliveries.jsonl: {"path", "host", "event_id", "type", "valid", "error", "signatures"}.
What it answers depends on the path's first segment: /ok/… 200, /gone/… 410, /fail/… 500,
/slow/… 200 after 4 s, /big/… 200 with a 1 MiB body, /redirect/… 307 to /ok/redirected.
Prints "ready" once it listens.
"""

import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook

port = int(sys.argv[1])
directory = sys.argv[2]
lock = threading.Lock()


def secrets_for(path):
    try:
        with open(os.path.join(directory, "secrets.json")) as f:
            return json.load(f).get(path, [])
    except (OSError, ValueError):
        return []


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        headers = {k.lower(): v for k, v in self.headers.items()}
        valid, error, event = False, None, {}
        candidates = secrets_for(self.path)
        for secret in candidates:
            try:
                event = Webhook(secret).verify(body, headers)
                valid = True
                break
            except Exception as e:  # noqa: BLE001 - any refusal is recorded
                error = repr(e)
        if not candidates:
            error = "no secret for " + self.path
            try:
                event = json.loads(body)
            except ValueError:
                event = {}
        record = {"path": self.path, "host": headers.get("host"), "event_id": event.get("id"), "type": event.get("type"), "valid": valid,
                  "error": error, "webhook_id": headers.get("webhook-id"),
                  "signatures": len(headers.get("webhook-signature", "").split()), "event": event}
        kind = self.path.strip("/").split("/")[0]
        with lock:
            with open(os.path.join(directory, "deliveries.jsonl"), "a") as f:
                f.write(json.dumps(record) + "\n")
        if kind == "slow":
            time.sleep(4)
        status = {"ok": 200, "slow": 200, "big": 200, "gone": 410, "fail": 500, "redirect": 307}.get(kind, 404)
        payload = b"x" * (1 << 20) if kind == "big" else b"{}"
        self.send_response(status)
        if kind == "redirect":
            self.send_header("Location", "/ok/redirected")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        try:
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
print("ready", flush=True)
server.serve_forever()

"""An OTLP/HTTP trace receiver for TracingTests (issue 19): decodes each export request with the
OpenTelemetry protocol's own Python bindings (PyPI `opentelemetry-proto`) and appends every span to
a JSON-lines file.

Usage: otlp_receiver.py PORT DIRECTORY. Writes, in DIRECTORY:
- requests.jsonl: one line per request of any kind ({"method", "path", "content_type"}): whatever
  the server sends, including what this receiver cannot decode, is counted;
- spans.jsonl: one line per span received on POST /v1/traces: {"trace_id", "span_id",
  "parent_span_id" (hex, "" for a root), "name", "kind" (the protocol's number: 2 server, 3 client,
  1 internal), "status" (0 unset, 1 ok, 2 error), "attributes", "resource"} (attribute values as
  JSON values);
- hooks.jsonl: any other POST (the webhook deliveries the tests point here): {"path", "headers"}.
Answers /v1/traces with an empty ExportTraceServiceResponse, other POSTs with 200. Prints "ready".
"""

import gzip
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

port = int(sys.argv[1])
directory = sys.argv[2]
lock = threading.Lock()


def append(name, record):
    with lock:
        with open(os.path.join(directory, name), "a") as f:
            f.write(json.dumps(record) + "\n")


def value(any_value):
    kind = any_value.WhichOneof("value")
    if kind == "array_value":
        return [value(v) for v in any_value.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: value(kv.value) for kv in any_value.kvlist_value.values}
    if kind == "bytes_value":
        return any_value.bytes_value.hex()
    return getattr(any_value, kind) if kind else None


def attributes(pairs):
    return {kv.key: value(kv.value) for kv in pairs}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("Content-Encoding", "") == "gzip":
            body = gzip.decompress(body)
        append("requests.jsonl", {"method": "POST", "path": self.path,
                                  "content_type": self.headers.get("Content-Type", "")})
        if self.path != "/v1/traces":
            append("hooks.jsonl", {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}})
            self.answer(200, b"{}", "application/json")
            return
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        for resource_spans in request.resource_spans:
            resource = attributes(resource_spans.resource.attributes)
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    append("spans.jsonl", {
                        "trace_id": span.trace_id.hex(), "span_id": span.span_id.hex(),
                        "parent_span_id": span.parent_span_id.hex(), "name": span.name, "kind": span.kind,
                        "status": span.status.code, "attributes": attributes(span.attributes),
                        "resource": resource,
                    })
        self.answer(200, ExportTraceServiceResponse().SerializeToString(), "application/x-protobuf")

    def do_GET(self):
        append("requests.jsonl", {"method": "GET", "path": self.path, "content_type": ""})
        self.answer(404, b"", "text/plain")

    def answer(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
print("ready", flush=True)
server.serve_forever()

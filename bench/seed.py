#!/usr/bin/env python3
"""Seeds the registry over HTTP.

  seed.py grid PORT NAMESPACES MODELS VERSIONS   ns00.. × model00.. × VERSIONS (comma-separated)
  seed.py model PORT NS MODEL COUNT              one model, COUNT versions, shuffled
  seed.py template                               a json_schema body (for the register case)

With PYRMUTE_BENCH_KEY set, every request carries it as X-API-Key.
"""
import http.client
import json
import os
import random
import sys
import threading
import time

THREADS = 8
HEADERS = {"Content-Type": "application/json"}
if os.environ.get("PYRMUTE_BENCH_KEY"):
    HEADERS["X-API-Key"] = os.environ["PYRMUTE_BENCH_KEY"]


def schema(ns, model, version):
    """A realistic JSON Schema of about 1.5 KB."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://schemas.example.com/{ns}/{model}/{version}.json",
        "title": f"{ns}.{model}",
        "description": f"A {model} record as published by the {ns} service (schema {version}).",
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid", "description": "Stable identifier assigned at creation."},
            "created_at": {"type": "string", "format": "date-time", "description": "When the record was stored (UTC)."},
            "status": {"type": "string", "enum": ["pending", "active", "suspended", "closed"],
                       "description": "Lifecycle state."},
            "amount": {"type": "number", "minimum": 0, "description": "Total in minor currency units."},
            "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217 currency code."},
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 64}, "uniqueItems": True,
                     "description": "Free-form labels."},
            "owner": {
                "type": "object",
                "description": "The account the record belongs to.",
                "properties": {
                    "user_id": {"type": "integer", "minimum": 1, "description": "Numeric account id."},
                    "email": {"type": "string", "format": "email", "description": "Contact address."},
                    "address": {
                        "type": "object",
                        "properties": {
                            "street": {"type": "string", "maxLength": 200},
                            "city": {"type": "string", "maxLength": 100},
                            "postal_code": {"type": "string", "maxLength": 20},
                            "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
                        },
                        "required": ["city", "country"],
                        "additionalProperties": False,
                    },
                },
                "required": ["user_id", "email"],
            },
        },
        "required": ["id", "created_at", "status", "owner"],
        "additionalProperties": False,
    }


def post_all(port, items):
    """POSTs every (ns, model, version) from THREADS threads; returns {status: count}."""
    statuses, lock, errors = {}, threading.Lock(), []

    def worker(chunk):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            for ns, model, version in chunk:
                body = json.dumps({"version": version, "json_schema": schema(ns, model, version),
                                   "registered_by": "bench"})
                conn.request("POST", f"/schemas/{ns}/{model}/versions", body, HEADERS)
                response = conn.getresponse()
                response.read()
                with lock:
                    statuses[response.status] = statuses.get(response.status, 0) + 1
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(items[i::THREADS],)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        statuses["error"] = len(errors)
        print(f"seed: {errors[0]}", file=sys.stderr)
    return statuses


def main():
    mode = sys.argv[1]
    if mode == "template":
        print(json.dumps(schema("bench-writes", "model", "1.0.0")))
        return
    port = int(sys.argv[2])
    if mode == "grid":
        namespaces, models, versions = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5].split(",")
        items = [(f"ns{n:02d}", f"model{m:02d}", v)
                 for n in range(namespaces) for m in range(models) for v in versions]
    elif mode == "model":
        ns, model, count = sys.argv[3], sys.argv[4], int(sys.argv[5])
        # 1.0.0 … 10.9.99: numeric order differs from text order ("10.9.99" is the latest).
        items = [(ns, model, f"{1 + i // 1000}.{(i // 100) % 10}.{i % 100}") for i in range(count)]
        random.Random(42).shuffle(items)
    else:
        sys.exit(f"unknown mode {mode}")
    started = time.monotonic()
    statuses = post_all(port, items)
    elapsed = time.monotonic() - started
    print(f"{len(items)} versions in {elapsed:.2f} s ({len(items) / elapsed:.0f}/s), statuses "
          + " ".join(f"{k}:{v}" for k, v in sorted(statuses.items(), key=str)))
    sys.exit(0 if statuses == {201: len(items)} else 1)


main()

#!/usr/bin/env python3
"""Schemas, seeding and answer summaries for bench/compat.sh (stdlib only).

  compat.py register-schema                     the 20-property json_schema of the register case,
                                                without its description (bench/lua/compat.lua
                                                puts the version there)
  compat.py seed PORT NS MODEL COUNT PROPS [avro]
                                                COUNT versions 1.0.0 … 1.0.<COUNT-1> of a
                                                PROPS-property schema (and a PROPS-field Avro
                                                record with "avro"), one at a time, in order
  compat.py body VERSION PROPS [avro]           the dry-run body: the same schema plus one optional
                                                property (field with a default), as version VERSION
  compat.py summary FILE                        one line about a dry-run answer saved in FILE

Every seeded version differs from the others by its root description (Avro: doc), so that no
comparison is cut short by two equal documents; the properties themselves are equal. The dry-run
body adds one optional property (JSON Schema, closed content model) and one field with a default
(Avro): compatible both ways under BACKWARD, two non-breaking messages per version compared.

With PYRMUTE_BENCH_KEY set, every request carries it as X-API-Key.
"""
import http.client
import json
import os
import sys
import time

HEADERS = {"Content-Type": "application/json"}
if os.environ.get("PYRMUTE_BENCH_KEY"):
    HEADERS["X-API-Key"] = os.environ["PYRMUTE_BENCH_KEY"]


def json_property(i):
    """Property p<i>: one of eight shapes, in turn."""
    kind = i % 8
    if kind == 0:
        return {"type": "string", "maxLength": 200, "description": f"Text field {i}."}
    if kind == 1:
        return {"type": "integer", "minimum": 0, "description": f"Counter {i}."}
    if kind == 2:
        return {"type": "number", "minimum": 0, "maximum": 1000000}
    if kind == 3:
        return {"type": "boolean", "default": False}
    if kind == 4:
        return {"type": "string", "enum": ["pending", "active", "suspended", "closed"]}
    if kind == 5:
        return {"type": "array", "items": {"type": "string", "maxLength": 64}, "uniqueItems": True}
    if kind == 6:
        return {"type": "string", "format": "date-time"}
    return {
        "type": "object",
        "properties": {
            "street": {"type": "string", "maxLength": 200},
            "city": {"type": "string", "maxLength": 100},
            "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
        },
        "required": ["city", "country"],
        "additionalProperties": False,
    }


def json_schema(props, description, extra=False):
    """An object of PROPS properties p000 …, a third of them required, closed content model."""
    names = [f"p{i:03d}" for i in range(props)]
    properties = {name: json_property(i) for i, name in enumerate(names)}
    if extra:
        properties[f"p{props:03d}"] = {"type": "string", "maxLength": 40, "description": "Added later."}
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "BenchRecord"}
    if description is not None:
        schema["description"] = description
    schema.update({
        "type": "object",
        "properties": properties,
        "required": names[::3],
        "additionalProperties": False,
    })
    return schema


def avro_field(i):
    """Field f<i>: one of eight shapes, in turn (named types get names of their own)."""
    kind = i % 8
    name = f"f{i:03d}"
    if kind == 0:
        return {"name": name, "type": "string"}
    if kind == 1:
        return {"name": name, "type": "int"}
    if kind == 2:
        return {"name": name, "type": "double", "default": 0.0}
    if kind == 3:
        return {"name": name, "type": "boolean", "default": False}
    if kind == 4:
        return {"name": name, "type": {"type": "enum", "name": f"Status{i:03d}",
                                       "symbols": ["PENDING", "ACTIVE", "SUSPENDED", "CLOSED"],
                                       "default": "PENDING"}}
    if kind == 5:
        return {"name": name, "type": {"type": "array", "items": "string"}, "default": []}
    if kind == 6:
        return {"name": name, "type": ["null", {"type": "long", "logicalType": "timestamp-millis"}],
                "default": None}
    return {"name": name, "type": {"type": "record", "name": f"Address{i:03d}", "fields": [
        {"name": "street", "type": ["null", "string"], "default": None},
        {"name": "city", "type": "string"},
        {"name": "country", "type": "string"},
    ]}}


def avro_schema(props, doc, extra=False):
    fields = [avro_field(i) for i in range(props)]
    if extra:
        fields.append({"name": f"f{props:03d}", "type": ["null", "string"], "default": None})
    return {"type": "record", "name": "BenchRecord", "namespace": "com.example.bench", "doc": doc,
            "fields": fields}


def version_body(version, props, avro, extra=False):
    body = {"version": version,
            "json_schema": json_schema(props, f"A bench record (schema {version}).", extra),
            "registered_by": "bench"}
    if avro:
        body["avro_schema"] = avro_schema(props, f"A bench record (schema {version}).", extra)
    return body


def seed(port, ns, model, count, props, avro):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    statuses = {}
    started = time.monotonic()
    size = 0
    for i in range(count):
        body = json.dumps(version_body(f"1.0.{i}", props, avro))
        size = len(body)
        conn.request("POST", f"/schemas/{ns}/{model}/versions", body, HEADERS)
        response = conn.getresponse()
        text = response.read()
        statuses[response.status] = statuses.get(response.status, 0) + 1
        if response.status != 201 and statuses[response.status] == 1:
            print(f"seed: {response.status} {text[:300]!r}", file=sys.stderr)
    conn.close()
    elapsed = time.monotonic() - started
    print(f"{count} versions of {props} properties{' + Avro' if avro else ''} ({size} B each) in "
          f"{elapsed:.1f} s, statuses " + " ".join(f"{k}:{v}" for k, v in sorted(statuses.items())))
    return statuses == {201: count}


def summary(path):
    with open(path, "rb") as f:
        raw = f.read()
    try:
        answer = json.loads(raw)
        messages = answer.get("messages", [])
        breaking = sum(1 for m in messages if m.get("breaking"))
        kinds = sorted({m.get("schema", "?") for m in messages})
        print(f"compatible={str(answer.get('compatible')).lower()} level={answer.get('level')} "
              f"checked={len(answer.get('checked_against', []))} messages={len(messages)} "
              f"breaking={breaking} schemas={','.join(kinds) or '-'} answer={len(raw)}B")
    except (ValueError, AttributeError):
        print(f"not a dry-run answer: {raw[:200]!r}")


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "register-schema":
        print(json.dumps(json_schema(20, None)))
    elif mode == "seed":
        port, ns, model, count, props = int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
        avro = len(sys.argv) > 7 and sys.argv[7] == "avro"
        sys.exit(0 if seed(port, ns, model, count, props, avro) else 1)
    elif mode == "body":
        version, props = sys.argv[2], int(sys.argv[3])
        avro = len(sys.argv) > 4 and sys.argv[4] == "avro"
        print(json.dumps(version_body(version, props, avro, extra=True)))
    elif mode == "summary":
        summary(sys.argv[2])
    else:
        sys.exit(__doc__)


main()

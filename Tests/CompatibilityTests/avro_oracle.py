"""The differential oracle of AvroDifferentialTests: Apache avro's reader/writer compatibility checker.

stdin:  {"pairs": [[old_schema, new_schema], ...]}  (schemas in their JSON form)
stdout: [{"backward": bool, "forward": bool}, ...]  or  {"error": "..."} for a pair that avro rejects
backward: the new schema reads data written with the old one (reader=new, writer=old);
forward: the old schema reads data written with the new one (reader=old, writer=new).
Run with .venv-tools/bin/python (scripts/install-python-tools.sh installs the pinned avro).
"""

import json
import sys

import avro.schema
from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType


def compatible(reader, writer):
    result = ReaderWriterCompatibilityChecker().get_compatibility(reader, writer)
    return result.compatibility is SchemaCompatibilityType.compatible


def main():
    request = json.load(sys.stdin)
    answers = []
    for old_json, new_json in request["pairs"]:
        try:
            old = avro.schema.parse(json.dumps(old_json))
            new = avro.schema.parse(json.dumps(new_json))
            answers.append({"backward": compatible(new, old), "forward": compatible(old, new)})
        except Exception as error:  # a schema avro refuses: reported, not fatal
            answers.append({"error": f"{type(error).__name__}: {error}"})
    json.dump(answers, sys.stdout)


if __name__ == "__main__":
    main()

"""The differential oracle of AvroCanonicalFormTests: Apache avro's Parsing Canonical Form and fingerprint.

stdin:  ["<schema JSON text>", ...]
stdout: [{"canonical": str, "rabin": "<16 hex digits, little-endian>"} or {"error": "..."}, ...]
Run with .venv-tools/bin/python (scripts/install-python-tools.sh installs the pinned avro).
"""

import json
import sys

import avro.schema


def main():
    answers = []
    for text in json.load(sys.stdin):
        try:
            schema = avro.schema.parse(text)
            answers.append({"canonical": schema.canonical_form, "rabin": schema.fingerprint("CRC-64-AVRO").hex()})
        except Exception as error:  # a schema avro refuses: reported, not fatal
            answers.append({"error": f"{type(error).__name__}: {error}"})
    json.dump(answers, sys.stdout)


if __name__ == "__main__":
    main()

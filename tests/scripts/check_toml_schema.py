#!/usr/bin/python3
"""Checks TOML files against a JSON Schema the way a TOML editor's checker
(taplo / Even Better TOML) does: the TOML document as JSON, validated by a
draft-07 validator. Used by tests/e2e/schema_command_test.cpp.

    check_toml_schema.py SCHEMA.json FILE.toml...

One line per file: "ok FILE", "invalid FILE: /json/path: message" (one line
per error) or "unreadable FILE: why". Exits 0 when it could check every
file (whatever the verdicts), 2 on a usage error or a schema that is not a
valid draft-07 schema.
"""
import datetime
import json
import sys
import tomllib

import jsonschema


def as_json(value):
    # TOML date-times reach a schema checker as strings (RFC 3339 text).
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as f:
        schema = json.load(f)
    try:
        jsonschema.Draft7Validator.check_schema(schema)
    except jsonschema.SchemaError as e:
        print(f"schema {argv[0]} is not a valid draft-07 schema: {e.message}", file=sys.stderr)
        return 2
    validator = jsonschema.Draft7Validator(schema)
    for path in argv[1:]:
        try:
            with open(path, "rb") as f:
                document = as_json(tomllib.load(f))
        except (OSError, tomllib.TOMLDecodeError) as e:
            print(f"unreadable {path}: {e}")
            continue
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
        if not errors:
            print(f"ok {path}")
        for e in errors:
            where = "/" + "/".join(str(p) for p in e.absolute_path)
            print(f"invalid {path}: {where}: {e.message}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""validate_json.py: check a semiscope JSON report against analyze/report.schema.json.

Usage: validate_json.py [FILE|-]... [--schema SCHEMA]
Reads each report from FILE, or standard input when FILE is "-" or absent. The schema defaults to
$SEMISCOPE_SRC/analyze/report.schema.json, else the one in this script's repository.
With several files, prints "FILE: valid" or "FILE: invalid" per file on standard output (one
python start for many documents: the unit tests use this).
Exit status: 0 all valid, 1 some invalid (each error on stderr with its JSON path), 2 usage, I/O
or parse error, 77 python3-jsonschema is not installed (the automake "skipped" code, so callers
can report a skip instead of a failure).
"""
import json
import os
import sys


def default_schema():
    src = os.environ.get("SEMISCOPE_SRC")
    if not src:
        src = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    return os.path.join(src, "analyze", "report.schema.json")


def parse_args(argv):
    paths, schema = [], default_schema()
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--schema" and args:
            schema = args.pop(0)
        elif a in ("-h", "--help"):
            print(__doc__)
            sys.exit(0)
        elif a.startswith("--"):
            sys.exit(f"validate_json.py: unknown option {a}")
        else:
            paths.append(a)
    return paths or ["-"], schema


def main():
    try:
        import jsonschema
    except ImportError:
        print("validate_json.py: python3-jsonschema is not installed", file=sys.stderr)
        return 77
    paths, schema_path = parse_args(sys.argv[1:])
    try:
        with open(schema_path, encoding="utf-8") as f:
            schema = json.load(f)
    except (OSError, ValueError) as e:
        print(f"validate_json.py: {schema_path}: {e}", file=sys.stderr)
        return 2
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)
    status = 0
    for path in paths:
        try:
            if path == "-":
                doc = json.load(sys.stdin)
            else:
                with open(path, encoding="utf-8") as f:
                    doc = json.load(f)
        except (OSError, ValueError) as e:
            print(f"validate_json.py: {path}: {e}", file=sys.stderr)
            return 2
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        for e in errors:
            where = "/".join(str(p) for p in e.absolute_path) or "(root)"
            print(f"{path}: {where}: {e.message}", file=sys.stderr)
        if len(paths) > 1:
            print(f"{path}: {'invalid' if errors else 'valid'}")
        if errors:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())

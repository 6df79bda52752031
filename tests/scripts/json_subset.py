#!/usr/bin/env python3
"""json_subset.py EXPECTED ACTUAL [SCHEMA]: every value in EXPECTED must appear in ACTUAL.

Objects match key by key (extra keys in ACTUAL are fine), arrays element by element (ACTUAL may
be longer), scalars exactly; the string "*" matches anything present, a {"$approx": v, "$tol": t}
object matches numbers within t. ACTUAL is one JSON document (validated against SCHEMA when
given) or JSON lines, which are compared as an array."""
import json
import sys


def load_actual(path):
    text = open(path).read()
    try:
        return json.loads(text), False
    except json.JSONDecodeError:
        return [json.loads(l) for l in text.splitlines() if l.strip()], True


def match(exp, act, where, errs):
    if exp == "*":
        return
    if isinstance(exp, dict) and "$approx" in exp:
        if not isinstance(act, (int, float)) or abs(act - exp["$approx"]) > exp.get("$tol", 0):
            errs.append(f"{where}: {act!r} not within {exp.get('$tol', 0)} of {exp['$approx']}")
        return
    if isinstance(exp, dict):
        if not isinstance(act, dict):
            errs.append(f"{where}: expected object, got {act!r}")
            return
        for k, v in exp.items():
            if k not in act:
                errs.append(f"{where}.{k}: missing")
            else:
                match(v, act[k], f"{where}.{k}", errs)
        return
    if isinstance(exp, list):
        if not isinstance(act, list) or len(act) < len(exp):
            errs.append(f"{where}: expected list of >= {len(exp)}, got {act!r:.200}")
            return
        for i, v in enumerate(exp):
            match(v, act[i], f"{where}[{i}]", errs)
        return
    if exp != act:
        errs.append(f"{where}: expected {exp!r}, got {act!r}")


def main():
    exp = json.load(open(sys.argv[1]))
    act, lines = load_actual(sys.argv[2])
    if len(sys.argv) > 3 and not lines:
        try:
            import jsonschema
        except ImportError:
            print("json_subset: python3-jsonschema missing", file=sys.stderr)
            return 1
        schema = json.load(open(sys.argv[3]))
        try:
            jsonschema.validate(act, schema)
        except jsonschema.ValidationError as e:
            print(f"schema: {e.message} at {list(e.absolute_path)}")
            return 1
    errs = []
    match(exp, act, "$", errs)
    for e in errs[:40]:
        print(e)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())

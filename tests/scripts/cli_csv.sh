#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cli_csv.sh: --csv FILE (issue 15): the documented header row, one row per interval per replica
# over the whole span (zero rows where nothing happened), and the same counts and latencies as
# the JSON report's per-interval timeline (-v). --csv - writes it on stdout.
# Usage: cli_csv.sh SEMISCOPE   (env SEMISCOPE_SRC = repository root)
set -u
BIN=${1:?usage: cli_csv.sh SEMISCOPE}
SRC=${SEMISCOPE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
CAP=$SRC/tests/pcaps/lab/timeout_recovery/capture.pcap
[ -r "$CAP" ] || { echo "SKIPPED: $CAP is missing"; exit 0; }
command -v python3 >/dev/null || { echo "SKIPPED: python3 is not installed"; exit 0; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fails=0
timeout 60 "$BIN" -r "$CAP" -P 13306 --interval 500 --csv "$tmp/t.csv" >"$tmp/report.txt" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ] || { echo "FAIL: --csv FILE: exit $rc, $(cat "$tmp/err")"; fails=1; }
timeout 60 "$BIN" -r "$CAP" -P 13306 --interval 500 --csv - >"$tmp/stdout.csv" 2>/dev/null
cmp -s "$tmp/t.csv" "$tmp/stdout.csv" && echo "ok: --csv - writes the same CSV on stdout, alone" ||
    { echo "FAIL: --csv - differs from --csv FILE"; fails=1; }
timeout 60 "$BIN" -r "$CAP" -P 13306 --interval 500 --json -v >"$tmp/r.json" 2>/dev/null
# The header is documented in docs/csv.md: the two must agree.
python3 - "$tmp/t.csv" "$tmp/r.json" "$SRC/docs/csv.md" <<'PYEOF' || fails=1
import csv, json, re, sys
rows = list(csv.DictReader(open(sys.argv[1])))
header = open(sys.argv[1]).readline().strip().split(",")
doc = re.findall(r"^\| `([a-z0-9_]+)` \|", open(sys.argv[3]).read(), re.M)
errs = []
if header != doc:
    errs.append(f"header {header} != docs/csv.md {doc}")
rep = json.load(open(sys.argv[2]))
want, reps, idx = {}, set(), set()
iv = None
for m in rep["masters"]:
    for r in m["replicas"]:
        reps.add(r["address"])
        tl = r["timeline"]
        iv = tl["interval_s"]
        for i in tl["intervals"]:
            want[(r["address"], i["start_ts"])] = i
for row in rows:
    idx.add(float(row["interval_start_unix"]))
got_reps = {row["replica"] for row in rows}
if got_reps != reps:
    errs.append(f"replicas {got_reps} != {reps}")
n = round((max(idx) - min(idx)) / iv) + 1 if idx else 0
if len(rows) != n * len(reps):
    errs.append(f"{len(rows)} rows for {n} intervals x {len(reps)} replicas")
seen = 0
for row in rows:
    k = (row["replica"], float(row["interval_start_unix"]))
    w = want.get(k)
    if w is None:
        if row["requests"] != "0" or row["acks"] != "0" or row["latency_p50_ms"] != "":
            errs.append(f"row {k}: activity where the JSON has none")
        continue
    seen += 1
    for c in ("requests", "acks", "samples"):
        if int(row[c]) != w[c]:
            errs.append(f"row {k}: {c} {row[c]} != {w[c]}")
    for c, j in (("latency_p50_ms", "p50_us"), ("latency_p99_ms", "p99_us"), ("latency_max_ms", "max_us")):
        if w[j] is None:
            if row[c] != "":
                errs.append(f"row {k}: {c} {row[c]}, want empty")
        elif abs(float(row[c]) * 1000 - w[j]) > 1:
            errs.append(f"row {k}: {c} {row[c]} ms != {w[j]} us")
if seen != len(want):
    errs.append(f"{seen} active rows, the JSON has {len(want)} active intervals")
for e in errs[:10]:
    print("FAIL: --csv:", e)
if not errs:
    print(f"ok: --csv: {len(rows)} rows ({n} intervals x {len(reps)} replicas), header as documented, "
          f"counts and latencies as the JSON timeline")
sys.exit(1 if errs else 0)
PYEOF
exit $fails

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cli_replica.sh: --replica IP (issue 15) narrows the report to one replica without touching the
# master: the master's semisync state, counters, commit waits and unprotected transactions are
# those of the full report, the replica's entry is the full report's, the other replica is gone,
# and a note says so. A BPF 'host' filter instead changes the master's figures (it hides the
# other replica's acks): checked too, since the docs say so.
# Usage: cli_replica.sh SEMISCOPE   (env SEMISCOPE_SRC = repository root)
set -u
BIN=${1:?usage: cli_replica.sh SEMISCOPE}
SRC=${SEMISCOPE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
CAP=$SRC/tests/pcaps/lab/timeout_recovery/capture.pcap
[ -r "$CAP" ] || { echo "SKIPPED: $CAP is missing"; exit 0; }
command -v python3 >/dev/null || { echo "SKIPPED: python3 is not installed"; exit 0; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
R=10.213.9.3
timeout 60 "$BIN" -r "$CAP" -P 13306 --json >"$tmp/full.json" 2>/dev/null
timeout 60 "$BIN" -r "$CAP" -P 13306 --json --replica $R >"$tmp/focus.json" 2>"$tmp/focus.err"
rc=$?
timeout 60 "$BIN" -r "$CAP" -P 13306 --json host 10.213.9.1 and host $R >"$tmp/host.json" 2>/dev/null
timeout 60 "$BIN" -r "$CAP" -P 13306 --json --replica 192.0.2.99 >"$tmp/none.json" 2>"$tmp/none.err"
rc_none=$?
python3 - "$tmp/full.json" "$tmp/focus.json" "$tmp/host.json" "$R" "$rc" "$tmp/focus.err" \
    "$rc_none" "$tmp/none.err" "$tmp/none.json" <<'PYEOF'
import json, sys
full, focus, host = (json.load(open(p)) for p in sys.argv[1:4])
r, rc, err, rc_none, err_none = sys.argv[4], int(sys.argv[5]), open(sys.argv[6]).read(), \
    int(sys.argv[7]), open(sys.argv[8]).read()
none = json.load(open(sys.argv[9]))
errs = []
if rc != 0 or err:
    errs.append(f"--replica {r}: exit {rc}, stderr {err!r}")
fm, cm, hm = full["masters"][0], focus["masters"][0], host["masters"][0]
for k in fm:
    if k != "replicas" and fm[k] != cm.get(k):
        errs.append(f"--replica changed the master's '{k}'")
want = [x for x in fm["replicas"] if x["address"] == r]
if cm["replicas"] != want or len(fm["replicas"]) < 2:
    errs.append(f"--replica lists {[x['address'] for x in cm['replicas']]}, want exactly the full report's {r}")
if not any("--replica" in n for n in focus.get("notes", [])):
    errs.append("no note says the report is narrowed")
if all(hm.get(k) == fm.get(k) for k in ("counters", "semisync", "unprotected_transactions")):
    errs.append("a BPF host filter left the master's figures unchanged: the docs' warning is wrong")
if rc_none != 0 or "no replica with that address" not in err_none or none["masters"]:
    errs.append(f"--replica of an absent address: exit {rc_none}, stderr {err_none!r}")
for e in errs:
    print("FAIL:", e)
if not errs:
    print(f"ok: --replica {r}: the master's state and counters as in the full report, one replica "
          "listed, a note; a BPF host filter distorts them; an absent address warns")
sys.exit(1 if errs else 0)
PYEOF

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# postmortem_inputs.sh: damaged and oversized postmortem inputs are never silent (issue 14), on the
# lab's timeout_recovery scenario (two timeouts: semisync switched OFF twice, ON twice):
#  - an error log of 120,000 old semisync lines followed by the incident: the newest 100,000
#    records are kept, so the incident's "switched OFF" lines are in the timeline (the cap used to
#    keep the oldest: 0 of them); the drop is counted (server_data, notes, stderr);
#  - a run of NUL bytes before the first "switched OFF" line of the log, and in the status file
#    before the first Rpl_semi_sync_master_status OFF sample and inside an earlier line: the lines
#    after the runs are read (the status timeline equals the clean file's), the damaged lines are
#    counted (server_data, notes, stderr);
#  - a --status file with no usable line (garbage, or empty): a warning on stderr and a note.
# Usage: postmortem_inputs.sh SEMISCOPE   (env SEMISCOPE_SRC = repository root)
# shellcheck disable=SC2015
set -u

BIN=$(realpath "${1:?usage: postmortem_inputs.sh SEMISCOPE}") || exit 1
SRC=${SEMISCOPE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
LAB=$SRC/tests/pcaps/lab/timeout_recovery
PORT=13306

if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIPPED: python3 is not installed"
    exit 77
fi
for f in capture.pcap error.log status.tsv variables.tsv; do
    if [ ! -r "$LAB/$f" ]; then
        echo "FAIL: test data $LAB/$f is missing"
        exit 1
    fi
done

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

python3 - "$LAB" "$tmp" <<'EOF' || { echo "FAIL: generator"; exit 1; }
import sys
lab, out = sys.argv[1:3]
log = open(f"{lab}/error.log", "rb").read()
assert log.count(b"switched OFF") == 2, "the lab log should switch OFF twice"
# 120,000 semisync records from the day before, then the lab's log.
old = b"".join(
    b"2026-11-21  1:%02d:%02d 9 [Note] Start semi-sync binlog_dump to slave (server_id: 7), "
    b"pos(./master-bin.000001, 4)\n" % (i // 60 % 60, i % 60) for i in range(120000))
open(f"{out}/long.log", "wb").write(old + log)
# A NUL run right before the first "switched OFF" line (the line before it is complete).
at = log.rindex(b"\n", 0, log.index(b"switched OFF")) + 1
open(f"{out}/nul.log", "wb").write(log[:at] + b"\0" * 300 + log[at:])
# status.tsv: a NUL run before the first status OFF sample, and one cutting line 2 short.
st = open(f"{lab}/status.tsv", "rb").read().split(b"\n")
i = next(k for k, l in enumerate(st) if b"Rpl_semi_sync_master_status\tOFF" in l)
st[i] = b"\0" * 512 + st[i]
st[1] = st[1][:12] + b"\0" * 64 + st[1][12:]
open(f"{out}/nul_status.tsv", "wb").write(b"\n".join(st))
open(f"{out}/garbage.tsv", "wb").write(
    b"hello world\nVariable_name\tValue\nUptime_since_flush_status\t5\n| a | b |\n")
open(f"{out}/empty.tsv", "wb").write(b"")
EOF

# run NAME ARGS...: semiscope on the lab capture, stdout/stderr in $tmp/NAME.{out,err}, status rc.
rc=0
run() {
    local name=$1
    shift
    (cd "$LAB" && TZ=UTC LC_ALL=C timeout 60 "$BIN" -r capture.pcap -P $PORT "$@") \
        >"$tmp/$name.out" 2>"$tmp/$name.err"
    rc=$?
    if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' "$tmp/$name.err"; then
        fail "$name: sanitizer report: $(head -c 800 "$tmp/$name.err")"
    fi
}
# jq-like checks in python: check NAME EXPR...: each EXPR (d = the JSON report, m = its master)
# must be true.
check() {
    local name=$1
    shift
    python3 - "$tmp/$name.out" "$@" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
m = d["masters"][0]
def log_off(m):
    return sum(1 for t in m["timeline"] if t["source"] == "log" and "switched OFF" in t["what"])
def status_tl(m):
    return [(t["ts"], t["what"]) for t in m["timeline"] if t["source"] == "status"]
bad = [e for e in sys.argv[2:] if not eval(e)]
for e in bad:
    print("  false:", e)
sys.exit(1 if bad else 0)
EOF
}

# ---- a long log followed by the incident ------------------------------------------------------
run long --json --error-log "$tmp/long.log"
if [ "$rc" -eq 0 ] && check long 'log_off(m) == 2' \
    'm["server_data"]["log_records"] == 100000' \
    'm["server_data"]["log_records_dropped"] == 20022' \
    'm["server_data"]["log_records_dropped_until"] is not None' \
    'any("oldest 20022" in n and "newest 100000" in n for n in d["notes"])'; then
    pass "long log: the newest 100000 records kept, both switched-OFF lines in the timeline, 20022 dropped and said so"
else
    fail "long log (exit $rc): see above"
fi
grep -qF "semiscope: warning: --error-log $tmp/long.log: more semisync records than the cap: the oldest 20022" \
    "$tmp/long.err" && pass "long log: warning on stderr" ||
    fail "long log: stderr: $(head -c 400 "$tmp/long.err")"
run long_text --error-log "$tmp/long.log"
grep -q "oldest 20022" "$tmp/long_text.out" && pass "long log: the text report's notes say so" ||
    fail "long log: the text report does not mention the drop"

# ---- NUL bytes in the error log and the status file ---------------------------------------------
run clean --json --error-log "$LAB/error.log" --status "$LAB/status.tsv" --status "$LAB/variables.tsv"
[ "$rc" -eq 0 ] || fail "clean inputs: exit $rc"
[ -s "$tmp/clean.err" ] && fail "clean inputs: stderr not empty: $(head -c 300 "$tmp/clean.err")"
run nul --json --error-log "$tmp/nul.log" --status "$tmp/nul_status.tsv" --status "$LAB/variables.tsv"
if [ "$rc" -eq 0 ] && check nul 'log_off(m) == 2' \
    'm["server_data"]["log_damaged_lines"] == 1' \
    'm["server_data"]["log_records"] == 22' \
    'm["server_data"]["status_damaged_lines"] == 2' \
    'sum("NUL bytes" in n for n in d["notes"]) == 2'; then
    pass "NUL runs: the lines after them read (2 switched-OFF log lines), damaged lines counted and noted"
else
    fail "NUL runs (exit $rc): see above"
fi
if python3 - "$tmp/clean.out" "$tmp/nul.out" <<'EOF'; then
import json, sys
a, b = (json.load(open(p))["masters"][0]["timeline"] for p in sys.argv[1:3])
sa, sb = ([(t["ts"], t["what"]) for t in x if t["source"] == "status"] for x in (a, b))
sys.exit(0 if sa == sb and any("OFF" in w for _, w in sa) else 1)
EOF
    pass "NUL run before the status OFF sample: the status timeline equals the clean file's"
else
    fail "NUL runs in the status file change the status timeline"
fi
grep -qF "semiscope: warning: --error-log $tmp/nul.log: 1 line damaged by a run of NUL bytes" \
    "$tmp/nul.err" && grep -qF "semiscope: warning: --status $tmp/nul_status.tsv: 2 lines damaged by a run of NUL bytes" \
    "$tmp/nul.err" && pass "NUL runs: one warning per file on stderr" ||
    fail "NUL runs: stderr: $(head -c 600 "$tmp/nul.err")"

# ---- a --status file with no usable line ------------------------------------------------------
for f in garbage empty; do
    run "status_$f" --json --status "$tmp/$f.tsv"
    if [ "$rc" -eq 0 ] &&
        grep -qF "semiscope: warning: --status $tmp/$f.tsv: no usable line:" "$tmp/status_$f.err" &&
        python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if any("has no usable line" in n and sys.argv[2] in n for n in d["notes"]) else 1)' \
            "$tmp/status_$f.out" "$tmp/$f.tsv"; then
        pass "--status $f.tsv: exit 0, a warning on stderr and a note in the report"
    else
        fail "--status $f.tsv (exit $rc): stderr: $(head -c 400 "$tmp/status_$f.err")"
    fi
done
grep -qF "it is empty" "$tmp/status_empty.err" || fail "--status empty.tsv: the warning does not say it is empty"
# A usable file beside it: warned about the unusable one only.
run status_mixed --status "$LAB/status.tsv" --status "$tmp/garbage.tsv"
[ "$(grep -c 'no usable line' "$tmp/status_mixed.err")" -eq 1 ] &&
    ! grep -q "status.tsv: no usable" "$tmp/status_mixed.err" &&
    pass "a usable and an unusable --status file: one warning, for the unusable one" ||
    fail "mixed --status files: stderr: $(head -c 400 "$tmp/status_mixed.err")"

if [ "$failures" -ne 0 ]; then
    echo "postmortem_inputs.sh: $failures failure(s)"
    exit 1
fi
echo "postmortem_inputs.sh: all checks passed"

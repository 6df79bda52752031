#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cli_compressed.sh: gzip and zstd captures read directly (issue 15), told by their first bytes
# (not their name), from a file, from stdin (-r -, a pipe) and in a multi-file -r merge: the JSON
# report is the plain file's, apart from capture.files. A cut-short compressed file is a read
# error (exit 3) with the report of what was read.
# Usage: cli_compressed.sh SEMISCOPE   (env SEMISCOPE_SRC = repository root)
# shellcheck disable=SC2015
set -u
BIN=${1:?usage: cli_compressed.sh SEMISCOPE}
SRC=${SEMISCOPE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
CAP=$SRC/tests/pcaps/lab/timeout_recovery/capture.pcap
ROT1=$SRC/tests/pcaps/rotation/timeout_part1.pcap
ROT2=$SRC/tests/pcaps/rotation/timeout_part2.pcap
PORT=13306
for f in "$CAP" "$ROT1" "$ROT2"; do [ -r "$f" ] || { echo "SKIPPED: $f is missing"; exit 0; }; done
for t in gzip zstd python3; do
    command -v $t >/dev/null || { echo "SKIPPED: $t is not installed"; exit 0; }
done
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

same() {
    python3 - "$1" "$2" <<'PYEOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for d in (a, b):
    d["capture"].pop("files", None)
if a != b:
    for k in sorted(set(a) | set(b)):
        if a.get(k) != b.get(k):
            print(f"  differs in '{k}'")
    sys.exit(1)
PYEOF
}
gzip -c "$CAP" >"$tmp/c.pcap.gz"
zstd -q -c "$CAP" >"$tmp/c.pcap.zst"
cp "$tmp/c.pcap.gz" "$tmp/renamed.pcap" # the content decides, not the name
timeout 60 "$BIN" -r "$CAP" -P $PORT --json >"$tmp/plain.json" || fail "plain run failed"
check() {
    local label=$1 out=$2 rc=$3 err=$4
    if [ "$rc" -ne 0 ] || [ -s "$err" ]; then
        fail "$label: exit $rc, stderr '$(head -c 300 "$err")'"
    elif same "$tmp/plain.json" "$out"; then
        pass "$label: the plain file's JSON report"
    else
        fail "$label: the JSON report differs from the plain file's"
    fi
}
for f in c.pcap.gz c.pcap.zst renamed.pcap; do
    timeout 60 "$BIN" -r "$tmp/$f" -P $PORT --json >"$tmp/$f.json" 2>"$tmp/$f.err"
    check "-r $f" "$tmp/$f.json" $? "$tmp/$f.err"
    timeout 60 "$BIN" -r - -P $PORT --json <"$tmp/$f" >"$tmp/$f.in.json" 2>"$tmp/$f.in.err"
    check "-r - < $f" "$tmp/$f.in.json" $? "$tmp/$f.in.err"
    cat "$tmp/$f" | timeout 60 "$BIN" -r - -P $PORT --json >"$tmp/$f.pipe.json" 2>"$tmp/$f.pipe.err"
    check "cat $f | -r -" "$tmp/$f.pipe.json" "${PIPESTATUS[1]}" "$tmp/$f.pipe.err"
done
# A rotation set, one part gzip and one zstd, merged in time order as the plain parts are.
gzip -c "$ROT1" >"$tmp/p1.pcap.gz"
zstd -q -c "$ROT2" >"$tmp/p2.pcap.zst"
timeout 60 "$BIN" -r "$ROT2" -r "$ROT1" --json >"$tmp/rot.json" 2>/dev/null
timeout 60 "$BIN" -r "$tmp/p2.pcap.zst" -r "$tmp/p1.pcap.gz" --json >"$tmp/rotz.json" 2>"$tmp/rotz.err"
rc=$?
[ "$rc" -eq 0 ] && same "$tmp/rot.json" "$tmp/rotz.json" &&
    pass "-r part2.zst -r part1.gz: the plain merge's report" ||
    fail "compressed rotation merge: exit $rc, $(head -c 200 "$tmp/rotz.err")"
# Plain stdin through a pipe still works (the first bytes were read to tell the format).
cat "$CAP" | timeout 60 "$BIN" -r - -P $PORT --json >"$tmp/pipe.json" 2>"$tmp/pipe.err"
check "cat plain | -r -" "$tmp/pipe.json" "${PIPESTATUS[1]}" "$tmp/pipe.err"
# Cut short: exit 3, a warning naming the file, the report of what was read (gzip: its deflate
# blocks give their data as they come; this small capture is a single zstd block, which gives
# nothing before its end: exit 3 all the same, naming the file).
size=$(stat -c %s "$tmp/c.pcap.gz")
head -c $((size / 2)) "$tmp/c.pcap.gz" >"$tmp/cut.pcap.gz"
timeout 60 "$BIN" -r "$tmp/cut.pcap.gz" -P $PORT --json >"$tmp/cut.json" 2>"$tmp/cut.err"
rc=$?
if [ "$rc" -eq 3 ] && grep -q "cut.pcap.gz: not read to its end" "$tmp/cut.err" &&
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["capture"]["packets"] > 0 else 1)' "$tmp/cut.json"; then
    pass "a cut-short .gz: exit 3, $(head -1 "$tmp/cut.err" | cut -c1-200)..."
else
    fail "a cut-short .gz: exit $rc, stderr '$(head -c 300 "$tmp/cut.err")'"
fi
size=$(stat -c %s "$tmp/c.pcap.zst")
head -c $((size / 2)) "$tmp/c.pcap.zst" >"$tmp/cut.pcap.zst"
timeout 60 "$BIN" -r "$tmp/cut.pcap.zst" -P $PORT --json >/dev/null 2>"$tmp/cutz.err"
rc=$?
[ "$rc" -eq 3 ] && grep -q "cut.pcap.zst" "$tmp/cutz.err" && pass "a cut-short .zst: exit 3" ||
    fail "a cut-short .zst: exit $rc, stderr '$(head -c 300 "$tmp/cutz.err")'"
if [ "$failures" -ne 0 ]; then
    echo "cli_compressed.sh: $failures failure(s)"
    exit 1
fi
echo "cli_compressed.sh: all checks passed"

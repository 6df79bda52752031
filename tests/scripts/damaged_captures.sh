#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# damaged_captures.sh: a capture libpcap cannot read to its end is never analysed silently
# (issue 14). Damaged copies of the lab's steady capture (870 packets) are made here: a corrupt
# record header mid-file, a last record cut short, and two pcapng files libpcap refuses (a second
# interface of another link type, before the packets and after 40 of them). Each must give a
# one-line warning on stderr naming the file, the frame and the byte offset, the report's
# capture.read_error (JSON, validated against the schema), the text and HTML reports saying so at
# the top, and exit code 3. A run stopped by -c before the damage is clean (exit 0); a damaged file
# in a merge does not stop the other file.
# Usage: damaged_captures.sh SEMISCOPE   (env SEMISCOPE_SRC = repository root)
# "check && pass || fail" is meant: pass only echoes, so fail runs exactly when the check fails.
# shellcheck disable=SC2015
set -u

BIN=$(realpath "${1:?usage: damaged_captures.sh SEMISCOPE}") || exit 1
SRC=${SEMISCOPE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
CAP=$SRC/tests/pcaps/lab/steady/capture.pcap
ROT1=$SRC/tests/pcaps/rotation/timeout_part1.pcap
PORT=13306

if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIPPED: python3 is not installed"
    exit 77
fi
for f in "$CAP" "$ROT1"; do
    if [ ! -r "$f" ]; then
        echo "FAIL: test data $f is missing"
        exit 1
    fi
done

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

# ---- the damaged copies -------------------------------------------------------------------------
# Prints "NAME FRAME OFFSET" per file: the frame that cannot be read and where reading stops.
python3 - "$CAP" "$tmp" >"$tmp/truth" <<'EOF' || { echo "FAIL: generator"; exit 1; }
import struct, sys
src, out = sys.argv[1], sys.argv[2]
data = open(src, "rb").read()
if data[:4] != b"\xd4\xc3\xb2\xa1":
    sys.exit("want a little-endian microsecond pcap")
recs, offs, off = [], [], 24
while off + 16 <= len(data):
    sec, usec, caplen, wirelen = struct.unpack_from("<IIII", data, off)
    offs.append(off)
    recs.append((sec, usec, caplen, wirelen, data[off + 16:off + 16 + caplen]))
    off += 16 + caplen
assert len(recs) == 870 and off == len(data), (len(recs), off, len(data))

# A corrupt record header: record 51's caplen gets its top byte flipped.
b = bytearray(data)
struct.pack_into("<I", b, offs[50] + 8, recs[50][2] | 0x7F000000)
open(f"{out}/bad_header.pcap", "wb").write(b)
print("bad_header.pcap", 51, offs[50])

# The last record cut short, as a killed tcpdump leaves it.
open(f"{out}/cut_last.pcap", "wb").write(data[:-10])
print("cut_last.pcap", 870, offs[869])

# pcapng with a second interface of another link type (Linux cooked, 113).
def block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)
shb = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
def idb(link):
    return block(1, struct.pack("<HHI", link, 0, 262144))
def epb(r):
    sec, usec, caplen, wirelen, body = r
    t = sec * 1000000 + usec
    return block(6, struct.pack("<IIIII", 0, t >> 32, t & 0xFFFFFFFF, caplen, wirelen) + body)
head = shb + idb(1)
open(f"{out}/two_links.pcapng", "wb").write(head + idb(113) + b"".join(map(epb, recs)))
print("two_links.pcapng", 1, len(head))
first = b"".join(map(epb, recs[:40]))
open(f"{out}/two_links_late.pcapng", "wb").write(
    head + first + idb(113) + b"".join(map(epb, recs[40:])))
print("two_links_late.pcapng", 41, len(head) + len(first))
EOF

# run NAME ARGS...: semiscope (bounded) with stdout/stderr in $tmp/NAME.{out,err}, status in rc.
rc=0
run() {
    local name=$1
    shift
    (cd "$tmp" && TZ=UTC LC_ALL=C timeout 20 "$BIN" "$@") >"$tmp/$name.out" 2>"$tmp/$name.err"
    rc=$?
    if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' "$tmp/$name.err"; then
        fail "$name: sanitizer report: $(head -c 800 "$tmp/$name.err")"
    fi
}

# check_json FILE FRAME OFFSET PACKETS JSON_OUT: capture.read_error names the damage; valid JSON.
check_json() {
    python3 - "$@" <<'EOF'
import json, sys
name, frame, offset, packets, path = sys.argv[1:6]
doc = json.load(open(path))
cap = doc["capture"]
e = cap.get("read_error")
errs = []
if not isinstance(e, dict):
    errs.append(f"capture.read_error is {e!r}")
else:
    if e.get("file") != name:
        errs.append(f"read_error.file {e.get('file')!r}, want {name!r}")
    if e.get("frame") != int(frame):
        errs.append(f"read_error.frame {e.get('frame')}, want {frame}")
    if e.get("offset") != int(offset):
        errs.append(f"read_error.offset {e.get('offset')}, want {offset}")
    if not e.get("message"):
        errs.append("read_error.message is empty")
if cap.get("files_not_read_to_end") != 1:
    errs.append(f"files_not_read_to_end {cap.get('files_not_read_to_end')}")
if cap.get("packets") != int(packets):
    errs.append(f"capture.packets {cap.get('packets')}, want {packets}")
for x in errs:
    print("  " + x)
sys.exit(1 if errs else 0)
EOF
}

while read -r name frame offset; do
    packets=$((frame - 1))
    # text report
    run "${name}_text" -r "$name" -P $PORT
    if [ "$rc" -ne 3 ]; then
        fail "$name: exit $rc, want 3 (input not read to its end)"
    else
        pass "$name: exit 3"
    fi
    nlines=$(wc -l <"$tmp/${name}_text.err")
    if [ "$nlines" -eq 1 ] &&
        grep -qF "semiscope: warning: $name: not read to its end: frame $frame could not be read (at or after byte $offset," \
            "$tmp/${name}_text.err"; then
        pass "$name: one warning line naming the file, frame $frame and byte $offset"
    else
        fail "$name: stderr ($nlines lines) lacks the warning: $(head -c 600 "$tmp/${name}_text.err")"
    fi
    # The report says so at its top, before the capture summary.
    if [ "$(sed -n 3p "$tmp/${name}_text.out")" = "READ ERROR: input not read to its end; the report covers what was read" ] &&
        grep -qE "^  frame      $frame could not be read \(reading failed at or after byte $offset," "$tmp/${name}_text.out"; then
        pass "$name: the text report starts with the read error"
    else
        fail "$name: text report top: $(head -8 "$tmp/${name}_text.out")"
    fi
    # JSON
    run "${name}_json" -r "$name" -P $PORT --json
    [ "$rc" -eq 3 ] || fail "$name --json: exit $rc, want 3"
    if check_json "$name" "$frame" "$offset" "$packets" "$tmp/${name}_json.out"; then
        pass "$name --json: capture.read_error {file, frame $frame, offset $offset, message}"
    else
        fail "$name --json: capture.read_error wrong (above)"
    fi
    vrc=0
    python3 "$SRC/tests/scripts/validate_json.py" "$tmp/${name}_json.out" >/dev/null 2>"$tmp/valid.err" || vrc=$?
    case $vrc in
    0) pass "$name --json: valid against the schema" ;;
    77) echo "note: python3-jsonschema missing: schema not checked" ;;
    *) fail "$name --json: schema: $(head -c 400 "$tmp/valid.err")" ;;
    esac
    # HTML: the banner comes before the capture table.
    run "${name}_html" -r "$name" -P $PORT --html "$tmp/$name.html"
    [ "$rc" -eq 3 ] || fail "$name --html: exit $rc, want 3"
    if python3 - "$tmp/$name.html" "$name" "$frame" <<'EOF'; then
import sys
page = open(sys.argv[1], encoding="utf-8").read()
banner = page.find('<span class="sev">read error</span>')
table = page.find('<table class="kv">')
ok = 0 <= banner < table and sys.argv[2] in page[banner:table] and \
    f"Frame {sys.argv[3]} could not be read" in page[banner:table]
sys.exit(0 if ok else 1)
EOF
        pass "$name --html: the read error heads the page"
    else
        fail "$name --html: no read-error banner at the top"
    fi
    # --events and --flows read the same input: same exit code.
    run "${name}_events" -r "$name" -P $PORT --events
    [ "$rc" -eq 3 ] && pass "$name --events: exit 3" || fail "$name --events: exit $rc, want 3"
done <"$tmp/truth"

# ---- standard input: the same, with the offset unknown -------------------------------------------
(cd "$tmp" && TZ=UTC LC_ALL=C timeout 20 "$BIN" -r - -P $PORT --json <bad_header.pcap) \
    >"$tmp/stdin.out" 2>"$tmp/stdin.err"
rc=$?
[ "$rc" -eq 3 ] && pass "-r - with a bad header: exit 3" || fail "-r - with a bad header: exit $rc"
grep -qF "semiscope: warning: standard input: not read to its end: frame 51 could not be read" \
    "$tmp/stdin.err" && pass "-r -: warning names standard input and frame 51" ||
    fail "-r -: stderr: $(head -c 400 "$tmp/stdin.err")"
# From a file redirect the position is known; from a pipe it is not (offset null).
# shellcheck disable=SC2002
cat "$tmp/bad_header.pcap" | (cd "$tmp" && TZ=UTC LC_ALL=C timeout 20 "$BIN" -r - -P $PORT --json) \
    >"$tmp/pipe.out" 2>"$tmp/pipe.err"
rc=${PIPESTATUS[1]}
if [ "$rc" -eq 3 ] && python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))["capture"]["read_error"]
sys.exit(0 if e["file"] == "-" and e["frame"] == 51 and e["offset"] is None else 1)' "$tmp/pipe.out"
then
    pass "cat FILE | -r -: exit 3, read_error frame 51 with offset null"
else
    fail "cat FILE | -r -: exit $rc, $(grep -A6 read_error "$tmp/pipe.out" | head -8)"
fi

# ---- -c stops before the damage: nothing to report ------------------------------------------------
run count50 -r bad_header.pcap -P $PORT -c 50 --json
if [ "$rc" -eq 0 ] && [ ! -s "$tmp/count50.err" ] &&
    grep -q '"read_error": null' "$tmp/count50.out"; then
    pass "-c 50 before the bad header at frame 51: exit 0, read_error null, stderr empty"
else
    fail "-c 50: exit $rc; stderr: $(head -c 300 "$tmp/count50.err")"
fi
run count60 -r bad_header.pcap -P $PORT -c 60
[ "$rc" -eq 3 ] && pass "-c 60 past the bad header: exit 3" || fail "-c 60: exit $rc, want 3"

# ---- a clean run: read_error null, files_not_read_to_end 0 ---------------------------------------
run clean -r "$CAP" -P $PORT --json
if [ "$rc" -eq 0 ] && [ ! -s "$tmp/clean.err" ] && grep -q '"read_error": null' "$tmp/clean.out" &&
    grep -q '"files_not_read_to_end": 0' "$tmp/clean.out"; then
    pass "clean capture: exit 0, read_error null"
else
    fail "clean capture: exit $rc; stderr: $(head -c 300 "$tmp/clean.err")"
fi

# ---- a damaged file in a merge: the other file is read to its end -------------------------------
run merge -r bad_header.pcap -r "$ROT1" --json
merge_rc=$rc
run rot1 -r "$ROT1" --json
[ "$merge_rc" -eq 3 ] || fail "merge with a damaged file: exit $merge_rc, want 3"
if [ "$rc" -eq 0 ] && python3 - "$tmp/merge.out" "$tmp/rot1.out" <<'EOF'; then
import json, sys
m, r = (json.load(open(p))["capture"] for p in sys.argv[1:3])
ok = m["read_error"]["file"] == "bad_header.pcap" and m["packets"] == 50 + r["packets"]
sys.exit(0 if ok else 1)
EOF
    pass "merge: the bad file's 50 frames plus the whole other file, read_error names the bad one"
else
    fail "merge with a damaged file: $(grep -E '"packets"|"file"' "$tmp/merge.out" | head -4)"
fi
grep -q . "$tmp/merge.err" && [ "$(wc -l <"$tmp/merge.err")" -eq 1 ] ||
    fail "merge: want exactly one warning line: $(head -c 300 "$tmp/merge.err")"

if [ "$failures" -ne 0 ]; then
    echo "damaged_captures.sh: $failures failure(s)"
    exit 1
fi
echo "damaged_captures.sh: all checks passed"

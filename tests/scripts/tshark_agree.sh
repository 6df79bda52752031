#!/usr/bin/env bash
# An independent decoder's view: on a stream without the semisync header (replica2 of the
# replica_semisync_off lab capture, the "Server normal, semisync down" replica) Wireshark's MySQL
# dissector decodes every binlog event header correctly (lab-notes.md); semiscope's events of
# that stream must be the same list (type, size, log_pos) in the same frames.
set -uo pipefail
bin=$1
cap="$SEMISCOPE_SRC/tests/pcaps/lab/replica_semisync_off/capture.pcap"
command -v tshark >/dev/null || { echo "SKIPPED: tshark not installed"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tshark -r "$cap" -n -d tcp.port==13306,mysql -Y "ip.dst==10.213.9.3 && mysql.binlog.event_header.event_type" \
    -T fields -E separator=' ' -e frame.number -e mysql.binlog.event_header.event_type \
    -e mysql.binlog.event_header.event_size -e mysql.binlog.event_header.log_position \
    2>/dev/null >"$tmp/tshark.txt"
"$bin" -r "$cap" -P 13306 --events --json | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m["kind"] == "event" and m["dst"].startswith("10.213.9.3:"):
        print(m["frame"], m["event_type"], m["size"], m["log_pos"])
' >"$tmp/semiscope.txt"
n=$(wc -l <"$tmp/semiscope.txt")
[ "$n" -gt 800 ] || { echo "FAIL: only $n events decoded on the asynchronous stream"; exit 1; }
# tshark lists several PDUs of one frame on one line (comma-separated per field): split them.
python3 - "$tmp/tshark.txt" >"$tmp/tshark_split.txt" <<'PY'
import sys
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) < 4:
        continue
    cols = [c.split(",") for c in f[1:4]]
    for t, s, p in zip(*cols):
        print(f[0], t, s, p)
PY
if ! diff -u "$tmp/tshark_split.txt" "$tmp/semiscope.txt" >"$tmp/diff"; then
    head -40 "$tmp/diff"
    echo "FAIL: semiscope and tshark disagree on the events of the asynchronous stream"
    exit 1
fi
echo "ok: $n events, identical to tshark's (frame, type, size, log_pos)"

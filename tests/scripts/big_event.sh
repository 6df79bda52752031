#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Binlog events > 16 MiB without MariaDB: tools/gen_big_event.py writes semisync dump
# conversations whose 4th transaction has a WRITE_ROWS event split over 0xFFFFFF-byte packet
# pieces (17 MiB + 5 bytes of random row; exactly 0xFFFFFF, with a zero-length last piece; exactly
# 2 x 0xFFFFFF), one with a TCP segment lost inside the big event (in the first piece, on the
# continuation header, inside the continuation) and one whose capture starts inside it.  For each,
# semiscope's --events --json and --json output must match what the generator says a correct
# decoder reports: the exact event sequence (type, size, log_pos, flag), every checksum "ok", the
# acks, no resync where the lost segment lay inside a piece of known length (the framer skips to
# the piece's end), exactly one resync (onto the event after the big one, skipping exactly the
# bytes in between) where a header was lost or the capture starts mid-stream, and a peak RSS far
# below the event size.  The fake_* variants plant well-formed event packets (an XID with a valid
# CRC followed by a GTID header) in the row data every MiB: neither an in-sync decoder nor one
# recovering from a lost segment or a mid-stream start may report them (issue 4).
# Usage: big_event.sh SEMISCOPE   (ctest: script/big_event; env SEMISCOPE_SRC)
set -u
SEMISCOPE=${1:?usage: big_event.sh SEMISCOPE}
SRC=${SEMISCOPE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/semiscope-big-event.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT

ASAN=0
if [ -n "${ASAN_OPTIONS:-}" ] || ldd "$SEMISCOPE" 2>/dev/null | grep -q asan; then
    ASAN=1
fi

exec python3 - "$SEMISCOPE" "$SRC/tools/gen_big_event.py" "$WORK" "$ASAN" <<'PY'
import json, os, resource, subprocess, sys, time

sem, gen, work, asan = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
RSS_LIMIT_KB = 64 * 1024
TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
VARIANTS = [
    ("big", []),
    ("exact", ["--payload-len", "16777215"]),           # 0xFFFFFF piece + 0-length piece
    ("double", ["--payload-len", str(2 * 0xFFFFFF)]),   # two full pieces + 0-length piece
    ("drop_first", ["--drop-segment-in-big-event"]),
    ("drop_boundary", ["--drop-segment-in-big-event", "--drop-where", "boundary"]),
    ("drop_continuation", ["--drop-segment-in-big-event", "--drop-where", "continuation"]),
    ("midstream", ["--midstream"]),
    # well-formed event packets planted in the row data must stay row data while in sync ...
    ("fake_rows", ["--fake-events-in-row"]),
    # ... and after a lost segment (known-length skip, or a resync that must reject them) or a
    # capture that starts inside the row
    ("fake_drop_first", ["--fake-events-in-row", "--drop-segment-in-big-event"]),
    ("fake_drop_boundary", ["--fake-events-in-row", "--drop-segment-in-big-event",
                            "--drop-where", "boundary"]),
    ("fake_drop_continuation", ["--fake-events-in-row", "--drop-segment-in-big-event",
                                "--drop-where", "continuation"]),
    ("fake_midstream", ["--fake-events-in-row", "--midstream"]),
]
failures = []


def check(cond, what):
    if not cond:
        failures.append("%s: %s" % (cur, what))
        print("FAIL %s: %s" % (cur, what))
    return cond


def run(args):
    """semiscope's stdout, and its peak RSS in KB (/usr/bin/time -f %M, else getrusage)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    argv = ([TIME, "-f", "%M", "-o", os.path.join(work, "rss")] if TIME else []) + [sem] + args
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    if TIME:
        rss = int(open(os.path.join(work, "rss")).read().split()[-1])
    else:  # the largest child so far: only meaningful if it grew
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        rss = rss if rss > before else 0
    check(p.returncode == 0, "%s exited %d: %s" % (" ".join(args), p.returncode,
                                                   p.stderr.decode(errors="replace")[-500:]))
    return p.stdout.decode(), rss


def generate(i):
    """Start the generator for VARIANTS[i] (it runs while the previous variant is checked)."""
    name, opts = VARIANTS[i]
    return subprocess.Popen([sys.executable, gen, "-o", os.path.join(work, name + ".pcap"),
                             "--expect", os.path.join(work, name + ".json")] + opts,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


t_start = time.time()
pending_gen = generate(0)
for i, (cur, opts) in enumerate(VARIANTS):
    pcap, expf = os.path.join(work, cur + ".pcap"), os.path.join(work, cur + ".json")
    g = pending_gen
    err = g.communicate(timeout=120)[1]
    pending_gen = generate(i + 1) if i + 1 < len(VARIANTS) else None
    if not check(g.returncode == 0, "generator failed: %s" % err.decode()[-500:]):
        continue
    exp = json.load(open(expf))
    big = exp["big_event"]
    damaged = exp["expected_resyncs"] > 0 or exp["expected_known_length_skips"] > 0

    # ---- --events --json: every message, in stream order
    out, rss_ev = run(["-r", pcap, "--events", "--json"])
    msgs = [json.loads(l) for l in out.splitlines() if l.strip()]
    srv = [m for m in msgs if m.get("from_server")]
    cli = [m for m in msgs if not m.get("from_server")]
    events = [m for m in srv if m["kind"] == "event"]
    want = exp["expected_events"]
    got_seq = [(e["event_type"], e["size"], e["log_pos"], e["ack_requested"]) for e in events]
    want_seq = [(e["type"], e["size"], e["log_pos"], e["flagged"]) for e in want]
    if not check(got_seq == want_seq, "event sequence (type, size, log_pos, flagged) differs"):
        for i, (a, b) in enumerate(zip(got_seq + [None] * len(want_seq),
                                       want_seq + [None] * len(got_seq))):
            if a != b:
                print("  first difference at event %d: got %s, want %s" % (i, a, b))
                break
    bad_csum = [(e["event_name"], e["log_pos"], e["checksum"]) for e in events
                if e["checksum"] != "ok"]
    check(not bad_csum, "checksum not ok: %s" % bad_csum[:5])
    names = {e["name"] for e in want}
    check(all(e["event_name"] in names for e in events),
          "unexpected event types: %s" % sorted({e["event_name"] for e in events} - names))
    bigs = [e for e in events if e["size"] == big["event_size"]]
    if damaged:
        check(not bigs, "the damaged big event was reported as an event")
    elif check(len(bigs) == 1, "the big event was not reported exactly once"):
        check(bigs[0]["payload_len"] == big["payload_len"],
              "big event payload_len %d, want %d (pieces %s)"
              % (bigs[0]["payload_len"], big["payload_len"], big["pieces"]))
        check(bigs[0]["log_pos"] == big["log_pos"], "big event log_pos")

    # resync and gap messages
    rs = [i for i, m in enumerate(srv) if m["kind"] == "resync"]
    if check(len(rs) == exp["expected_resyncs"],
             "%d server-side resyncs, want %d" % (len(rs), exp["expected_resyncs"])) and rs:
        nxt = srv[rs[0] + 1] if rs[0] + 1 < len(srv) else {}
        land = exp["resync_lands_on"]
        check(nxt.get("kind") == "event" and nxt.get("log_pos") == land["log_pos"]
              and nxt.get("event_type") == land["type"],
              "resync landed on %s log_pos %s, want %s log_pos %d"
              % (nxt.get("event_name"), nxt.get("log_pos"), land["name"], land["log_pos"]))
        check(srv[rs[0]]["skipped"] == exp["resync_skipped"],
              "resync skipped %d bytes, want %d" % (srv[rs[0]]["skipped"], exp["resync_skipped"]))
    crs = [m for m in cli if m["kind"] == "resync"]
    # a mid-stream replica direction starts unsynced too: it may resync onto its first ack
    check(len(crs) <= (1 if exp["options"]["midstream"] else 0)
          and all(m["skipped"] == 0 for m in crs), "client-side resyncs: %s" % crs)
    gaps = [m for m in srv if m["kind"] == "gap"]
    check([(g["len"], g["in_packet"]) for g in gaps] ==
          [(d["len"], True) for d in exp["dropped"]],
          "gaps %s, want %s inside the packet" % ([(g["len"], g["in_packet"]) for g in gaps],
                                                   exp["dropped"]))
    check(not [m for m in cli if m["kind"] == "gap"], "client-side gaps")

    # acks: every expected one, well formed, after the XID it answers
    acks = [m for m in cli if m["kind"] == "ack"]
    check([a["pos"] for a in acks] == exp["expected_acks"],
          "acks %s, want %s" % ([a["pos"] for a in acks], exp["expected_acks"]))
    check(all(a["well_formed"] and a["file"] == exp["binlog_file"] for a in acks),
          "malformed ack or wrong file")
    order = {id(m): i for i, m in enumerate(msgs)}
    for a in acks:
        x = [e for e in events if e["event_name"] == "XID" and e["log_pos"] == a["pos"]]
        check(x and order[id(x[0])] < order[id(a)], "ack %d not after its XID" % a["pos"])

    # ---- --json report
    out, rss_rep = run(["-r", pcap, "--json"])
    try:
        rep = json.loads(out)
    except ValueError as e:
        check(False, "report is not JSON: %s" % e)
        continue
    ms = rep.get("masters") or []
    if check(len(ms) == 1 and len(ms[0]["replicas"]) == 1, "one master with one replica"):
        r = ms[0]["replicas"][0]
        n = exp["expected_flagged"]
        check(r["ack_requests"] == n and r["acks"] == n and r["acks_matched"] == n,
              "ack_requests %d acks %d matched %d, want %d"
              % (r["ack_requests"], r["acks"], r["acks_matched"], n))
        check(r["acks_unmatched"] == 0 and r["requests_unanswered"] == 0,
              "acks_unmatched %d requests_unanswered %d"
              % (r["acks_unmatched"], r["requests_unanswered"]))
        check(r["events"] == len(want), "replica events %d, want %d" % (r["events"], len(want)))
        check(r["semisync"] is True, "replica not semisync")
        if not exp["options"]["midstream"]:
            check(r["server_id"] == 2, "server_id %s" % r["server_id"])
    an = rep.get("anomalies", {})
    for k in ("event_crc_mismatch", "event_unknown_type", "event_size_mismatch", "event_bad_body",
              "event_truncated", "frame_too_large", "frame_seq_jump", "ack_malformed",
              "ack_unmatched", "semisync_bad_magic", "conn_unexpected_packet"):
        check(an.get(k, 0) == 0, "anomaly %s = %s" % (k, an.get(k)))
    check(an.get("frame_gap_in_packet", 0) == exp["expected_gaps"], "frame_gap_in_packet")
    check(an.get("frame_resync_skipped_bytes", 0) == (exp["resync_skipped"] or 0),
          "frame_resync_skipped_bytes %s" % an.get("frame_resync_skipped_bytes"))
    # the server side resyncs exactly as expected; a mid-stream replica side may resync once
    check(an.get("frame_resync", 0) - len(crs) == exp["expected_resyncs"],
          "frame_resync %s" % an.get("frame_resync"))
    check(an.get("frame_resync_forced", 0) == 0,
          "frame_resync_forced %s (a false boundary was accepted)" % an.get("frame_resync_forced"))
    fl = rep.get("flows", {})
    check(fl.get("gaps") == exp["expected_gaps"]
          and fl.get("gap_bytes") == sum(d["len"] for d in exp["dropped"]), "flow gaps")
    check(not [k for k, v in rep.get("caps", {}).items() if v], "caps hit: %s" % rep.get("caps"))

    # ---- memory: streaming, never the whole event
    rss = max(rss_ev, rss_rep)
    if asan:
        print("skip RSS check (ASan build): %s peak %d KB" % (cur, rss))
    elif rss:
        check(rss < RSS_LIMIT_KB, "peak RSS %d KB >= %d KB for a %d-byte event"
              % (rss, RSS_LIMIT_KB, big["event_size"]))
    print("%-4s %-22s events %d, acks %d, resyncs %d, gaps %d, big event %d bytes in pieces %s, "
          "peak RSS %d KB" % ("ok" if not [f for f in failures if f.startswith(cur + ":")]
                              else "FAIL", cur, len(events), len(acks), len(rs), len(gaps),
                              big["event_size"], "+".join(map(str, big["pieces"])), rss))
    os.unlink(pcap)

print("big_event: %d variants, %d failures, %.1f s" % (len(VARIANTS), len(failures),
                                                       time.time() - t_start))
sys.exit(1 if failures else 0)
PY

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""gen_big_event: a synthetic MariaDB semisync dump conversation with a binlog event > 16 MiB.

Writes one pcap with a single TCP flow (replica 10.0.0.2:40000 -> master 10.0.0.1:3306) that
holds what tests/pcaps/lab/steady shows a MariaDB 10.11 replica and master exchange: greeting,
login, OK, the replica's setup queries with their OK/result-set replies, COM_REGISTER_SLAVE, the
semisync queries, COM_BINLOG_DUMP from master-bin.000001:4, then the dump: the artificial ROTATE,
FORMAT_DESCRIPTION, GTID_LIST and transactions GTID + TABLE_MAP + WRITE_ROWS_V1 + XID, every event
with a CRC32 checksum and every XID flagged (00 EF 01) and acked by the replica
(EF <u64 end pos> master-bin.000001, sequence 0).

One transaction (the 4th of 7 by default) carries a WRITE_ROWS_V1 event whose single row holds
--row-bytes of seeded random bytes, so its packet (00 EF 00 + event) is longer than 0xFFFFFF and
is sent as a 0xFFFFFF piece plus continuation pieces; a payload that is an exact multiple of
0xFFFFFF ends with a zero-length piece (--payload-len 16777215 makes that case directly).

Variants:
  --drop-segment-in-big-event   the capture loses one TCP segment in the middle of the big event
                                (the replica still ACKs it): a decoder must report the gap, skip
                                the rest of that event and pick the stream up at the next event
                                (the transaction's XID), with no false events in between.  Lost
                                inside a piece (--drop-where first, continuation), the piece's
                                known length leads there without a resync; lost with the
                                continuation header (boundary), only a resync can.
  --midstream                   the capture starts inside the big event (no SYN, no handshake):
                                the decoder must find the next event (the XID) the same way.

stdout: a human summary of what a correct decoder reports.  --expect FILE writes the same as JSON
(the event list in stream order with type, size, log_pos and flag; acks; where the resync must
land; the big event's pieces), which tests/scripts/big_event.sh compares with semiscope.

Python 3 standard library only; deterministic for a given set of options.
Reference: /work/shared/protocol.md (framing, semisync header, ack), MariaDB 10.11 captures in
tests/pcaps/lab/.
"""

import argparse
import json
import os
import random
import struct
import sys
import zlib

sys.dont_write_bytecode = True  # run from the source tree: leave no __pycache__ in it
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen_pcap"))
from gen_pcap import C2S, S2C, T0, Flow, Pcap, us  # noqa: E402

MAX_PIECE = 0xFFFFFF
SEGMENT = 1448
CHUNK = 64 * 1024          # the master's writes: the replica ACKs after each
BINLOG = b"master-bin.000001"
MASTER_ID, REPLICA_ID = 1, 2
TS_EVENT = 0x6B025476      # event timestamps (2026-11-22, as in the lab captures)

# event type codes
ROTATE, FDE, XID, TABLE_MAP, WRITE_ROWS_V1 = 4, 15, 16, 19, 23
MARIA_GTID, MARIA_GTID_LIST = 162, 163
NAMES = {ROTATE: "ROTATE", FDE: "FORMAT_DESCRIPTION", XID: "XID", TABLE_MAP: "TABLE_MAP",
         WRITE_ROWS_V1: "WRITE_ROWS_V1", MARIA_GTID: "MARIADB_GTID",
         MARIA_GTID_LIST: "MARIADB_GTID_LIST"}

# FORMAT_DESCRIPTION body of 10.11.19-MariaDB-0+deb12u1-log (from tests/pcaps/lab/steady): binlog
# version 4, server version (50 bytes), create time, header length 19, post-header lengths, and
# the checksum algorithm byte 01 (CRC32).
FDE_BODY = bytes.fromhex(
    "040031302e31312e31392d4d6172696144422d302b646562313275312d6c6f6700000000000000000000000000000000"
    "000000007654026b13380d000800120004040404120000e400041a08000000080808020000000a0a0a0000000000000a"
    "0a0a00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000000000041304000d0808080a0a0a01")
assert len(FDE_BODY) == 229


# ---- MySQL packets ----------------------------------------------------------------------------

def packets(payload, seq):
    """One logical packet as wire pieces: 0xFFFFFF-byte pieces, then the rest (0 bytes when the
    payload is an exact multiple). Returns (bytes, next seq, piece lengths)."""
    out, lens, off = [], [], 0
    while True:
        n = min(MAX_PIECE, len(payload) - off)
        out.append(struct.pack("<I", n)[:3] + bytes([seq & 0xFF]) + payload[off:off + n])
        lens.append(n)
        seq += 1
        off += n
        if n < MAX_PIECE:
            return b"".join(out), seq, lens


def lenenc_int(n):
    if n < 251:
        return bytes([n])
    if n < 1 << 16:
        return b"\xfc" + struct.pack("<H", n)
    if n < 1 << 24:
        return b"\xfd" + struct.pack("<I", n)[:3]
    return b"\xfe" + struct.pack("<Q", n)


def lenenc_str(s):
    return lenenc_int(len(s)) + s


def column_def(schema, table, org_table, name, org_name, charset, length, ctype, flags, dec):
    return (lenenc_str(b"def") + lenenc_str(schema) + lenenc_str(table) + lenenc_str(org_table)
            + lenenc_str(name) + lenenc_str(org_name) + b"\x0c"
            + struct.pack("<HIBHB", charset, length, ctype, flags, dec) + b"\0\0")


EOF_PKT = b"\xfe\x00\x00\x02\x00"
OK_PKT = b"\x00\x00\x00\x02\x00\x00\x00"


def result_set(cols, row):
    """Column count, column definitions, EOF, one text row, EOF (no CLIENT_DEPRECATE_EOF, as the
    10.11 replica's capabilities show). Returns payloads, sequence numbers from 1."""
    pl = [lenenc_int(len(cols))] + cols + [EOF_PKT]
    pl.append(b"".join(lenenc_str(v) for v in row))
    pl.append(EOF_PKT)
    return pl


def show_vars_cols():
    return [column_def(b"information_schema", b"SESSION_VARIABLES", b"SESSION_VARIABLES",
                       b"Variable_name", b"VARIABLE_NAME", 8, 64, 0xFD, 0x1001, 0),
            column_def(b"information_schema", b"SESSION_VARIABLES", b"SESSION_VARIABLES",
                       b"Value", b"VARIABLE_VALUE", 8, 0x1000, 0xFD, 0x1001, 0)]


def greeting():
    scramble = b"]n1IYeo}" + b"I1ZPb|hu4B._"
    return (b"\x0a" + b"5.5.5-10.11.19-MariaDB-0+deb12u1-log\0" + struct.pack("<I", 14)
            + scramble[:8] + b"\0" + struct.pack("<HBHH", 0xF7FE, 8, 0x0002, 0x81FF)
            + bytes([21]) + b"\0" * 6 + struct.pack("<I", 0x1D) + scramble[8:] + b"\0"
            + b"mysql_native_password\0")


def login():
    attrs = b"".join(lenenc_str(k) + lenenc_str(v) for k, v in (
        (b"_os", b"debian-linux-gnu"), (b"_client_name", b"libmysql"), (b"_pid", b"18899"),
        (b"_client_version", b"10.11.19"), (b"_server_host", b"10.0.0.1"),
        (b"_platform", b"x86_64")))
    auth = bytes(range(0x40, 0x54))  # 20 bytes; the value is never checked
    return (struct.pack("<IIB", 0x8038A205, 0x4000037B, 8) + b"\0" * 23 + b"repl\0"
            + bytes([len(auth)]) + auth + b"mysql_native_password\0" + lenenc_str(attrs))


def setup_conversation():
    """(C2S payload, [S2C payloads]) of the replica's setup, in the 10.11.19 order."""
    q = lambda s: b"\x03" + s  # noqa: E731
    one = lambda name, t, l, val, cs=63, fl=0x0081, dec=0: result_set(  # noqa: E731
        [column_def(b"", b"", b"", name, b"", cs, l, t, fl, dec)], [val])
    convo = [
        (q(b"SELECT UNIX_TIMESTAMP()"), one(b"UNIX_TIMESTAMP()", 0x08, 17, b"1795314808")),
        (q(b"SHOW VARIABLES LIKE 'SERVER_ID'"), result_set(show_vars_cols(),
                                                           [b"server_id", b"1"])),
        (q(b"SET @master_heartbeat_period= 30000001024"), [OK_PKT]),
        (q(b"SET @master_binlog_checksum= @@global.binlog_checksum"), [OK_PKT]),
        (q(b"SELECT @master_binlog_checksum"),
         one(b"@master_binlog_checksum", 0xFB, 0xFFFFFF, b"CRC32", 8, 0, 0x27)),
        (q(b"SET @mariadb_slave_capability=4"), [OK_PKT]),
        (q(b"SELECT binlog_gtid_pos('master-bin.000001',4)"),
         one(b"binlog_gtid_pos('master-bin.000001',4)", 0xFB, 0x1000000, b"", 8, 0, 0x27)),
        (b"\x15" + struct.pack("<I", REPLICA_ID) + lenenc_str(b"10.0.0.2") + b"\0\0"
         + struct.pack("<HII", 13307, 0, 0), [OK_PKT]),
        (q(b"SHOW VARIABLES LIKE 'rpl_semi_sync_master_enabled'"),
         result_set(show_vars_cols(), [b"rpl_semi_sync_master_enabled", b"ON"])),
        (q(b"SET @rpl_semi_sync_slave= 1"), [OK_PKT]),
    ]
    return convo


# ---- binlog events ----------------------------------------------------------------------------

class Binlog:
    """Positions, headers and checksums of the events the master sends."""

    def __init__(self):
        self.pos = 4
        self.events = []   # dicts in stream order

    def event(self, etype, body, flags=0, artificial=False, ts=TS_EVENT):
        size = 19 + len(body) + 4
        log_pos = 0 if artificial else self.pos + size
        hdr = struct.pack("<IBIIIH", 0 if artificial else ts, etype, MASTER_ID, size, log_pos,
                          flags)
        ev = hdr + body
        ev += struct.pack("<I", zlib.crc32(ev) & 0xFFFFFFFF)
        if not artificial:
            self.pos += size
        self.events.append({"type": etype, "name": NAMES[etype], "size": size,
                            "log_pos": log_pos, "flagged": False})
        return ev

    def rotate(self):
        return self.event(ROTATE, struct.pack("<Q", 4) + BINLOG, flags=0x20, artificial=True)

    def fde(self):
        return self.event(FDE, FDE_BODY)

    def gtid_list(self):
        return self.event(MARIA_GTID_LIST, b"\0" * 6)

    def gtid(self, seq_no):
        return self.event(MARIA_GTID, struct.pack("<QIB", seq_no, 0, 0x0C) + b"\0" * 6, flags=8)

    def table_map(self):
        # lab.big (id INT PRIMARY KEY, b LONGBLOB): types INT, BLOB; BLOB metadata 4 (length
        # bytes); null bitmap: b nullable.
        return self.event(TABLE_MAP, struct.pack("<IHH", 19, 0, 1) + b"\x03lab\0\x03big\0"
                          + b"\x02\x03\xfc" + b"\x01\x04" + b"\x02")

    def write_rows(self, row_id, blob):
        # table id, STMT_END_F, 2 columns, both present; row: null bitmap, INT, 4-byte length
        # + blob bytes.
        return self.event(WRITE_ROWS_V1, struct.pack("<IHH", 19, 0, 1) + b"\x02\x03"
                          + b"\xfc" + struct.pack("<iI", row_id, len(blob)) + blob)

    def xid(self, xid):
        return self.event(XID, struct.pack("<Q", xid))


WRITE_ROWS_OVERHEAD = 19 + 8 + 2 + 1 + 8 + 4  # header, post-header, cols+bitmap, nulls, INT+len, CRC


# ---- the capture ------------------------------------------------------------------------------

class GatedPcap(Pcap):
    """A Pcap that drops frames until `recording` is set (a capture started mid-stream)."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.recording = True

    def write(self, ts_ns, frame):
        if self.recording:
            return super().write(ts_ns, frame)
        self.last_ts = max(self.last_ts, int(ts_ns))
        return 0


def build(args):
    rng = random.Random(args.seed)
    payload_len = args.payload_len or (3 + WRITE_ROWS_OVERHEAD + args.row_bytes)
    row_bytes = payload_len - 3 - WRITE_ROWS_OVERHEAD
    if row_bytes < 0:
        raise SystemExit("--payload-len too small (minimum %d)" % (3 + WRITE_ROWS_OVERHEAD))
    if not 1 <= args.big_txn <= args.txns:
        raise SystemExit("--big-txn must be within 1..--txns")

    pc = GatedPcap(args.output, link="ether", nano=True, snaplen=65535)
    f = Flow(pc, client=("10.0.0.2", 40000), server=("10.0.0.1", 3306),
             client_isn=0x1000, server_isn=0x70000000, step_ns=us(20))
    if args.midstream:
        pc.recording = False
    else:
        f.handshake()

    # handshake and setup: requests from the replica (seq 0), replies from seq 1
    f.send(S2C, packets(greeting(), 0)[0])
    f.send(C2S, packets(login(), 1)[0])
    f.send(S2C, packets(OK_PKT, 2)[0])
    for req, replies in setup_conversation():
        f.send(C2S, packets(req, 0)[0])
        f.send(S2C, b"".join(packets(p, i + 1)[0] for i, p in enumerate(replies)))
    f.send(C2S, packets(b"\x12" + struct.pack("<IHI", 4, 0, REPLICA_ID) + BINLOG, 0)[0])

    bl = Binlog()
    st = {"seq": 1, "stream": [], "pending": 0}   # master bytes not yet sent

    def queue(ev, flag=0):
        """Frame the event just made by bl as a dump packet and queue it; note its offsets."""
        wire, st["seq"], lens = packets(b"\x00\xef" + bytes([flag]) + ev, st["seq"])
        e = bl.events[-1]
        e["flagged"] = bool(flag)
        e["stream_offset"] = f.offset(S2C, f.nxt[S2C]) + st["pending"]
        e["stream_end"] = e["stream_offset"] + len(wire)
        st["stream"].append(wire)
        st["pending"] += len(wire)
        return wire, lens

    def flush():
        data = b"".join(st["stream"])
        st["stream"].clear()
        st["pending"] = 0
        f.send(S2C, data, segment_size=SEGMENT)

    for make in (bl.rotate, bl.fde, bl.gtid_list):
        queue(make())   # one at a time: queue() annotates the event bl made last
    flush()

    acks, big = [], None
    for t in range(1, args.txns + 1):
        queue(bl.gtid(100 + t))
        queue(bl.table_map())
        if t == args.big_txn:
            flush()
            blob = bytearray(rng.randbytes(row_bytes))
            if args.fake_events_in_row:
                plant_fakes(blob, bl.pos)
            ev = bl.write_rows(t, bytes(blob))
            del blob
            wire, lens = queue(ev)
            st["stream"].clear()
            st["pending"] = 0
            e = bl.events[-1]
            big = {"index": len(bl.events) - 1, "stream_offset": e["stream_offset"],
                   "wire_bytes": len(wire), "payload_len": 3 + len(ev), "pieces": lens,
                   "event_size": len(ev), "log_pos": e["log_pos"], "row_bytes": row_bytes}
            del ev
            send_big(f, pc, wire, big, args)
            del wire
        else:
            queue(bl.write_rows(t, b"row-%d" % t))
        queue(bl.xid(1000 + t), flag=1)
        flush()
        ack_ts = f.tick() + us(150)
        f.send(C2S, packets(b"\xef" + struct.pack("<Q", bl.pos) + BINLOG, 0)[0], ts=ack_ts)
        acks.append({"pos": bl.pos, "for_event": len(bl.events) - 1})
    pc.close()
    # The capture ends with the connection open and idle, as the lab captures do.
    return expectations(args, bl, acks, big, f, pc)


def piece_payloads(big):
    """Stream offset ranges of the big event's piece payloads (between the 4-byte headers)."""
    out, off = [], big["stream_offset"]
    for n in big["pieces"]:
        out.append((off + 4, off + 4 + n))
        off += 4 + n
    return out


def known_length_skip(big, start, end):
    """A loss inside one piece's payload, ending no later than the piece: the piece header already
    told the decoder where the next header is, so it abandons the event and carries on framing
    there (no resync).  A loss that swallows a header leaves only a resync."""
    return any(ps <= start and end <= pe for ps, pe in piece_payloads(big))


def expectations(args, bl, acks, big, f, pc):
    """What a correct decoder reports.  Server bytes are lost before the capture start
    (--midstream) or in a dropped segment; the decoder then resumes at the first event packet
    that starts at or after the end of the loss.  A segment lost inside a piece of known length
    is skipped without a resync; otherwise (a continuation header lost, or a mid-stream start) the
    decoder reports one resync that skipped the bytes in between.  Events whose packet overlaps a
    loss are not reported; planted fake events (--fake-events-in-row) never are."""
    losses = [(o, o + n) for o, n in f.dropped[S2C]]
    skips = sum(1 for o, e in losses if known_length_skip(big, o, e))
    if args.midstream:
        losses.append((0, big["capture_starts_at_offset"]))
    resync = len(losses) > skips
    resume = max((end for _, end in losses), default=None)
    kept, landing = [], None
    for e in bl.events:
        hit = any(e["stream_offset"] < end and e["stream_end"] > start for start, end in losses)
        if resume is not None and e["stream_end"] <= min(s for s, _ in losses):
            kept.append(e)              # wholly before the (single) loss
        elif resume is None or (not hit and e["stream_offset"] >= resume):
            if resync and landing is None:
                landing = e
            kept.append(e)
    kept_idx = {id(e) for e in kept}
    exp = {"generator": "tools/gen_big_event.py",
           "options": dict(vars(args), output=os.path.basename(args.output)),
           "flow": {"client": "10.0.0.2:40000", "server": "10.0.0.1:3306"},
           "binlog_file": BINLOG.decode(), "events": bl.events,
           "acks": [a["pos"] for a in acks], "big_event": big, "end_pos": bl.pos,
           "frames": pc.frames,
           "dropped": [{"offset": o, "len": n} for o, n in f.dropped[S2C]],
           "expected_events": kept,
           # an ack is expected (and matched) when the XID it answers was decoded
           "expected_acks": [a["pos"] for a in acks if id(bl.events[a["for_event"]]) in kept_idx],
           "expected_flagged": sum(1 for e in kept if e["flagged"]),
           "expected_gaps": len(f.dropped[S2C]),
           "expected_resyncs": 1 if resync else 0,
           "expected_known_length_skips": skips,
           "resync_lands_on": landing,
           "resync_skipped": landing["stream_offset"] - resume if landing else None}
    return exp


ROW_IN_PAYLOAD = 3 + WRITE_ROWS_OVERHEAD - 4   # payload offset of the row's first byte (41)


def plant_fakes(blob, pos):
    """Every MiB of the row, and 2 KiB after each continuation header (past the segment
    --drop-where boundary loses, where a resync scan starts), a well-formed dump packet (an XID
    event with a valid CRC, flagged) followed by the header of another: what a resync scan could
    take for the real stream.  A decoder that skips to the packet end it already knows (the
    0xFFFFFF piece header and TCP's gap length give it) never looks at them; one that must scan
    has to reject them (the GTID after the XID has no valid CRC)."""
    offs = list(range(1 << 20, len(blob) - 256, 1 << 20))
    offs += [k * MAX_PIECE - ROW_IN_PAYLOAD + 2048
             for k in range(1, len(blob) // MAX_PIECE + 1)
             if k * MAX_PIECE - ROW_IN_PAYLOAD + 2048 < len(blob) - 256]
    for k, off in enumerate(sorted(offs)):
        body = struct.pack("<Q", 900000 + k)
        size = 19 + len(body) + 4
        hdr = struct.pack("<IBIIIH", TS_EVENT, XID, MASTER_ID, size, pos + 1000 + size, 0)
        ev = hdr + body
        ev += struct.pack("<I", zlib.crc32(ev) & 0xFFFFFFFF)
        pkt = struct.pack("<I", 3 + size)[:3] + b"\x07" + b"\x00\xef\x01" + ev
        nxt = struct.pack("<I", 3 + 42)[:3] + b"\x08" + b"\x00\xef\x00" + struct.pack(
            "<IBIIIH", TS_EVENT, MARIA_GTID, MASTER_ID, 42, pos + 1000 + size + 42, 8)
        blob[off:off + len(pkt) + len(nxt)] = pkt + nxt


def drop_target(big, where):
    """Stream offset of a byte whose TCP segment the capture loses."""
    start = big["stream_offset"]
    cont_hdr = start + 4 + MAX_PIECE             # the first continuation piece's header
    return {"first": start + MAX_PIECE // 2,
            "boundary": cont_hdr,
            "continuation": cont_hdr + 4 + big["pieces"][1] // 2}[where]


def send_big(f, pc, wire, big, args):
    """The big event's packet(s) in CHUNK-sized writes (the replica ACKs each); the variants
    damage it here."""
    drop_at = drop_target(big, args.drop_where) if args.drop_segment_in_big_event else None
    chunks = [wire[i:i + CHUNK] for i in range(0, len(wire), CHUNK)]
    for i, c in enumerate(chunks):
        off = f.offset(S2C, f.nxt[S2C])
        if args.midstream and i == len(chunks) // 2:
            pc.recording = True
            big["capture_starts_at_offset"] = off
        if drop_at is not None and off <= drop_at < off + len(c):
            k = (drop_at - off) // SEGMENT * SEGMENT
            f.send(S2C, c[:k], segment_size=SEGMENT)
            f.drop_next(1, S2C)   # lost by the capture; the replica's ACK still covers it
            f.send(S2C, c[k:], segment_size=SEGMENT)
            continue
        f.send(S2C, c, segment_size=SEGMENT)


def summary(exp):
    from collections import Counter
    lines = []
    big = exp["big_event"]
    lines.append("big event: WRITE_ROWS_V1 size %d, packet payload %d = pieces %s, log_pos %d, "
                 "stream offset %d" % (big["event_size"], big["payload_len"],
                                       "+".join(map(str, big["pieces"])), big["log_pos"],
                                       big["stream_offset"]))
    if exp["dropped"]:
        lines.append("capture loses: %s" % ", ".join("offset %d len %d" % (d["offset"], d["len"])
                                                      for d in exp["dropped"]))
    if big.get("capture_starts_at_offset") is not None:
        lines.append("capture starts mid-stream at server offset %d" %
                     big["capture_starts_at_offset"])
    c = Counter(e["name"] for e in exp["expected_events"])
    lines.append("expected events: %d (%s)" % (len(exp["expected_events"]),
                                               ", ".join("%s %d" % kv for kv in sorted(c.items()))))
    lines.append("expected flagged (ack requested) XIDs: %d" % exp["expected_flagged"])
    lines.append("expected acks: %d at %s" % (len(exp["expected_acks"]),
                                             " ".join(map(str, exp["expected_acks"]))))
    lines.append("expected resyncs: %d%s" % (exp["expected_resyncs"],
                 " (onto %s log_pos %d, skipping %d bytes)" % (
                     exp["resync_lands_on"]["name"], exp["resync_lands_on"]["log_pos"],
                     exp["resync_skipped"])
                 if exp["resync_lands_on"] else ""))
    lines.append("binlog end position: %s:%d; frames written: %d" % (exp["binlog_file"],
                                                                    exp["end_pos"], exp["frames"]))
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("-o", "--output", required=True, help="pcap to write")
    ap.add_argument("--expect", help="write the expected decode summary as JSON here")
    ap.add_argument("--row-bytes", type=int, default=17 * 1024 * 1024 + 5,
                    help="random bytes in the big row (default 17 MiB + 5)")
    ap.add_argument("--payload-len", type=int, default=0,
                    help="make the big event's packet payload exactly this long instead "
                         "(16777215: a 0xFFFFFF piece and a zero-length piece)")
    ap.add_argument("--txns", type=int, default=7, help="transactions (default 7)")
    ap.add_argument("--big-txn", type=int, default=4, help="which one is big (default 4)")
    ap.add_argument("--seed", type=int, default=1, help="random seed of the row bytes")
    ap.add_argument("--drop-segment-in-big-event", action="store_true")
    ap.add_argument("--drop-where", choices=("first", "boundary", "continuation"),
                    default="first", help="which segment: in the middle of the 0xFFFFFF piece "
                    "(default), the one holding the continuation header, or inside the "
                    "continuation")
    ap.add_argument("--midstream", action="store_true")
    ap.add_argument("--fake-events-in-row", action="store_true",
                    help="plant well-formed event packets in the big row every MiB (adversarial)")
    args = ap.parse_args(argv)
    exp = build(args)
    if args.expect:
        with open(args.expect, "w") as fh:
            json.dump(exp, fh, indent=1)
            fh.write("\n")
    print(summary(exp))
    return 0


if __name__ == "__main__":
    sys.exit(main())

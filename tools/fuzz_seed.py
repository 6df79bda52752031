#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# fuzz_seed.py: seed corpora for the fuzz targets (docs/fuzzing.md).
#
# tools/fuzz_seed.py pcap [--max BYTES] [--pieces N] OUTDIR PCAP...
#   Cut classic pcap files into small pcaps, each with the original's file header, to seed
#   fuzz_pipeline. Real lab captures are too big for the fuzzer to mutate usefully; pieces of at
#   most --max bytes keep whole records, so every piece is a valid capture that starts either at
#   a connection's handshake (the first piece) or mid-stream (the others), both of which the
#   decoder must handle. Writes OUTDIR/<scenario>-<k> (the scenario is the parent folder's name
#   for tests/pcaps/lab/<scenario>/capture.pcap, else the file's stem). --pieces keeps at most N
#   pieces per capture, spread evenly over it (first and last always kept).
#
# tools/fuzz_seed.py flow OUTDIR
#   Write fuzz_flow's seeds: segment scripts in that target's record format (see the comment at
#   the top of tests/fuzz/fuzz_flow.c) for a handshake and clean close, reordering, snaplen cuts,
#   sequence wrap-around, idle expiry, resets, mid-stream pickup and flow-table eviction.
#
# tools/fuzz_seed.py dump OUTDIR BINLOG...
#   Wrap binlog files (e.g. the MySQL 5.7/8.0 ones of ../shared/testdata) into pcaps of a
#   semisync replica session: MySQL 8 greeting, login, SET @rpl_semi_sync_slave=1,
#   COM_REGISTER_SLAVE, COM_BINLOG_DUMP, then the file's events (≤ 16 KB of them) each behind the
#   0x00 marker and the EF semisync header, ack-requested on XID, with the replica's ack after
#   each. tools/fuzz.sh adds these to fuzz_pipeline's scratch corpus when the testdata folder is
#   there (they are not committed: the binlogs are third-party files), so the MySQL event bodies
#   (GTID, TRANSACTION_PAYLOAD, …) get fuzzed too, not only what the MariaDB lab captures carry.
#
# tools/fuzz_seed.py analysis OUTDIR
#   Write fuzz_analysis's seeds: message scripts in that target's record format (see
#   tests/fuzz/fuzz_analysis.c) for a healthy semisync replica, a replica that stops acking
#   (timeout, OFF, recovery), cumulative and late acks, reconnects, and a KILL connection.
#
# Deterministic: the same inputs give the same files, so re-running it changes nothing.
import argparse
import os
import struct
import sys

PCAP_MAGICS = {
    b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">",  # microsecond
    b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\x3c\x4d": ">",  # nanosecond
}


def records(data, endian):
    """Yield (start, end) byte ranges of whole records after the 24-byte file header."""
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack_from(endian + "I", data, off + 8)[0]
        end = off + 16 + caplen
        if end > len(data):
            return  # a last record cut short: drop it, as libpcap would
        yield off, end
        off = end


def cut(data, max_bytes):
    endian = PCAP_MAGICS.get(data[:4])
    if endian is None:
        raise ValueError("not a classic pcap file (pcapng is not supported)")
    header = data[:24]
    pieces, cur = [], bytearray()
    for s, e in records(data, endian):
        rec = data[s:e]
        if len(rec) + 24 > max_bytes:
            continue  # one record larger than a piece: skip it
        if cur and 24 + len(cur) + len(rec) > max_bytes:
            pieces.append(header + bytes(cur))
            cur = bytearray()
        cur += rec
    if cur:
        pieces.append(header + bytes(cur))
    return pieces


def spread(pieces, n):
    if n <= 0 or len(pieces) <= n:
        return list(enumerate(pieces))
    if n == 1:
        return [(0, pieces[0])]
    idx = sorted({round(i * (len(pieces) - 1) / (n - 1)) for i in range(n)})
    return [(i, pieces[i]) for i in idx]


def name_for(path):
    parent = os.path.basename(os.path.dirname(os.path.abspath(path)))
    stem = os.path.splitext(os.path.basename(path))[0]
    return parent if stem == "capture" else stem


# ---- fuzz_flow seeds ----

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
# fuzz_flow.c's initial sequence cursors per slot and direction (client, server)
ISN = [(0xFFFFFC00, 0x10000000), (1000, 2000), (0x7FFFFF00, 0x80000100), (0, 0xFFFFFFFF)]
M32 = 0xFFFFFFFF


def sdiff(a, b):
    d = (a - b) & M32
    return d - (1 << 32) if d >= 1 << 31 else d


class Script:
    """Builds fuzz_flow records, tracking the harness's sequence cursors so that segments can be
    placed at stream positions: `at` counts from the direction's initial cursor (the SYN takes
    position 0 when there is one, so the first data byte after a handshake is at 1)."""

    def __init__(self, cfg):
        self.out = bytearray(cfg)
        self.cur = [list(p) for p in ISN]

    def seg(self, slot, rev, flags, at=None, length=0, cut=0, ack=True, tstep=1,
            conflict=False):
        d = rev
        base = ISN[slot][d]
        seq = self.cur[slot][d] if at is None else (base + at) & M32
        delta = sdiff(seq, self.cur[slot][d])
        wide = not -128 <= delta <= 127
        assert -32768 <= delta <= 32767
        b0 = slot | (rev << 2) | (wide << 3) | (conflict << 5) | ((cut > 0) << 6)
        if ack:
            flags |= ACK
        dd = delta & 0xFFFF
        self.out += bytes([b0, flags, dd & 0xFF, dd >> 8, length, (cut << 1) & 0xFF, 0, tstep])
        first = (seq + (1 if flags & SYN else 0)) & M32
        end = (first + length + (1 if flags & FIN else 0)) & M32
        if sdiff(end, self.cur[slot][d]) > 0:
            self.cur[slot][d] = end
        return self

    def handshake(self, slot):
        self.seg(slot, 0, SYN, ack=False)
        self.seg(slot, 1, SYN)
        return self.seg(slot, 0, 0)

    def close(self, slot):
        self.seg(slot, 0, FIN)
        self.seg(slot, 1, FIN)
        return self.seg(slot, 0, 0)

    def bytes(self):
        return bytes(self.out)


def flow_seeds():
    # cfg bytes: [0] max_flows-1 (bits 0-1), idle timeout 5 s (bit 2); [1] memcap 256+32x;
    # [2] per-direction cap 16+8x; [3] gap_after 16+16x
    roomy = bytes([3, 255, 255, 255])
    seeds = {}
    s = Script(roomy).handshake(0)
    s.seg(0, 0, PSH, length=60).seg(0, 1, PSH, length=200).seg(0, 0, 0)
    s.seg(0, 1, PSH, length=200).seg(0, 0, 0)
    seeds["handshake_close"] = s.close(0).bytes()
    # the 3rd segment first, then the 2nd, then the 1st; then a retransmission of the middle
    s = Script(roomy).handshake(1)
    s.seg(1, 1, 0, at=201, length=100).seg(1, 1, 0, at=101, length=100)
    s.seg(1, 1, 0, at=1, length=100).seg(1, 1, 0, at=101, length=100).seg(1, 0, 0)
    seeds["reorder"] = s.close(1).bytes()
    s = Script(roomy).handshake(0)
    s.seg(0, 1, 0, length=250, cut=100).seg(0, 1, 0, length=250, cut=20).seg(0, 0, 0)
    seeds["snaplen_cut"] = s.close(0).bytes()
    # slot 0's client starts 1024 bytes before 2^32: the stream crosses the wrap
    s = Script(roomy).handshake(0)
    for _ in range(6):
        s.seg(0, 0, PSH, length=255).seg(0, 1, 0)
    seeds["wrap"] = s.close(0).bytes()
    s = Script(bytes([7, 255, 255, 255])).handshake(1)
    s.seg(1, 0, 0, length=10).seg(2, 1, 0, length=10, tstep=0x40 | 20).seg(1, 1, 0, length=10)
    seeds["idle_expiry"] = s.bytes()
    s = Script(roomy).handshake(3)
    s.seg(3, 1, 0, length=40).seg(3, 0, RST)
    seeds["reset"] = s.bytes()
    # no SYN, server on a port that is not a hint: sides from the port guess; a hole
    s = Script(roomy)
    s.seg(2, 1, PSH, at=0, length=120).seg(2, 0, 0).seg(2, 1, PSH, at=170, length=120)
    s.seg(2, 1, PSH, at=120, length=50)
    seeds["midstream"] = s.bytes()
    s = Script(bytes([1, 255, 255, 255]))
    for slot in range(4):
        s.handshake(slot).seg(slot, 0, 0, length=30)
    seeds["evict"] = s.bytes()
    # tiny caps: out-of-order segments ahead of a hole overflow the memcap and per-direction cap
    s = Script(bytes([0, 4, 30, 40])).handshake(0)
    for i in range(8):
        s.seg(0, 1, 0, at=301 + 60 * i, length=40)
    s.seg(0, 1, 0, at=1, length=255)
    seeds["caps"] = s.close(0).bytes()
    s = Script(roomy).handshake(0)
    s.seg(0, 1, 0, at=51, length=100).seg(0, 1, 0, at=21, length=100, conflict=True)
    s.seg(0, 1, 0, at=1, length=60)
    seeds["conflict"] = s.close(0).bytes()
    return seeds


# ---- dump-stream pcaps from binlog files ----

def mysql_packet(seq, payload):
    return struct.pack("<I", len(payload))[:3] + bytes([seq & 0xFF]) + payload


def greeting():
    caps = 0x0001 | 0x0200 | 0x8000 | 0x00080000 | 0x00008000  # LONG_PASSWORD, 4.1, SECURE, PLUGIN
    return (b"\x0a" + b"8.0.36\x00" + struct.pack("<I", 77) + b"abcdefgh\x00"
            + struct.pack("<H", caps & 0xFFFF) + b"\xff" + struct.pack("<H", 2)
            + struct.pack("<H", caps >> 16) + b"\x15" + b"\x00" * 10 + b"ijklmnopqrst\x00"
            + b"caching_sha2_password\x00")


def login():
    caps = 0x0001 | 0x0200 | 0x8000 | 0x00080000
    return (struct.pack("<IIB", caps, 1 << 24, 0xFF) + b"\x00" * 23 + b"repl\x00" + b"\x00"
            + b"caching_sha2_password\x00")


OK = b"\x00\x00\x00\x02\x00\x00\x00"


def binlog_events(data, limit):
    off, out = 4, []
    while off + 19 <= len(data) and off < limit:
        size = struct.unpack_from("<I", data, off + 9)[0]
        if size < 19 or off + size > len(data):
            break
        out.append(data[off:off + size])
        off += size
    return out


def dump_pcap(path, binlog, name):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen_pcap"))
    from gen_pcap import Pcap, Flow, C2S, S2C  # noqa: E402 (only this mode needs it)
    with open(binlog, "rb") as f:
        data = f.read()
    if data[:4] != b"\xfebin":
        raise ValueError("not a binlog file")
    with Pcap(path, nano=True) as pc:
        fl = Flow(pc, client=("10.0.0.2", 40000), server=("10.0.0.1", 3306))
        fl.handshake()
        fl.send(S2C, mysql_packet(0, greeting()))
        fl.send(C2S, mysql_packet(1, login()))
        fl.send(S2C, mysql_packet(2, OK))
        for q in (b"SET @master_binlog_checksum = @@global.binlog_checksum",
                  b"SET @rpl_semi_sync_slave = 1"):
            fl.send(C2S, mysql_packet(0, b"\x03" + q))
            fl.send(S2C, mysql_packet(1, OK))
        host = b"replica1"
        reg = (b"\x15" + struct.pack("<I", 2) + bytes([len(host)]) + host + b"\x00\x00"
               + struct.pack("<HII", 3306, 0, 0))
        fl.send(C2S, mysql_packet(0, reg))
        fl.send(S2C, mysql_packet(1, OK))
        fl.send(C2S, mysql_packet(0, b"\x12" + struct.pack("<IHI", 4, 0, 2) + name.encode()))
        seq = 1
        for ev in binlog_events(data, 16 * 1024):
            etype, log_pos = ev[4], struct.unpack_from("<I", ev, 13)[0]
            want_ack = etype == 16  # XID
            fl.send(S2C, mysql_packet(seq, b"\x00\xef" + bytes([1 if want_ack else 0]) + ev))
            seq += 1
            if want_ack:
                fl.send(C2S, mysql_packet(0, b"\xef" + struct.pack("<Q", log_pos) + name.encode()))
                seq = 1  # the reset after an ack-requested event (protocol.md)
        fl.close(first=C2S)


def main_dump(outdir, binlogs):
    os.makedirs(outdir, exist_ok=True)
    for b in binlogs:
        stem = os.path.basename(os.path.dirname(os.path.abspath(b))) + "-" + os.path.basename(b)
        try:
            dump_pcap(os.path.join(outdir, "dump-" + stem + ".pcap"), b, os.path.basename(b))
        except (ValueError, OSError) as e:
            print(f"fuzz_seed: {b}: {e}", file=sys.stderr)
    return 0


# ---- fuzz_analysis seeds ----

# record kinds (bits 3-6 of byte 0) and event type indexes into fuzz_analysis.c's fa_types
K_EVENT, K_ACK, K_CMD, K_REPLY, K_GREET, K_GAP, K_RESYNC, K_TCPACK, K_END = 0, 4, 7, 8, 9, 10, 11, 12, 14
T_XID, T_GTID, T_QUERY, T_ROTATE, T_FDE, T_HB, T_MGTID, T_ROWS = 0, 1, 2, 3, 4, 5, 6, 7
C_REGISTER, C_DUMP, C_SEMISYNC, C_KILL = 0, 1, 2, 3


def msg(slot, kind, tstep=1, fileidx=0, delta=0, sel=0, size=40, flags=0, wrong=False):
    d = delta & 0xFFFF
    return bytes([slot | (kind << 3) | (wrong << 7), tstep, fileidx | (4 if delta else 0),
                  d & 0xFF, d >> 8, sel, size, flags])


def replica_setup(slot, server_id):
    return (msg(slot, K_GREET, flags=7) + msg(slot, K_CMD, sel=C_REGISTER, flags=server_id)
            + msg(slot, K_REPLY) + msg(slot, K_CMD, sel=C_SEMISYNC, flags=1) + msg(slot, K_REPLY)
            + msg(slot, K_CMD, sel=C_DUMP, flags=server_id)
            + msg(slot, K_EVENT, sel=T_ROTATE, flags=8) + msg(slot, K_EVENT, sel=T_FDE))


def trx(slot, acked=True, ack_step=2, gtid=T_GTID):
    out = msg(slot, K_EVENT, sel=gtid) + msg(slot, K_EVENT, sel=T_ROWS, size=120) \
        + msg(slot, K_EVENT, sel=T_XID, flags=1)  # XID with the ack-request flag
    if acked:
        out += msg(slot, K_TCPACK, tstep=1, size=0) + msg(slot, K_ACK, tstep=ack_step)
    return out


def analysis_seeds():
    seeds = {}
    seeds["healthy"] = bytes([0]) + replica_setup(0, 0) + replica_setup(2, 1) + b"".join(
        trx(0) + trx(2, ack_step=5) for _ in range(6))
    # replica 2 stops acking for longer than the 50 ms timeout, then comes back
    seeds["timeout_recovery"] = bytes([4]) + replica_setup(0, 0) + b"".join(
        trx(0) for _ in range(3)) + b"".join(trx(0, acked=False) for _ in range(3)) \
        + msg(0, K_EVENT, tstep=0x40 | 2, sel=T_HB) + b"".join(trx(0) for _ in range(3))
    # acks that release several requests at once, then one for a position already acked
    seeds["cumulative_late"] = bytes([2]) + replica_setup(1, 2) + b"".join(
        trx(1, acked=False, gtid=T_MGTID) for _ in range(4)) + msg(1, K_ACK, tstep=3) \
        + msg(1, K_ACK, delta=-300) + msg(1, K_ACK, fileidx=8 | 2)
    # a replica reconnects (END, setup again), a KILL-only connection from the same host
    seeds["reconnect_kill"] = bytes([0]) + replica_setup(0, 0) + trx(0) + trx(0, acked=False) \
        + msg(0, K_END, sel=1) + msg(5, K_CMD, sel=C_KILL, flags=9) + msg(5, K_END) \
        + replica_setup(0, 0) + trx(0) + msg(0, K_GAP, flags=1) + msg(0, K_RESYNC, flags=3) \
        + trx(0)
    # tiny caps: more replicas, pending requests and timeline buckets than kept
    seeds["caps"] = bytes([1]) + b"".join(replica_setup(s, s) for s in range(4)) + b"".join(
        trx(s, acked=(i % 3 != 0)) + msg(s, K_EVENT, tstep=0x40 | 1, sel=T_HB)
        for i in range(6) for s in range(4))
    return seeds


def main_analysis(outdir):
    os.makedirs(outdir, exist_ok=True)
    for name, blob in analysis_seeds().items():
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(blob)
    return 0


def main_flow(outdir):
    os.makedirs(outdir, exist_ok=True)
    for name, blob in flow_seeds().items():
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(blob)
    return 0


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "flow":
        if len(sys.argv) != 3:
            print("usage: fuzz_seed.py flow OUTDIR", file=sys.stderr)
            return 2
        return main_flow(sys.argv[2])
    if len(sys.argv) > 1 and sys.argv[1] == "dump":
        if len(sys.argv) < 4:
            print("usage: fuzz_seed.py dump OUTDIR BINLOG...", file=sys.stderr)
            return 2
        return main_dump(sys.argv[2], sys.argv[3:])
    if len(sys.argv) > 1 and sys.argv[1] == "analysis":
        if len(sys.argv) != 3:
            print("usage: fuzz_seed.py analysis OUTDIR", file=sys.stderr)
            return 2
        return main_analysis(sys.argv[2])
    if len(sys.argv) > 1 and sys.argv[1] == "pcap":
        del sys.argv[1]
    ap = argparse.ArgumentParser(description="cut pcaps into fuzz_pipeline seeds")
    ap.add_argument("--max", type=int, default=64 * 1024, help="largest piece in bytes")
    ap.add_argument("--pieces", type=int, default=0, help="pieces kept per capture (0: all)")
    ap.add_argument("outdir")
    ap.add_argument("pcaps", nargs="+")
    a = ap.parse_args()
    if a.max < 24 + 16:
        ap.error("--max too small for a header and one record")
    os.makedirs(a.outdir, exist_ok=True)
    for path in a.pcaps:
        with open(path, "rb") as f:
            data = f.read()
        try:
            pieces = cut(data, a.max)
        except ValueError as e:
            print(f"fuzz_seed: {path}: {e}", file=sys.stderr)
            return 1
        for k, piece in spread(pieces, a.pieces):
            out = os.path.join(a.outdir, f"{name_for(path)}-{k}")
            with open(out, "wb") as f:
                f.write(piece)
    return 0


if __name__ == "__main__":
    sys.exit(main())

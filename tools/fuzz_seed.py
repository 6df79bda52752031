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

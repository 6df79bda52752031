#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# fuzz_seed.py: cut classic pcap files into small pcaps (each with the original's file header) to
# seed the fuzz_pipeline corpus. Real lab captures are too big for the fuzzer to mutate usefully;
# pieces of at most --max bytes keep whole records, so every piece is a valid capture that starts
# either at a connection's handshake (the first piece) or mid-stream (the others), both of which
# the decoder must handle.
#
# usage: tools/fuzz_seed.py [--max BYTES] [--pieces N] OUTDIR PCAP...
#   Writes OUTDIR/<scenario>-<k> for each PCAP (the scenario is the parent folder's name for
#   tests/pcaps/lab/<scenario>/capture.pcap, else the file's stem). --pieces keeps at most N
#   pieces per capture, spread evenly over it (first and last always kept). Deterministic: the
#   same inputs give the same files, so re-running it changes nothing.
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


def main():
    ap = argparse.ArgumentParser(description=__doc__)
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

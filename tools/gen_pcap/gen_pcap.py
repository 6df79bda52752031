#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""gen_pcap: write pcap files with crafted TCP flows (Python 3 standard library only).

Library:
    from gen_pcap import Pcap, Flow, C2S, S2C, T0, ms
    with Pcap("out.pcap", link="ether", nano=True) as pc:
        f = Flow(pc, client=("10.0.0.2", 40000), server=("10.0.0.1", 3306))
        f.handshake()
        f.send(C2S, b"query")
        f.drop_next()                      # the next data segment is lost by the capture
        f.send(S2C, b"x" * 5000)
        f.fin(C2S); f.fin(S2C)

CLI:  gen_pcap.py SCENARIO -o FILE [--link ...] [--nano] [--vlan ID ...] [--ipv6] [--snaplen N]
      gen_pcap.py --all DIR        regenerate the bundled synthetic captures into DIR
      gen_pcap.py --list           scenarios and what a correct reassembler must report

Reference: pcap file format (draft-ietf-opsawg-pcap), RFC 791/8200 (IPv4/IPv6), RFC 9293 (TCP),
RFC 1071 (Internet checksum), tcpdump.org linktypes (1 Ethernet, 0 NULL, 101 RAW, 113 SLL,
276 SLL2).
"""

import argparse
import ipaddress
import os
import struct
import sys

C2S, S2C = 0, 1
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10

NS = 1_000_000_000
T0 = 1_700_000_000 * NS  # 2023-11-14T22:13:20Z: the default start of every flow


def ms(x):
    """Milliseconds as nanoseconds (all times in this module are integer ns since the epoch)."""
    return int(round(x * 1_000_000))


def us(x):
    """Microseconds as nanoseconds."""
    return int(round(x * 1_000))


# ---- pcap file ------------------------------------------------------------------------------

class Pcap:
    """A classic pcap file. link: ether, null, raw, sll or sll2. nano: nanosecond timestamps.
    Frames longer than snaplen are cut (incl_len < orig_len), as tcpdump -s does."""

    LINKTYPES = {"ether": 1, "null": 0, "raw": 101, "sll": 113, "sll2": 276}

    def __init__(self, path_or_file, link="ether", nano=False, snaplen=262144):
        if link not in self.LINKTYPES:
            raise ValueError("unknown link %r (one of %s)" % (link, ", ".join(self.LINKTYPES)))
        self.link, self.nano, self.snaplen = link, nano, snaplen
        self.frames = 0
        self.last_ts = 0  # flows sharing the file keep its time monotonic through this
        if hasattr(path_or_file, "write"):
            self._f, self._own = path_or_file, False
        else:
            self._f, self._own = open(path_or_file, "wb"), True
        magic = 0xA1B23C4D if nano else 0xA1B2C3D4
        self._f.write(struct.pack("<IHHiIII", magic, 2, 4, 0, 0, snaplen, self.LINKTYPES[link]))

    def write(self, ts_ns, frame):
        """Append one frame captured at ts_ns (integer nanoseconds since the epoch)."""
        sec, frac = divmod(int(ts_ns), NS)
        if not self.nano:
            frac //= 1000
        cap = frame[: self.snaplen]
        self._f.write(struct.pack("<IIII", sec, frac, len(cap), len(frame)))
        self._f.write(cap)
        self.frames += 1
        self.last_ts = max(self.last_ts, int(ts_ns))
        return self.frames

    def close(self):
        if self._own:
            self._f.close()
        else:
            self._f.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---- headers and checksums ------------------------------------------------------------------

def inet_csum(data):
    """RFC 1071 one's-complement sum."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def tcp_header(sport, dport, seq, ack, flags, window, options=b""):
    if len(options) % 4:
        options += b"\x01" * (4 - len(options) % 4)  # NOP padding
    off = (20 + len(options)) // 4
    return struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                       off << 4, flags, window, 0, 0) + options


def ip_packet(src, dst, l4, ident=0, ipv6_hbh=False, bad_csum=False):
    """IPv4 or IPv6 (by the address type) around a TCP header+payload whose checksum is filled."""
    if src.version == 4:
        pseudo = src.packed + dst.packed + struct.pack("!BBH", 0, 6, len(l4))
    else:
        pseudo = src.packed + dst.packed + struct.pack("!IxxxB", len(l4), 6)
    c = inet_csum(pseudo + l4)
    if bad_csum:
        c ^= 0x5A5A  # as a capture on a host with checksum offload shows it
    l4 = l4[:16] + struct.pack("!H", c) + l4[18:]
    if src.version == 4:
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ident & 0xFFFF, 0x4000, 64, 6, 0,
                          src.packed, dst.packed)
        hdr = hdr[:10] + struct.pack("!H", inet_csum(hdr)) + hdr[12:]
        return hdr + l4
    nxt, ext = 6, b""
    if ipv6_hbh:  # one Hop-by-Hop header (PadN only) that a decoder must skip
        nxt, ext = 0, struct.pack("!BBBB4x", 6, 0, 1, 4)
    return struct.pack("!IHBB16s16s", 0x60000000, len(ext) + len(l4), nxt, 64,
                       src.packed, dst.packed) + ext + l4


def link_header(link, ip_version, src_mac, dst_mac, vlan=None, outgoing=False):
    ethertype = 0x0800 if ip_version == 4 else 0x86DD
    if link == "ether":
        tags = b""
        vids = [] if vlan is None else ([vlan] if isinstance(vlan, int) else list(vlan))
        for i, vid in enumerate(vids):  # outer first; QinQ outer tag uses 0x88a8
            tpid = 0x88A8 if (i == 0 and len(vids) > 1) else 0x8100
            tags += struct.pack("!HH", tpid, vid & 0x0FFF)
        return dst_mac + src_mac + tags + struct.pack("!H", ethertype)
    if link == "sll":
        return struct.pack("!HHH8sH", 4 if outgoing else 0, 1, 6, src_mac + b"\0\0", ethertype)
    if link == "sll2":
        return struct.pack("!HHIHBB8s", ethertype, 0, 2, 1, 4 if outgoing else 0, 6,
                           src_mac + b"\0\0")
    if link == "null":  # host byte order address family; BSD AF_INET6 = 24
        return struct.pack("<I", 2 if ip_version == 4 else 24)
    return b""  # raw


# ---- a TCP connection -------------------------------------------------------------------------

class Segment:
    """A data segment as sent: direction, sequence number, flags and payload."""

    def __init__(self, d, seq, flags, payload):
        self.d, self.seq, self.flags, self.payload = d, seq, flags, payload


class Flow:
    """One TCP connection written into a Pcap. Directions are C2S (client to server) and S2C.

    Times: every call takes ts (integer ns); when omitted the flow's clock advances by step_ns.
    Sequence numbers start at client_isn/server_isn (the SYN's own number); stream offset 0 of a
    direction is ISN + 1. Everything wraps modulo 2^32.
    Capture effects: drop_next() loses segments from the capture only (the peer still acks them);
    reorder_next() writes segments in reverse order; retransmit() and segment_at() re-send bytes,
    possibly different ones (conflicting overlaps)."""

    def __init__(self, pcap, client=("10.0.0.2", 40000), server=("10.0.0.1", 3306), *,
                 client_isn=1000, server_isn=5000, ts=T0, step_ns=100_000, mss=1448,
                 window=65535, vlan=None, auto_ack=True, bad_csum=False, ipv6_hbh=False,
                 client_mac=b"\x02\x00\x00\x00\x00\x02", server_mac=b"\x02\x00\x00\x00\x00\x01"):
        self.pc = pcap
        self.addr = [ipaddress.ip_address(client[0]), ipaddress.ip_address(server[0])]
        if self.addr[0].version != self.addr[1].version:
            raise ValueError("client and server must both be IPv4 or both IPv6")
        self.port = [client[1], server[1]]
        self.mac = [client_mac, server_mac]
        self.isn = [client_isn & 0xFFFFFFFF, server_isn & 0xFFFFFFFF]
        self.nxt = [(client_isn + 1) & 0xFFFFFFFF, (server_isn + 1) & 0xFFFFFFFF]
        self.ts, self.step = ts, step_ns
        self.mss, self.window, self.vlan = mss, window, vlan
        self.auto_ack, self.bad_csum, self.ipv6_hbh = auto_ack, bad_csum, ipv6_hbh
        self.ident = [1, 1]
        self.sent = [[], []]          # data segments per direction, including dropped ones
        self._drop = [0, 0]
        self._reorder = [0, 0]
        self._reorder_skip = [0, 0]
        self._held = [[], []]         # segments waiting to be written reversed
        self.dropped = [[], []]       # (offset, length) lost from the capture, per direction
        self.retransmitted = [0, 0]   # segments re-sent by retransmit()/segment_at()

    # clock and numbering
    def tick(self, ts=None):
        """The time of the next packet: ts, or step_ns after the later of this flow's last packet
        and the file's last frame (so several flows interleave with monotonic time)."""
        self.ts = max(self.ts, self.pc.last_ts) + self.step if ts is None else ts
        return self.ts

    def offset(self, d, seq):
        """Stream offset of sequence number seq in direction d (when the SYN was used)."""
        return (seq - self.isn[d] - 1) & 0xFFFFFFFF

    def seq_at(self, d, off):
        return (self.isn[d] + 1 + off) & 0xFFFFFFFF

    # the wire
    def _frame(self, d, seq, ack, flags, payload, window, options=b"", bad_csum=None):
        o = 1 - d
        l4 = tcp_header(self.port[d], self.port[o], seq, ack, flags, window, options) + payload
        bad = self.bad_csum if bad_csum is None else bad_csum
        ip = ip_packet(self.addr[d], self.addr[o], l4, self.ident[d], self.ipv6_hbh, bad)
        self.ident[d] += 1
        hdr = link_header(self.pc.link, self.addr[d].version, self.mac[d], self.mac[o], self.vlan,
                          outgoing=(d == C2S))
        return hdr + ip

    def raw(self, d, flags, seq, ack, payload=b"", ts=None, window=None, options=b"",
            bad_csum=None):
        """Write one arbitrary segment now (no sequence bookkeeping). Returns its frame number."""
        w = self.window if window is None else window
        frame = self._frame(d, seq, ack, flags, payload, w, options, bad_csum)
        return self.pc.write(self.tick(ts), frame)

    def _ackno(self, d, flags):
        return self.nxt[1 - d] if flags & ACK else 0

    # connection life
    def handshake(self, ts=None, wscale=7):
        """SYN (with MSS and window-scale options), SYN/ACK, ACK."""
        opts = struct.pack("!BBH", 2, 4, self.mss) + struct.pack("!BBBB", 1, 3, 3, wscale)
        self.raw(C2S, SYN, self.isn[C2S], 0, ts=ts, options=opts)
        self.raw(S2C, SYN | ACK, self.isn[S2C], self.nxt[C2S], options=opts)
        self.raw(C2S, ACK, self.nxt[C2S], self.nxt[S2C])

    def send(self, d, data, ts=None, segment_size=None, push=True):
        """Send bytes from d in MSS-sized segments (PSH on the last); the peer then ACKs them all
        when auto_ack. Returns the Segment objects (including any dropped from the capture)."""
        size = segment_size or self.mss
        segs = []
        if not data:
            return segs
        first = True
        for i in range(0, len(data), size):
            chunk = data[i:i + size]
            last = i + size >= len(data)
            flags = ACK | (PSH if (last and push) else 0)
            s = Segment(d, self.nxt[d], flags, chunk)
            self.nxt[d] = (self.nxt[d] + len(chunk)) & 0xFFFFFFFF
            self.sent[d].append(s)
            self._out(s, ts if first else None)
            first = False
            segs.append(s)
        self._flush_reorder(d)
        if self.auto_ack:
            self.ack(1 - d)
        return segs

    def _out(self, s, ts):
        t = self.tick(ts)
        if self._drop[s.d] > 0:
            self._drop[s.d] -= 1
            self.dropped[s.d].append((self.offset(s.d, s.seq), len(s.payload)))
            return
        if self._reorder[s.d] > 0 and self._reorder_skip[s.d] > 0:
            self._reorder_skip[s.d] -= 1
        elif self._reorder[s.d] > 0:
            self._held[s.d].append((t, s))
            self._reorder[s.d] -= 1
            if self._reorder[s.d] == 0:
                self._flush_reorder(s.d)
            return
        if self._held[s.d]:  # a partial reorder batch is flushed before the next segment
            self._flush_reorder(s.d)
        self.pc.write(t, self._frame(s.d, s.seq, self._ackno(s.d, s.flags), s.flags, s.payload,
                                     self.window))

    def _flush_reorder(self, d):
        held, self._held[d] = self._held[d], []
        self._reorder[d] = 0
        self._reorder_skip[d] = 0
        times = sorted(t for t, _ in held)  # arrival order keeps the file's time monotonic
        for t, (_, s) in zip(times, reversed(held)):
            self.pc.write(t, self._frame(s.d, s.seq, self._ackno(s.d, s.flags), s.flags,
                                         s.payload, self.window))

    def ack(self, d, ts=None, window=None):
        """A pure ACK from d acknowledging everything the other side sent."""
        return self.raw(d, ACK, self.nxt[d], self.nxt[1 - d], ts=ts, window=window)

    def zero_window(self, d, ts=None):
        """A pure ACK from d advertising a zero receive window."""
        return self.ack(d, ts, window=0)

    def drop_next(self, n=1, d=None):
        """The next n data segments (of direction d, or of whichever direction sends next when
        d is None) are lost by the capture: their sequence space is used but nothing is written."""
        for x in ([C2S, S2C] if d is None else [d]):
            self._drop[x] = n

    def reorder_next(self, n=2, d=C2S, after=0):
        """After skipping `after` data segments of d, the next n are written in reverse order
        (a batch still incomplete at the end of a send() call is flushed then)."""
        self._reorder[d] = n
        self._reorder_skip[d] = after

    def retransmit(self, d, index=-1, ts=None, data=None):
        """Re-send sent[d][index] (a dropped one too: that models loss and recovery). `data`
        replaces its payload (same offset), to create overlaps with conflicting bytes."""
        s = self.sent[d][index]
        payload = s.payload if data is None else data
        self.retransmitted[d] += 1
        return self.raw(d, ACK | (s.flags & PSH), s.seq, self.nxt[1 - d], payload, ts=ts)

    def segment_at(self, d, off, data, ts=None, flags=ACK | PSH):
        """Write bytes at stream offset `off` of d without moving the send pointer."""
        self.retransmitted[d] += 1
        return self.raw(d, flags, self.seq_at(d, off), self.nxt[1 - d], data, ts=ts)

    def fin(self, d, ts=None):
        """FIN/ACK from d (the FIN takes one sequence number)."""
        n = self.raw(d, FIN | ACK, self.nxt[d], self.nxt[1 - d], ts=ts)
        self.nxt[d] = (self.nxt[d] + 1) & 0xFFFFFFFF
        return n

    def close(self, first=C2S, ts=None):
        """Orderly close: FIN from `first`, FIN from the other side, last ACK."""
        self.fin(first, ts)
        self.fin(1 - first)
        self.ack(first)

    def rst(self, d, ts=None):
        """RST/ACK from d."""
        return self.raw(d, RST | ACK, self.nxt[d], self.nxt[1 - d], ts=ts, window=0)


def pattern(n, seed=0):
    """n deterministic, recognisable bytes: offset-dependent so any misplacement shows."""
    return bytes((seed * 7 + i * 31 + (i >> 8)) & 0xFF for i in range(n))


# ---- bundled scenarios --------------------------------------------------------------------------

def sc_dropped_segment(pc, **kw):
    """Server streams 10 x 1000 bytes; the 4th segment (offsets 3000..3999) is lost by the capture
    (the client still acks it). Closed by FIN both ways."""
    f = Flow(pc, **kw)
    f.handshake()
    f.send(C2S, pattern(20, 1))
    data = pattern(10000, 2)
    for i in range(10):
        if i == 3:
            f.drop_next(1, S2C)
        f.send(S2C, data[i * 1000:(i + 1) * 1000])
    f.close(first=S2C)
    return f


def sc_midstream(pc, **kw):
    """The capture starts mid-connection: a pure ACK from the client first (must not start the
    flow), then server data; no SYN anywhere. Closed by the client."""
    f = Flow(pc, client_isn=0x12345678, server_isn=0x0ABCDEF0, **kw)
    f.nxt = [(f.isn[0] + 70001) & 0xFFFFFFFF, (f.isn[1] + 123457) & 0xFFFFFFFF]
    f.ack(C2S)
    f.send(S2C, pattern(1500, 3), segment_size=500)
    f.send(C2S, pattern(30, 4))
    f.send(S2C, pattern(700, 5))
    f.close(first=C2S)
    return f


def sc_reorder_retrans(pc, **kw):
    """Client sends 5000 bytes in 4 segments with the 2nd and 3rd swapped; then segment 1 is
    retransmitted (exact duplicate); the server sends 3000 bytes whose 2nd segment is lost by the
    network and retransmitted after the 3rd (out of order, no gap)."""
    f = Flow(pc, **kw)
    f.handshake()
    f.auto_ack = False
    f.reorder_next(2, C2S, after=1)
    f.send(C2S, pattern(5000, 6))  # segments 0..1447, 2896..4343, 1448..2895, 4344..4999
    f.ack(S2C)
    f.retransmit(C2S, index=0)
    resp = pattern(3000, 7)
    f.send(S2C, resp[:1000])
    f.drop_next(1, S2C)
    f.send(S2C, resp[1000:2000])  # lost in the network: not in the capture
    f.send(S2C, resp[2000:])
    f.retransmit(S2C, index=1)
    f.ack(C2S)
    f.close(first=C2S)
    return f


def sc_wrap(pc, **kw):
    """Both ISNs just below 2^32: each direction's data crosses the sequence wrap; the client's
    two segments that straddle it arrive swapped."""
    f = Flow(pc, client_isn=0xFFFFF000, server_isn=0xFFFFFFF0, **kw)
    f.handshake()
    req = pattern(8000, 8)
    f.send(C2S, req[:2896], segment_size=1448)      # offsets 0..2895, wrap at 4095
    f.reorder_next(2, C2S)
    f.send(C2S, req[2896:5792], segment_size=1448)  # 2896..5791 straddles the wrap, swapped
    f.send(C2S, req[5792:], segment_size=1448)
    f.send(S2C, pattern(10000, 9))                  # wraps after 15 bytes
    f.close(first=C2S)
    return f


def sc_overlap(pc, **kw):
    """A held out-of-order segment is later overlapped by a retransmission with different bytes:
    the first copy wins and 100 conflicting bytes are counted."""
    f = Flow(pc, **kw)
    f.handshake()
    f.auto_ack = False
    data = pattern(3000, 10)
    f.drop_next(1, C2S)
    f.send(C2S, data[:2000], segment_size=1000)     # 0..999 lost for now, 1000..1999 held
    bad = bytes(b ^ 0xFF for b in data[1000:1100])
    f.segment_at(C2S, 1000, bad + data[1100:1500])  # inside the held copy: 100 bytes differ
    f.retransmit(C2S, index=0)                      # 0..999 at last: all delivered
    f.send(C2S, data[2000:])
    f.ack(S2C)
    f.close(first=C2S)
    return f


def sc_multi(pc, **kw):
    """Three flows: a normal one closed by FIN; one reset by the server (with a stray ACK after);
    and a port reuse: the first connection's port opens a new connection after its FIN exchange."""
    a = Flow(pc, **kw)
    b = Flow(pc, **dict(kw, client=("10.0.0.3", 40001), client_isn=777, server_isn=888))
    a.handshake()
    b.handshake()
    a.send(C2S, pattern(100, 11))
    b.send(C2S, pattern(200, 12))
    a.send(S2C, pattern(300, 13))
    b.rst(S2C)
    b.ack(C2S)  # late: must not create a flow
    a.close(first=C2S)
    c = Flow(pc, client_isn=424242, server_isn=99, ts=a.ts + ms(5), **kw)  # same ports as a
    c.handshake()
    c.send(C2S, pattern(50, 14))
    c.send(S2C, pattern(60, 15))
    c.close(first=S2C)
    return a


def sc_capture_drop(pc, **kw):
    """Server segments the capture missed, though the client received and acknowledged them.
    The client acknowledges past each at once: a segment lost mid-response (the rest is held),
    a lost 11-byte OK acknowledged by the client's next request, and two lost segments
    acknowledged in two steps (the first ack covers only part of the hole). Closed by the client."""
    f = Flow(pc, **kw)
    f.handshake()
    f.auto_ack = False
    f.send(C2S, pattern(20, 16))                       # c2s 0..20, a request
    resp = pattern(3000, 17)
    f.send(S2C, resp[:1000])                           # s2c 0..1000
    f.drop_next(1, S2C)
    f.send(S2C, resp[1000:2000])                       # 1000..2000: not in the capture
    f.send(S2C, resp[2000:])                           # 2000..3000: held behind the hole
    f.ack(C2S)                                         # acks 3000: the hole is a gap now
    f.drop_next(1, S2C)
    f.send(S2C, pattern(11, 18))                       # 3000..3011: an OK the capture misses
    f.send(C2S, pattern(30, 19))                       # c2s 20..50; its ack covers 3011
    f.drop_next(2, S2C)
    f.send(S2C, pattern(2000, 20), segment_size=1000)  # 3011..4011, 4011..5011: both missed
    f.send(S2C, pattern(500, 21))                      # 5011..5511: held
    f.raw(C2S, ACK, f.nxt[C2S], f.seq_at(S2C, 4011))   # acks 4011 only: 4011..5011 may come
    f.ack(C2S)                                         # acks 5511: the rest of the hole goes
    f.close(first=C2S)
    return f


SCENARIOS = {
    "capture_drop": sc_capture_drop,
    "dropped_segment": sc_dropped_segment,
    "midstream": sc_midstream,
    "reorder_retrans": sc_reorder_retrans,
    "wrap": sc_wrap,
    "overlap": sc_overlap,
    "multi": sc_multi,
}

# What a correct reassembler reports for each bundled capture (see README.md for the details).
EXPECTED = {
    "capture_drop": "c2s 50 bytes; s2c 2500 bytes + 4 gaps (1000+1000, 3000+11, 3011+1000, "
                    "4011+1000), each declared at the client's packet that acknowledged it; "
                    "no retransmissions",
    "dropped_segment": "c2s 20 bytes; s2c 9000 bytes delivered + 1 gap at offset 3000 len 1000 "
                       "(declared at the client's ACK past it, frame 12); no retransmissions",
    "midstream": "midstream pickup, side by port 3306; c2s 30 bytes, s2c 2200 bytes, no gaps",
    "reorder_retrans": "c2s 5000 bytes, 1 retransmission, 1 out-of-order segment held; s2c 3000 "
                       "bytes, 0 retransmissions (the retransmission fills the hole), no gaps",
    "wrap": "c2s 8000 bytes, s2c 10000 bytes across the 2^32 wrap, no gaps, no retransmissions",
    "overlap": "c2s 3000 bytes, 100 overlap conflicts (first copy wins), 1 retransmission "
               "(the overlapping segment adds nothing new), no gaps",
    "multi": "3 flows: #1 FIN (100/300 bytes), #2 RST by server (200/0 bytes), #3 FIN by server "
             "(50/60 bytes) reusing flow 1's ports",
}


# Bundled variants: a scenario under another link layer / IP version / capture condition.
VARIANTS = {
    "truncated": ("reorder_retrans", {"snaplen": 80}),
    "sll2_ipv6": ("dropped_segment", {"link": "sll2", "ipv6": True, "ipv6_hbh": True}),
    "qinq_badcsum": ("midstream", {"vlan": [100, 200], "bad_csum": True, "nano": False}),
}
EXPECTED.update({
    "truncated": "as reorder_retrans, but every data segment keeps only 26 bytes (c2s) / 26 bytes "
                 "(s2c) of payload under snaplen 80: the rest of each is a gap",
    "sll2_ipv6": "as dropped_segment, over Linux cooked v2 and IPv6 with a Hop-by-Hop header",
    "qinq_badcsum": "as midstream, inside 802.1ad+802.1Q tags, microsecond timestamps, every TCP "
                    "checksum wrong (all packets counted csum_bad, none dropped)",
})


def generate(name, path, link="ether", nano=True, vlan=None, ipv6=False, snaplen=262144,
             bad_csum=False, ipv6_hbh=False):
    """Write scenario `name` to `path`; returns the number of frames written."""
    kw = {"vlan": vlan, "bad_csum": bad_csum, "ipv6_hbh": ipv6_hbh}
    if ipv6:
        kw.update(client=("2001:db8::2", 40000), server=("2001:db8::1", 3306))
    with Pcap(path, link=link, nano=nano, snaplen=snaplen) as pc:
        if name == "multi":
            kw.pop("client", None)
            kw.pop("server", None)
        SCENARIOS[name](pc, **kw)
        return pc.frames


def main(argv=None):
    ap = argparse.ArgumentParser(description="Write pcaps with crafted TCP flows.")
    ap.add_argument("scenario", nargs="?", choices=sorted(SCENARIOS))
    ap.add_argument("-o", "--output", help="pcap file to write")
    ap.add_argument("--link", default="ether", choices=sorted(Pcap.LINKTYPES))
    ap.add_argument("--micro", action="store_true", help="microsecond timestamps (default ns)")
    ap.add_argument("--vlan", type=int, action="append", help="802.1Q tag (twice for QinQ)")
    ap.add_argument("--ipv6", action="store_true")
    ap.add_argument("--ipv6-hbh", action="store_true", help="add an IPv6 Hop-by-Hop header")
    ap.add_argument("--snaplen", type=int, default=262144)
    ap.add_argument("--bad-csum", action="store_true", help="wrong TCP checksums (offload)")
    ap.add_argument("--all", metavar="DIR", help="write every scenario as DIR/<name>.pcap")
    ap.add_argument("--list", action="store_true", help="scenarios and their expected results")
    a = ap.parse_args(argv)
    if a.list:
        for n in sorted(VARIANTS):
            print("%-16s variant of %s %s\n%-16s expect: %s" % (n, VARIANTS[n][0], VARIANTS[n][1],
                                                                 "", EXPECTED[n]))
        for n in sorted(SCENARIOS):
            print("%-16s %s\n%-16s expect: %s" % (n, SCENARIOS[n].__doc__.split("\n")[0], "",
                                                   EXPECTED[n]))
        return 0
    if a.all:
        os.makedirs(a.all, exist_ok=True)
        for n in sorted(SCENARIOS):
            generate(n, os.path.join(a.all, n + ".pcap"))
        for n, (base, opts) in sorted(VARIANTS.items()):
            generate(base, os.path.join(a.all, n + ".pcap"), **opts)
        return 0
    if not a.scenario or not a.output:
        ap.error("give a scenario and -o FILE (or --all DIR, or --list)")
    vlan = None if not a.vlan else (a.vlan[0] if len(a.vlan) == 1 else a.vlan)
    generate(a.scenario, a.output, link=a.link, nano=not a.micro, vlan=vlan, ipv6=a.ipv6,
             snaplen=a.snaplen, bad_csum=a.bad_csum, ipv6_hbh=a.ipv6_hbh)
    return 0


if __name__ == "__main__":
    sys.exit(main())

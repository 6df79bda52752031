#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""replay_tcp.py: replay one TCP conversation of a pcap over a real loopback TCP connection.

Usage: replay_tcp.py CAPTURE PORT [--client-port N] [--server-port N] [--max-gap-ms MS]
                     [--host 127.0.0.1] [--timeout S]

Reads CAPTURE (classic pcap, microsecond or nanosecond, either byte order; Ethernet with 802.1Q
tags, Linux cooked v1, or raw IPv4 links; IPv4/TCP only), picks one TCP connection (the one whose
client port is --client-port, else the first one that opens with a SYN, to --server-port when
given), reassembles each direction in sequence order (retransmitted bytes are sent once), and
replays the conversation on HOST:PORT: a listening socket and a client socket in this process,
each original segment's new payload sent from its own side, in capture order, with the original
pauses capped at --max-gap-ms (default 5). Before a side speaks, every byte the other side has
sent so far has been received, so causality (request before ack) is kept on the wire and the
timing of the live capture is the replay's own.

Prints one summary line on stdout:
  replayed client=IP:PORT server=IP:PORT server_port=N c2s_bytes=N c2s_segments=N
           s2c_bytes=N s2c_segments=N
and exits 0 when each side received exactly the other side's original byte stream, 1 when not
(or on timeout), 2 on usage or capture errors. Python standard library only.
"""
import argparse
import socket
import struct
import sys
import threading
import time

LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_LINUX_SLL = 113
LINKTYPE_IPV4 = 228

TH_FIN, TH_SYN, TH_RST, TH_ACK = 0x01, 0x02, 0x04, 0x10


class CaptureError(Exception):
    pass


def read_pcap(path):
    """Yield (ts_seconds_float, linktype, frame_bytes) for every record of a classic pcap."""
    with open(path, "rb") as f:
        hdr = f.read(24)
        if len(hdr) < 24:
            raise CaptureError(f"{path}: too short for a pcap header")
        magic = hdr[:4]
        table = {
            b"\xd4\xc3\xb2\xa1": ("<", 1e-6), b"\xa1\xb2\xc3\xd4": (">", 1e-6),
            b"\x4d\x3c\xb2\xa1": ("<", 1e-9), b"\xa1\xb2\x3c\x4d": (">", 1e-9),
        }
        if magic not in table:
            raise CaptureError(f"{path}: not a classic pcap (magic {magic.hex()})")
        endian, frac = table[magic]
        linktype = struct.unpack(endian + "I", hdr[20:24])[0] & 0x0FFFFFFF
        rec = struct.Struct(endian + "IIII")
        while True:
            rh = f.read(16)
            if not rh:
                return
            if len(rh) < 16:
                raise CaptureError(f"{path}: truncated record header")
            sec, sub, caplen, _wirelen = rec.unpack(rh)
            data = f.read(caplen)
            if len(data) < caplen:
                raise CaptureError(f"{path}: truncated record")
            yield sec + sub * frac, linktype, data


def ipv4_of_frame(linktype, data):
    """The IPv4 packet inside a link-layer frame, or None for anything else."""
    if linktype == LINKTYPE_ETHERNET:
        if len(data) < 14:
            return None
        off, etype = 14, struct.unpack("!H", data[12:14])[0]
        while etype in (0x8100, 0x88A8) and len(data) >= off + 4:
            etype = struct.unpack("!H", data[off + 2:off + 4])[0]
            off += 4
        return data[off:] if etype == 0x0800 else None
    if linktype == LINKTYPE_LINUX_SLL:
        if len(data) < 16 or struct.unpack("!H", data[14:16])[0] != 0x0800:
            return None
        return data[16:]
    if linktype in (LINKTYPE_RAW, LINKTYPE_IPV4):
        return data if data[:1] and data[0] >> 4 == 4 else None
    raise CaptureError(f"unsupported link type {linktype}")


def tcp_of_ipv4(ip):
    """(src, dst, sport, dport, seq, flags, payload) of an unfragmented IPv4/TCP packet."""
    if len(ip) < 20 or ip[0] >> 4 != 4:
        return None
    ihl = (ip[0] & 0x0F) * 4
    total = struct.unpack("!H", ip[2:4])[0]
    frag = struct.unpack("!H", ip[6:8])[0]
    if ip[9] != 6 or ihl < 20 or total < ihl or frag & 0x3FFF:
        return None
    ip = ip[:total]  # drop Ethernet padding
    tcp = ip[ihl:]
    if len(tcp) < 20:
        return None
    sport, dport, seq = struct.unpack("!HHI", tcp[:8])
    doff = (tcp[12] >> 4) * 4
    if doff < 20 or doff > len(tcp):
        return None
    src, dst = socket.inet_ntoa(ip[12:16]), socket.inet_ntoa(ip[16:20])
    return src, dst, sport, dport, seq, tcp[13], bytes(tcp[doff:])


class Direction:
    """In-order reassembly of one direction: emits only bytes never emitted before."""

    def __init__(self):
        self.next = None      # next expected absolute sequence number
        self.pending = {}     # seq -> payload, segments ahead of a hole

    def syn(self, seq):
        if self.next is None:
            self.next = (seq + 1) & 0xFFFFFFFF

    def data(self, seq, payload):
        if self.next is None:  # mid-stream: the first data seen starts the stream
            self.next = seq
        self.pending[seq] = max(payload, self.pending.get(seq, b""), key=len)
        out = bytearray()
        progressed = True
        while progressed:
            progressed = False
            for s in list(self.pending):
                rel = (s - self.next) & 0xFFFFFFFF
                p = self.pending[s]
                if rel >= 0x80000000:       # starts before next: maybe a partial overlap
                    behind = (self.next - s) & 0xFFFFFFFF
                    del self.pending[s]
                    if behind < len(p):
                        out += p[behind:]
                        self.next = (self.next + len(p) - behind) & 0xFFFFFFFF
                        progressed = True
                elif rel == 0:
                    del self.pending[s]
                    out += p
                    self.next = (self.next + len(p)) & 0xFFFFFFFF
                    progressed = True
        return bytes(out)


def pick_connection(path, client_port, server_port):
    """The 4-tuple (client_ip, client_port, server_ip, server_port) to replay."""
    first_any = None
    for _ts, lt, frame in read_pcap(path):
        ip = ipv4_of_frame(lt, frame)
        t = tcp_of_ipv4(ip) if ip is not None else None
        if t is None:
            continue
        src, dst, sport, dport, _seq, flags, _pl = t
        if client_port is not None:
            if sport == client_port:
                return src, sport, dst, dport
            if dport == client_port:
                return dst, dport, src, sport
            continue
        if flags & TH_SYN and not flags & TH_ACK:
            if server_port is None or dport == server_port:
                return src, sport, dst, dport
        elif first_any is None and server_port is not None and (sport == server_port or
                                                                dport == server_port):
            first_any = (dst, dport, src, sport) if sport == server_port else (src, sport, dst,
                                                                                 dport)
    if first_any is not None:
        return first_any
    raise CaptureError("no matching TCP connection in the capture")


def conversation(path, conn):
    """[(ts, 'c2s'|'s2c', bytes)] in capture order: each segment's newly in-order bytes."""
    cip, cport, sip, sport = conn
    dirs = {"c2s": Direction(), "s2c": Direction()}
    out = []
    for ts, lt, frame in read_pcap(path):
        ip = ipv4_of_frame(lt, frame)
        t = tcp_of_ipv4(ip) if ip is not None else None
        if t is None:
            continue
        src, dst, sp, dp, seq, flags, payload = t
        if (src, sp, dst, dp) == (cip, cport, sip, sport):
            d = "c2s"
        elif (src, sp, dst, dp) == (sip, sport, cip, cport):
            d = "s2c"
        else:
            continue
        if flags & TH_SYN:
            dirs[d].syn(seq)
            continue
        if flags & TH_RST or not payload:
            continue
        chunk = dirs[d].data(seq, payload)
        if chunk:
            out.append((ts, d, chunk))
    return out


class Reader(threading.Thread):
    """Drains one socket into a buffer so neither side ever blocks on a full window."""

    def __init__(self, sock):
        super().__init__(daemon=True)
        self.sock = sock
        self.buf = bytearray()
        self.cond = threading.Condition()
        self.eof = False

    def run(self):
        while True:
            try:
                b = self.sock.recv(65536)
            except OSError:
                b = b""
            with self.cond:
                if not b:
                    self.eof = True
                else:
                    self.buf += b
                self.cond.notify_all()
            if not b:
                return

    def wait_for(self, n, deadline):
        with self.cond:
            while len(self.buf) < n and not self.eof:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(left)
            return len(self.buf) >= n


def connect_pair(host, port, timeout):
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((host, port))
    lsock.listen(1)
    lsock.settimeout(timeout)
    client = socket.create_connection((host, port), timeout=timeout)
    server, _ = lsock.accept()
    lsock.close()
    for s in (client, server):
        s.settimeout(None)
        # One send, one segment: keeps the original message boundaries roughly intact.
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return client, server


def replay(chunks, host, port, max_gap, timeout):
    client, server = connect_pair(host, port, timeout)
    side = {"c2s": client, "s2c": server}
    readers = {"c2s": Reader(server), "s2c": Reader(client)}  # who receives each direction
    for r in readers.values():
        r.start()
    sent = {"c2s": 0, "s2c": 0}
    segs = {"c2s": 0, "s2c": 0}
    deadline = time.monotonic() + timeout
    ok = True
    prev_ts = None
    for ts, d, data in chunks:
        other = "s2c" if d == "c2s" else "c2s"
        # The other side's words have all arrived before this side answers.
        if not readers[other].wait_for(sent[other], deadline):
            ok = False
            break
        if prev_ts is not None:
            gap = min(max(ts - prev_ts, 0.0), max_gap)
            if gap > 0:
                time.sleep(gap)
        prev_ts = ts
        side[d].sendall(data)
        sent[d] += len(data)
        segs[d] += 1
    for d in ("c2s", "s2c"):
        ok = readers[d].wait_for(sent[d], deadline) and ok
    for s in (client, server):
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
    for r in readers.values():
        r.join(max(0.0, deadline - time.monotonic()))
    client.close()
    server.close()
    return ok, readers, sent, segs


def main(argv):
    ap = argparse.ArgumentParser(description="replay one TCP conversation of a pcap on loopback")
    ap.add_argument("capture")
    ap.add_argument("port", type=int)
    ap.add_argument("--client-port", type=int)
    ap.add_argument("--server-port", type=int)
    ap.add_argument("--max-gap-ms", type=float, default=5.0)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--timeout", type=float, default=20.0)
    a = ap.parse_args(argv)
    if not 1 <= a.port <= 65535:
        ap.error("PORT must be 1..65535")
    try:
        conn = pick_connection(a.capture, a.client_port, a.server_port)
        chunks = conversation(a.capture, conn)
    except (OSError, CaptureError) as e:
        print(f"replay_tcp.py: {e}", file=sys.stderr)
        return 2
    if not chunks:
        print("replay_tcp.py: the connection carries no payload", file=sys.stderr)
        return 2
    ok, readers, sent, segs = replay(chunks, a.host, a.port, a.max_gap_ms / 1000.0, a.timeout)
    for d in ("c2s", "s2c"):
        want = b"".join(c for _t, dd, c in chunks if dd == d)
        got = bytes(readers[d].buf)
        if got != want:
            print(f"replay_tcp.py: {d}: received {len(got)} bytes, expected {len(want)}"
                  f"{' (content differs)' if len(got) == len(want) else ''}", file=sys.stderr)
            ok = False
    print(f"replayed client={conn[0]}:{conn[1]} server={conn[2]}:{conn[3]} server_port={a.port}"
          f" c2s_bytes={sent['c2s']} c2s_segments={segs['c2s']}"
          f" s2c_bytes={sent['s2c']} s2c_segments={segs['s2c']}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

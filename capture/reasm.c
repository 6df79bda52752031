/* SPDX-License-Identifier: MIT */
/* reasm.c: one direction of a TCP stream turned into in-order bytes, explicit gaps and ack offsets.
 * Reference: RFC 9293 §3.4 (sequence space, SYN/FIN take one number), RFC 1982 (serial arithmetic);
 * design after Suricata's stream-tcp-reassemble.c (gaps, memcap) and Zeek's Undelivered(). */
#include "reasm_priv.h"

#include <stdlib.h>
#include <string.h>

void ss_reasm_init(struct ss_reasm *r)
{
    memset(r, 0, sizeof(*r));
}

void ss_reasm_set_base(struct ss_reasm *r, uint32_t seq, bool from_syn)
{
    r->next_seq = seq;
    r->next_off = 0;
    r->base_known = true;
    r->syn_seen = from_syn;
    r->isn = seq - 1u;
}

/* Signed distance a - b in the 32-bit sequence space, written out so no implementation-defined
 * conversion is involved. Valid while the two are within 2^31 of each other. */
static int64_t seq_diff(uint32_t a, uint32_t b)
{
    uint32_t d = a - b;
    return d < UINT32_C(0x80000000) ? (int64_t)d : (int64_t)d - (INT64_C(1) << 32);
}

static int64_t seq_to_off(const struct ss_reasm *r, uint32_t seq)
{
    return (int64_t)r->next_off + seq_diff(seq, r->next_seq);
}

static void advance(struct ss_reasm *r, uint64_t n)
{
    r->next_off += n;
    r->next_seq += (uint32_t)n; /* modulo 2^32: this is where the wrap-around happens */
}

static void emit_data(const struct ss_reasm_io *io, struct ss_reasm *r, const uint8_t *p,
                      uint64_t n, uint64_t ts, uint64_t frame)
{
    io->f->dir[io->dir].bytes += n;
    if (io->rc->ops->data)
        io->rc->ops->data(io->rc->ctx, io->f, io->dir, p, (size_t)n, r->next_off, ts, frame);
    advance(r, n);
}

static void emit_gap(const struct ss_reasm_io *io, struct ss_reasm *r, uint64_t n, uint64_t ts,
                     uint64_t frame)
{
    struct ss_dir_stats *d = &io->f->dir[io->dir];
    d->gaps++;
    d->gap_bytes += n;
    io->rc->st->gaps++;
    io->rc->st->gap_bytes += n;
    if (io->rc->ops->gap)
        io->rc->ops->gap(io->rc->ctx, io->f, io->dir, r->next_off, n, ts, frame);
    advance(r, n);
}

/* Count bytes that differ between the first copy and a later one (first copy wins). */
static void count_conflicts(const struct ss_reasm_io *io, const uint8_t *first,
                            const uint8_t *later, uint64_t n)
{
    uint64_t diff = 0;
    for (uint64_t i = 0; i < n; i++)
        diff += first[i] != later[i];
    io->f->dir[io->dir].overlap_conflicts += diff;
    io->rc->st->overlap_conflicts += diff;
}

static void seg_unlink_free(struct ss_reasm_ctx *rc, struct ss_reasm *r, struct ss_reasm_seg *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        r->head = s->next;
    if (s->next)
        s->next->prev = s->prev;
    else
        r->tail = s->prev;
    r->held_bytes -= s->is_gap ? 0 : s->len;
    r->held_span -= s->len;
    rc->mem_used -= SS_REASM_SEG_COST(s->is_gap ? 0 : s->len);
    free(s);
}

/* Report acks that were waiting for their bytes to be delivered (acks are only ever reported for
 * offsets already delivered, so the consumer sees the bytes before their ack). */
static void ack_catchup(const struct ss_reasm_io *io, struct ss_reasm *r)
{
    while (r->npend > 0) {
        uint64_t lim = SS_MIN(r->pend[0].off, r->next_off);
        if (lim > r->acked_off) {
            r->acked_off = lim;
            if (io->rc->ops->acked)
                io->rc->ops->acked(io->rc->ctx, io->f, io->dir, lim, r->pend[0].ts_ns,
                                   r->pend[0].frame);
        }
        if (r->pend[0].off > r->next_off)
            return;
        memmove(&r->pend[0], &r->pend[1], (size_t)(r->npend - 1) * sizeof(r->pend[0]));
        r->npend--;
    }
}

/* Deliver what is left of the first held range past next_off, then free it. */
static void deliver_head(const struct ss_reasm_io *io, struct ss_reasm *r)
{
    struct ss_reasm_seg *s = r->head;
    uint64_t end = s->off + s->len;
    if (end > r->next_off) {
        uint64_t skip = r->next_off - s->off;
        if (s->is_gap)
            emit_gap(io, r, end - r->next_off, s->ts_ns, s->frame);
        else
            emit_data(io, r, s->data + skip, end - r->next_off, s->ts_ns, s->frame);
    }
    seg_unlink_free(io->rc, r, s);
}

/* Deliver held ranges that have become contiguous with what was delivered. */
static void drain(const struct ss_reasm_io *io, struct ss_reasm *r)
{
    while (r->head && r->head->off <= r->next_off)
        deliver_head(io, r);
}

/* Give up waiting for the first hole: deliver it as a gap (up to the first held range, or up to
 * `upto` when nothing is held), then everything contiguous after it. */
static void force_hole(const struct ss_reasm_io *io, struct ss_reasm *r, uint64_t upto)
{
    if (r->head)
        upto = r->head->off;
    if (upto > r->next_off)
        emit_gap(io, r, upto - r->next_off, io->ts_ns, io->frame);
    drain(io, r);
}

/* The in-order path: [next_off, e) from the packet, straight from its buffer (no copy), except
 * where an earlier copy is already held, which wins. Returns the bytes this packet contributed. */
static uint64_t deliver_inorder(const struct ss_reasm_io *io, struct ss_reasm *r, uint64_t s,
                                uint64_t e, const uint8_t *p)
{
    uint64_t fresh = 0;
    while (r->next_off < e) {
        struct ss_reasm_seg *h = r->head;
        if (h && h->off <= r->next_off) {
            uint64_t oend = SS_MIN(h->off + h->len, e);
            if (p && !h->is_gap)
                count_conflicts(io, h->data + (r->next_off - h->off), p + (r->next_off - s),
                                oend - r->next_off);
            deliver_head(io, r);
            continue;
        }
        uint64_t lim = h ? SS_MIN(e, h->off) : e;
        uint64_t before = r->next_off;
        if (p)
            emit_data(io, r, p + (r->next_off - s), lim - r->next_off, io->ts_ns, io->frame);
        else
            emit_gap(io, r, lim - r->next_off, io->ts_ns, io->frame);
        fresh += lim - before;
    }
    drain(io, r);
    return fresh;
}

/* First held range that ends after `s` (searched from the tail: new data usually lands there). */
static struct ss_reasm_seg *first_ending_after(const struct ss_reasm *r, uint64_t s)
{
    struct ss_reasm_seg *n = r->tail;
    if (!n || n->off + n->len <= s)
        return NULL;
    while (n->prev && n->prev->off + n->prev->len > s)
        n = n->prev;
    return n;
}

/* Bytes of [s, e) not yet held, and how many new ranges holding them takes. */
static void count_new(const struct ss_reasm *r, uint64_t s, uint64_t e, uint64_t *bytes,
                      uint64_t *nodes)
{
    *bytes = 0;
    *nodes = 0;
    uint64_t cur = s;
    for (struct ss_reasm_seg *n = first_ending_after(r, s); cur < e; n = n->next) {
        uint64_t lim = (!n || n->off >= e) ? e : n->off;
        if (lim > cur) {
            *bytes += lim - cur;
            *nodes += 1;
        }
        if (!n || n->off >= e)
            break;
        cur = SS_MIN(e, n->off + n->len);
    }
}

static struct ss_reasm_seg *seg_new(const struct ss_reasm_io *io, uint64_t off, uint64_t len,
                                    const uint8_t *p)
{
    struct ss_reasm_seg *s = malloc(sizeof(*s) + (p ? (size_t)len : 0));
    if (!s)
        return NULL;
    s->prev = s->next = NULL;
    s->off = off;
    s->len = (uint32_t)len;
    s->is_gap = p == NULL;
    s->ts_ns = io->ts_ns;
    s->frame = io->frame;
    if (p)
        memcpy(s->data, p, (size_t)len);
    return s;
}

/* Link a new range before `before` (at the tail when NULL). */
static void seg_link(struct ss_reasm_ctx *rc, struct ss_reasm *r, struct ss_reasm_seg *s,
                     struct ss_reasm_seg *before)
{
    s->next = before;
    s->prev = before ? before->prev : r->tail;
    if (s->prev)
        s->prev->next = s;
    else
        r->head = s;
    if (before)
        before->prev = s;
    else
        r->tail = s;
    r->held_bytes += s->is_gap ? 0 : s->len;
    r->held_span += s->len;
    rc->mem_used += SS_REASM_SEG_COST(s->is_gap ? 0 : s->len);
    if (rc->mem_used > rc->st->ooo_bytes_peak)
        rc->st->ooo_bytes_peak = rc->mem_used;
}

/* Hold the parts of [s, e) not held yet (copies); overlaps with held ranges keep the held bytes.
 * Returns the bytes newly held. */
static uint64_t hold(const struct ss_reasm_io *io, struct ss_reasm *r, uint64_t s, uint64_t e,
                     const uint8_t *p)
{
    uint64_t fresh = 0, cur = s;
    struct ss_reasm_seg *n = first_ending_after(r, s);
    while (cur < e) {
        if (n && n->off <= cur) {
            uint64_t oend = SS_MIN(e, n->off + n->len);
            if (p && !n->is_gap)
                count_conflicts(io, n->data + (cur - n->off), p + (cur - s), oend - cur);
            cur = oend;
            n = n->next;
            continue;
        }
        uint64_t lim = (n && n->off < e) ? n->off : e;
        struct ss_reasm_seg *piece = seg_new(io, cur, lim - cur, p ? p + (cur - s) : NULL);
        if (!piece) {
            io->rc->st->alloc_failures++; /* the bytes stay a hole, later a gap */
            return fresh;
        }
        seg_link(io->rc, r, piece, n);
        fresh += lim - cur;
        cur = lim;
    }
    return fresh;
}

/* Place [s, e) of the stream (data at p, or a known-missing range when p is NULL): deliver it if
 * it is next, else hold it within the caps. Returns the bytes this call contributed; *held is set
 * when some were held out of order. */
static uint64_t place(const struct ss_reasm_io *io, struct ss_reasm *r, uint64_t s, uint64_t e,
                      const uint8_t *p, bool *held)
{
    struct ss_reasm_ctx *rc = io->rc;
    for (;;) {
        if (e <= r->next_off)
            return 0;
        if (s < r->next_off) {
            if (p)
                p += r->next_off - s;
            s = r->next_off;
        }
        if (s == r->next_off)
            return deliver_inorder(io, r, s, e, p);
        uint64_t nbytes, nnodes;
        count_new(r, s, e, &nbytes, &nnodes);
        uint64_t data = p ? nbytes : 0;
        /* A cap hit gives up on the first hole (it becomes a gap now) rather than on the new
         * bytes: the hole is the part least likely to arrive, and progress beats waiting. */
        if (data > 0 && r->held_bytes + data > rc->dir_cap) {
            rc->st->dir_ooo_cap_hit++;
            force_hole(io, r, s);
            continue;
        }
        uint64_t cost = data + nnodes * sizeof(struct ss_reasm_seg);
        if (nnodes > 0 && rc->mem_used + cost > rc->memcap) {
            rc->st->memcap_hit++;
            force_hole(io, r, s);
            continue;
        }
        uint64_t fresh = hold(io, r, s, e, p);
        if (fresh > 0)
            *held = true;
        return fresh;
    }
}

void ss_reasm_segment(const struct ss_reasm_io *io, struct ss_reasm *r, uint32_t seq,
                      const uint8_t *p, uint32_t cap_len, uint32_t wire_len)
{
    struct ss_dir_stats *d = &io->f->dir[io->dir];
    if (wire_len < cap_len)
        wire_len = cap_len;
    if (wire_len == 0)
        return;
    if (!r->base_known)
        ss_reasm_set_base(r, seq, false);
    int64_t s = seq_to_off(r, seq);
    if (s > 0 && (uint64_t)s > r->next_off && (uint64_t)s - r->next_off > SS_REASM_MAX_AHEAD) {
        io->rc->st->out_of_window++;
        return;
    }
    int64_t ce = s + cap_len, we = s + wire_len;
    if (r->fin_known) { /* nothing lives beyond the FIN */
        ce = SS_MIN(ce, (int64_t)r->fin_off);
        we = SS_MIN(we, (int64_t)r->fin_off);
    }
    bool held = false;
    uint64_t fresh = 0;
    int64_t cs = SS_MAX(s, 0);
    if (ce > cs)
        fresh += place(io, r, (uint64_t)cs, (uint64_t)ce, p + (cs - s), &held);
    int64_t ms = SS_MAX(ce, cs);
    if (we > ms)
        fresh += place(io, r, (uint64_t)ms, (uint64_t)we, NULL, &held);
    if (we > 0 && (uint64_t)we > r->max_seen)
        r->max_seen = (uint64_t)we;
    if (fresh == 0) {
        d->retrans++;
        io->rc->st->retrans++;
    }
    if (held)
        d->ooo_segments++;
    while (r->head && r->held_span >= io->rc->gap_after)
        force_hole(io, r, 0);
    ack_catchup(io, r);
}

void ss_reasm_flush(const struct ss_reasm_io *io, struct ss_reasm *r)
{
    while (r->head)
        force_hole(io, r, 0);
    if (r->fin_known && r->fin_off > r->next_off)
        emit_gap(io, r, r->fin_off - r->next_off, io->ts_ns, io->frame);
    ack_catchup(io, r);
}

void ss_reasm_fin(const struct ss_reasm_io *io, struct ss_reasm *r, uint32_t seq)
{
    if (r->fin_known)
        return;
    if (!r->base_known)
        ss_reasm_set_base(r, seq, false);
    int64_t off = seq_to_off(r, seq);
    if (off > 0 && (uint64_t)off > r->next_off &&
        (uint64_t)off - r->next_off > SS_REASM_MAX_AHEAD) {
        io->rc->st->out_of_window++;
        return;
    }
    r->fin_known = true;
    r->fin_off = off > (int64_t)r->next_off ? (uint64_t)off : r->next_off;
    ss_reasm_flush(io, r);
}

/* The receiver acknowledged everything below `o`, so it holds those bytes: whatever of them the
 * capture has not shown was dropped by the capture, not by the network (a lost segment is never
 * acknowledged past; the receiver would SACK around it), and no retransmission will bring it.
 * Every hole below `o` becomes a gap now, each followed by the held data it was blocking. Bytes
 * of a hole beyond `o` are left alone: the capture may still show them (reordered). */
static void gap_acked(const struct ss_reasm_io *io, struct ss_reasm *r, uint64_t o)
{
    while (r->next_off < o) {
        uint64_t upto = r->head ? SS_MIN(o, r->head->off) : o;
        if (upto > r->next_off) {
            io->rc->st->gaps_acked++;
            emit_gap(io, r, upto - r->next_off, io->ts_ns, io->frame);
        }
        drain(io, r);
    }
    if (o > r->max_seen)
        r->max_seen = o;
}

void ss_reasm_ack(const struct ss_reasm_io *io, struct ss_reasm *r, uint32_t ack, bool conclusive)
{
    if (!r->base_known)
        return;
    int64_t off = seq_to_off(r, ack);
    if (off <= 0)
        return;
    uint64_t o = (uint64_t)off;
    if (r->fin_known && o > r->fin_off)
        o = r->fin_off; /* the FIN takes a sequence number but is not a byte */
    if (o > r->next_off && o - r->next_off > SS_REASM_MAX_AHEAD) {
        io->rc->st->out_of_window++; /* no window is that large: not an ack of this stream */
        return;
    }
    /* With nothing held, an ack one past the last byte is what the ack of a FIN the capture
     * missed looks like: no byte is missing, so nothing is declared (a real 1-byte loss is still
     * given up by the rules for any hole once data after it shows up). */
    bool lost_fin = !r->head && o == r->next_off + 1;
    if (conclusive && o > r->next_off && !lost_fin)
        gap_acked(io, r, o);
    if (o > r->max_seen)
        o = r->max_seen; /* never claim bytes this capture has not seen */
    uint64_t last = r->npend ? r->pend[r->npend - 1].off : r->acked_off;
    if (o <= last)
        return;
    if (r->npend == SS_REASM_ACK_PEND) /* full: the newest absorbs the last slot (later ts) */
        r->npend--;
    r->pend[r->npend].off = o;
    r->pend[r->npend].ts_ns = io->ts_ns;
    r->pend[r->npend].frame = io->frame;
    r->npend++;
    ack_catchup(io, r);
}

void ss_reasm_release(struct ss_reasm_ctx *rc, struct ss_reasm *r)
{
    while (r->head)
        seg_unlink_free(rc, r, r->head);
}

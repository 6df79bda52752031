/* SPDX-License-Identifier: MIT */
/* fuzz_decode.c: ss_decode_frame on arbitrary bytes. Input: byte 0 picks the link type from a
 * table, byte 1 how many trailing bytes were "lost to the snaplen" (wirelen = caplen + that), the
 * rest is the frame. */
#include "semiscope/packet.h"

#include <pcap/dlt.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int fuzz_dlts[] = {
    DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_NULL, DLT_LOOP,
    DLT_RAW,    101 /* LINKTYPE_RAW */, DLT_IPV4, DLT_IPV6, DLT_PPP /* unsupported */,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    /* Exact-size heap copy: a read past the frame is a sanitizer report, not a silent overread
     * into the fuzzer's buffer. */
    size_t n = size - 2;
    uint8_t *frame = malloc(n ? n : 1);
    if (!frame)
        return 0;
    memcpy(frame, data + 2, n);
    struct ss_frame fr = {
        .ts_ns = 1,
        .number = 1,
        .dlt = fuzz_dlts[data[0] % (sizeof fuzz_dlts / sizeof fuzz_dlts[0])],
        .caplen = (uint32_t)n,
        .wirelen = (uint32_t)n + data[1],
        .data = frame,
    };
    struct ss_tcp_pkt pkt;
    struct ss_decode_stats st = {0};
    enum ss_decode_result r = ss_decode_frame(&fr, &pkt, &st);
    if (r == SS_DEC_TCP) {
        /* The payload must lie inside the captured bytes and within what the IP header said. */
        if (pkt.payload < frame || pkt.payload + pkt.payload_len > frame + n ||
            pkt.payload_len > pkt.wire_payload_len)
            abort();
        volatile uint8_t sink = 0;
        for (uint32_t i = 0; i < pkt.payload_len; i++)
            sink ^= pkt.payload[i];
        (void)sink;
    }
    if (st.frames != 1)
        abort();
    free(frame);
    return 0;
}

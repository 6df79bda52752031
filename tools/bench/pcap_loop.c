/* SPDX-License-Identifier: MIT */
/* pcap_loop.c: the benchmark's baseline — a bare libpcap read loop that touches every captured
 * byte (a checksum), so that semiscope's speed is quoted against the cost of reading the file. */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: pcap_loop FILE\n", stderr);
        return 2;
    }
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!p) {
        fprintf(stderr, "pcap_loop: %s\n", errbuf);
        return 3;
    }
    struct pcap_pkthdr *h;
    const u_char *d;
    uint64_t frames = 0, bytes = 0, sum = 0;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
        frames++;
        bytes += h->caplen;
        for (uint32_t i = 0; i + 8 <= h->caplen; i += 64)
            sum += d[i];
    }
    pcap_close(p);
    printf("%llu frames %llu bytes (%llu)\n", (unsigned long long)frames,
           (unsigned long long)bytes, (unsigned long long)sum);
    return rc == -1 ? 1 : 0;
}

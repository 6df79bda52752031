/*
 * nfqdelay: hold every packet of an NFQUEUE queue for a fixed time, then
 * release it, in arrival order.  Poor man's `tc netem delay MS` (netem is not
 * built into the lab machines' kernel).  Used by tools/lab/lab only, inside a
 * network namespace the lab created:
 *
 *   iptables -A OUTPUT -o eth0 -p tcp -j NFQUEUE --queue-num N --queue-bypass
 *   nfqdelay N MS [MAXPKTS] [MAXSECONDS]
 *
 * Prints "ready" on stdout once the queue is bound.  Exits on SIGINT/SIGTERM
 * (releasing everything held) or after MAXSECONDS (default 3600), so a
 * forgotten delayer cannot live forever.  With --queue-bypass the kernel
 * passes packets straight through when no delayer is bound.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#define RING 65536u

struct held {
	uint32_t id;
	uint64_t release_ns;
};

static struct held ring[RING];
static unsigned head, tail; /* tail - head = number held */
static uint64_t delay_ns;
static unsigned long n_in, n_out, n_full;
static volatile sig_atomic_t stop;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg,
		     struct nfq_data *nfa, void *data)
{
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
	uint32_t id;
	(void)msg;
	(void)data;
	if (ph == NULL)
		return 0;
	id = ntohl(ph->packet_id);
	n_in++;
	if (tail - head >= RING) {
		/* Should never happen (the kernel queue is smaller); pass it. */
		n_full++;
		return nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL);
	}
	ring[tail % RING].id = id;
	ring[tail % RING].release_ns = now_ns() + delay_ns;
	tail++;
	return 0;
}

static void release_due(struct nfq_q_handle *qh, int all)
{
	uint64_t t = now_ns();
	while (head != tail && (all || ring[head % RING].release_ns <= t)) {
		nfq_set_verdict(qh, ring[head % RING].id, NF_ACCEPT, 0, NULL);
		head++;
		n_out++;
	}
}

int main(int argc, char **argv)
{
	struct nfq_handle *h;
	struct nfq_q_handle *qh;
	char buf[65536] __attribute__((aligned));
	unsigned qnum, maxlen = 900;
	long maxsec = 3600;
	uint64_t deadline;
	int fd, rcvbuf = 8 << 20;

	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: nfqdelay QUEUE_NUM DELAY_MS [MAXPKTS] [MAXSECONDS]\n");
		return 2;
	}
	qnum = (unsigned)strtoul(argv[1], NULL, 10);
	delay_ns = (uint64_t)strtoull(argv[2], NULL, 10) * 1000000u;
	if (argc > 3)
		maxlen = (unsigned)strtoul(argv[3], NULL, 10);
	if (argc > 4)
		maxsec = strtol(argv[4], NULL, 10);
	if (maxlen == 0 || maxlen > RING / 2)
		maxlen = 900;
	if (maxsec <= 0 || maxsec > 86400)
		maxsec = 3600;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	h = nfq_open();
	if (h == NULL) {
		perror("nfq_open");
		return 1;
	}
	nfq_unbind_pf(h, AF_INET); /* harmless failure on new kernels */
	if (nfq_bind_pf(h, AF_INET) < 0) {
		perror("nfq_bind_pf");
		return 1;
	}
	qh = nfq_create_queue(h, (uint16_t)qnum, &on_packet, NULL);
	if (qh == NULL) {
		perror("nfq_create_queue");
		return 1;
	}
	if (nfq_set_mode(qh, NFQNL_COPY_META, 0) < 0) {
		perror("nfq_set_mode");
		return 1;
	}
	nfq_set_queue_maxlen(qh, maxlen);
	/* If we fall behind, let packets through rather than drop them. */
	nfq_set_queue_flags(qh, NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_FAIL_OPEN);
	fd = nfq_fd(h);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);

	printf("ready queue=%u delay_ms=%s maxlen=%u\n", qnum, argv[2], maxlen);
	fflush(stdout);

	deadline = now_ns() + (uint64_t)maxsec * 1000000000u;
	while (!stop && now_ns() < deadline) {
		int timeout = 100;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		if (head != tail) {
			uint64_t t = now_ns(), r = ring[head % RING].release_ns;
			timeout = r <= t ? 0 : (int)((r - t + 999999u) / 1000000u);
			if (timeout > 100)
				timeout = 100;
		}
		if (poll(&pfd, 1, timeout) > 0 && (pfd.revents & POLLIN)) {
			/* Drain everything readable without blocking. */
			for (;;) {
				ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
				if (n < 0) {
					if (errno == ENOBUFS) {
						fprintf(stderr, "nfqdelay: ENOBUFS (lost queue messages)\n");
						continue;
					}
					break;
				}
				nfq_handle_packet(h, buf, (int)n);
			}
		}
		release_due(qh, 0);
	}
	release_due(qh, 1);
	fprintf(stderr, "nfqdelay: queue %u in=%lu out=%lu ring_full=%lu\n",
		qnum, n_in, n_out, n_full);
	nfq_destroy_queue(qh);
	nfq_close(h);
	return 0;
}

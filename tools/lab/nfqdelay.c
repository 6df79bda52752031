/* SPDX-License-Identifier: MIT */
/*
 * nfqdelay: hold every packet of an NFQUEUE queue for a fixed time, then
 * release it, in arrival order.  Poor man's `tc netem delay MS` (netem is not
 * built into the lab machines' kernel).  Used by tools/lab/lab only, inside a
 * network namespace the lab created:
 *
 *   iptables -t mangle -A PREROUTING -i eth0 -p tcp -j NFQUEUE --queue-num N --queue-bypass
 *   nfqdelay N MS [MAXPKTS] [MAXSECONDS]
 *
 * MS may have a fraction (e.g. 0.5).  Prints "ready ..." on stdout once the
 * queue is bound.  Exits on SIGINT/SIGTERM (releasing everything held) or
 * after MAXSECONDS (default 3600), so a forgotten delayer cannot live forever.
 * With --queue-bypass the kernel passes packets straight through when no
 * delayer is bound.  On exit it prints its counters on stderr.
 *
 * Timing.  A packet is released at (the time it entered the queue) + MS, never
 * at (the time we happened to read it) + MS: if we were descheduled while
 * packets queued in the kernel, adding MS to our read time would delay them
 * twice.  The entry time is the packet's kernel timestamp (NFQA_TIMESTAMP,
 * present when the skb was time-stamped on receive; we hold a socket with
 * SO_TIMESTAMPNS open, which makes the kernel stamp every received skb)
 * converted to CLOCK_MONOTONIC; otherwise the time we took right after the non-blocking
 * recv() that returned it.  Releases are FIFO (a release time is never
 * earlier than the previous one) and driven by an absolute CLOCK_MONOTONIC
 * timerfd with 1 ns timer slack, polled together with the queue socket.
 *
 * Where to hook it.  Queue the packets on the INGRESS path (PREROUTING or
 * INPUT) of the namespace, not on OUTPUT.  A locally generated TCP segment
 * held in an OUTPUT queue stays charged to its socket (sk_wmem_alloc), so
 * TCP Small Queues stop the socket from sending more while 2 or so segments
 * are held: under load every ack then waits for earlier ones to leave, and
 * the delay grows well past MS (measured: +20 ms on OUTPUT gave RTT p50 27 ms
 * at one request per 5.5 ms; the same delayer on PREROUTING gives 20.1 ms).
 * On ingress the skb has been orphaned by ip_rcv before the hook, so nothing
 * pushes back on the sender.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#define RING 65536u
#define NS_PER_S 1000000000ull

/* A kernel timestamp this far before our read is not believed (clock step,
 * or a transmit-path EDT stamp on another clock base); neither is one from
 * the future beyond a small allowance for clock granularity. */
#define TS_MAX_AGE_NS (1000ull * 1000000ull)
#define TS_MAX_AHEAD_NS (1ull * 1000000ull)

struct held {
	uint32_t id;
	uint64_t release_ns;
};

struct delayer {
	struct nfq_q_handle *qh;
	struct held ring[RING];
	unsigned head, tail; /* tail - head = number held */
	uint64_t delay_ns;
	uint64_t last_release_ns; /* keeps releases FIFO */
	uint64_t recv_mono_ns;	  /* CLOCK_MONOTONIC right after the recv() */
	int64_t real_minus_mono;  /* CLOCK_REALTIME - CLOCK_MONOTONIC, same moment */
	/* counters, printed at exit */
	unsigned long n_in, n_out, n_full, n_kernel_ts, n_verdict_err;
	uint64_t queue_wait_max_ns; /* recv time - entry time */
	uint64_t late_max_ns, late_sum_ns; /* verdict time - release time */
};

static volatile sig_atomic_t stop;

static uint64_t clock_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* When did this packet enter the queue, on CLOCK_MONOTONIC? */
static uint64_t entry_time(struct delayer *d, struct nfq_data *nfa)
{
	struct timeval tv;
	uint64_t real, mono;
	if (nfq_get_timestamp(nfa, &tv) != 0 || (tv.tv_sec == 0 && tv.tv_usec == 0))
		return d->recv_mono_ns;
	real = (uint64_t)tv.tv_sec * NS_PER_S + (uint64_t)tv.tv_usec * 1000u;
	mono = (uint64_t)((int64_t)real - d->real_minus_mono);
	if (mono > d->recv_mono_ns + TS_MAX_AHEAD_NS || mono + TS_MAX_AGE_NS < d->recv_mono_ns)
		return d->recv_mono_ns;
	d->n_kernel_ts++;
	if (mono > d->recv_mono_ns) /* µs rounding */
		mono = d->recv_mono_ns;
	if (d->recv_mono_ns - mono > d->queue_wait_max_ns)
		d->queue_wait_max_ns = d->recv_mono_ns - mono;
	return mono;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg,
		     struct nfq_data *nfa, void *data)
{
	struct delayer *d = data;
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
	uint64_t rel;
	uint32_t id;
	(void)msg;
	if (ph == NULL)
		return 0;
	id = ntohl(ph->packet_id);
	d->n_in++;
	if (d->tail - d->head >= RING) {
		/* Cannot happen with MAXPKTS <= RING/2 (the kernel queue is
		 * smaller); pass the packet rather than lose it. */
		d->n_full++;
		return nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL);
	}
	rel = entry_time(d, nfa) + d->delay_ns;
	if (rel < d->last_release_ns)
		rel = d->last_release_ns;
	d->last_release_ns = rel;
	d->ring[d->tail % RING].id = id;
	d->ring[d->tail % RING].release_ns = rel;
	d->tail++;
	return 0;
}

static void release_due(struct delayer *d, int all)
{
	uint64_t t = clock_ns(CLOCK_MONOTONIC);
	while (d->head != d->tail && (all || d->ring[d->head % RING].release_ns <= t)) {
		struct held *p = &d->ring[d->head % RING];
		if (!all && t - p->release_ns > d->late_max_ns)
			d->late_max_ns = t - p->release_ns;
		if (!all)
			d->late_sum_ns += t - p->release_ns;
		if (nfq_set_verdict(d->qh, p->id, NF_ACCEPT, 0, NULL) < 0)
			d->n_verdict_err++;
		d->head++;
		d->n_out++;
	}
}

/* Arm the timer for the oldest held packet, or disarm it. */
static void arm_timer(struct delayer *d, int tfd)
{
	struct itimerspec it;
	memset(&it, 0, sizeof it);
	if (d->head != d->tail) {
		uint64_t r = d->ring[d->head % RING].release_ns;
		it.it_value.tv_sec = (time_t)(r / NS_PER_S);
		it.it_value.tv_nsec = (long)(r % NS_PER_S);
		if (r == 0)
			it.it_value.tv_nsec = 1; /* 0 would disarm */
	}
	timerfd_settime(tfd, TFD_TIMER_ABSTIME, &it, NULL);
}

/* Read every queue message the socket holds, without blocking. */
static void drain(struct delayer *d, struct nfq_handle *h, int fd, char *buf, size_t bufsz)
{
	for (;;) {
		ssize_t n = recv(fd, buf, bufsz, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == ENOBUFS) {
				fprintf(stderr, "nfqdelay: ENOBUFS (lost queue messages)\n");
				continue;
			}
			if (errno == EINTR)
				continue;
			return;
		}
		d->recv_mono_ns = clock_ns(CLOCK_MONOTONIC);
		d->real_minus_mono = (int64_t)clock_ns(CLOCK_REALTIME) - (int64_t)d->recv_mono_ns;
		nfq_handle_packet(h, buf, (int)n);
	}
}

static int parse_args(int argc, char **argv, unsigned *qnum, uint64_t *delay_ns,
		      unsigned *maxlen, long *maxsec)
{
	char *end;
	double ms;
	if (argc < 3 || argc > 5)
		return -1;
	*qnum = (unsigned)strtoul(argv[1], NULL, 10);
	ms = strtod(argv[2], &end);
	if (end == argv[2] || *end != '\0' || !(ms >= 0 && ms <= 60000))
		return -1;
	*delay_ns = (uint64_t)(ms * 1e6 + 0.5);
	*maxlen = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 900;
	*maxsec = argc > 4 ? strtol(argv[4], NULL, 10) : 3600;
	if (*maxlen == 0 || *maxlen > RING / 2)
		*maxlen = 900;
	if (*maxsec <= 0 || *maxsec > 86400)
		*maxsec = 3600;
	return 0;
}

/* Fewer wake-up surprises: no timer slack, and a real-time priority when we
 * are allowed one (the lab runs as root), so a busy machine does not make us
 * late.  Both are best effort. */
static void tune_scheduling(void)
{
	struct sched_param sp;
	memset(&sp, 0, sizeof sp);
	sp.sched_priority = 10;
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0)
		fprintf(stderr, "nfqdelay: SCHED_FIFO not available (%s), using default\n",
			strerror(errno));
}

/* The kernel stamps received skbs (the NFQA_TIMESTAMP we read) only while
 * some socket asks for receive timestamps; af_packet (tcpdump) does not.  A
 * UDP socket with SO_TIMESTAMPNS, kept open until exit, switches the stamping
 * on.  Returns the socket, or -1 (then we fall back to our read time). */
static int enable_rx_timestamps(void)
{
	int one = 1, s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s >= 0 && setsockopt(s, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) != 0) {
		close(s);
		s = -1;
	}
	return s;
}

int main(int argc, char **argv)
{
	static struct delayer d; /* large ring: not on the stack */
	static char buf[65536] __attribute__((aligned));
	struct nfq_handle *h;
	unsigned qnum, maxlen;
	long maxsec;
	uint64_t deadline;
	int fd, tfd, tsfd, rcvbuf = 8 << 20;

	if (parse_args(argc, argv, &qnum, &d.delay_ns, &maxlen, &maxsec) != 0) {
		fprintf(stderr, "usage: nfqdelay QUEUE_NUM DELAY_MS [MAXPKTS] [MAXSECONDS]\n");
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	tune_scheduling();
	tsfd = enable_rx_timestamps();

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
	d.qh = nfq_create_queue(h, (uint16_t)qnum, &on_packet, &d);
	if (d.qh == NULL) {
		perror("nfq_create_queue");
		return 1;
	}
	if (nfq_set_mode(d.qh, NFQNL_COPY_META, 0) < 0) {
		perror("nfq_set_mode");
		return 1;
	}
	nfq_set_queue_maxlen(d.qh, maxlen);
	/* If we fall behind, let packets through rather than drop them. */
	nfq_set_queue_flags(d.qh, NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_FAIL_OPEN);
	fd = nfq_fd(h);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (tfd < 0) {
		perror("timerfd_create");
		return 1;
	}

	printf("ready queue=%u delay_ms=%s maxlen=%u\n", qnum, argv[2], maxlen);
	fflush(stdout);

	deadline = clock_ns(CLOCK_MONOTONIC) + (uint64_t)maxsec * NS_PER_S;
	while (!stop && clock_ns(CLOCK_MONOTONIC) < deadline) {
		struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN },
					 { .fd = tfd, .events = POLLIN } };
		/* The timeout only bounds how late we notice the deadline. */
		if (poll(pfd, 2, 1000) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents & POLLIN) {
			uint64_t expirations;
			if (read(tfd, &expirations, sizeof expirations) < 0)
				(void)0; /* EAGAIN: re-armed meanwhile */
		}
		if (pfd[0].revents & POLLIN)
			drain(&d, h, fd, buf, sizeof buf);
		release_due(&d, 0);
		arm_timer(&d, tfd);
	}
	release_due(&d, 1);
	fprintf(stderr,
		"nfqdelay: queue %u in=%lu out=%lu ring_full=%lu verdict_errors=%lu "
		"kernel_ts=%lu queue_wait_max_us=%llu late_max_us=%llu late_mean_us=%.1f\n",
		qnum, d.n_in, d.n_out, d.n_full, d.n_verdict_err, d.n_kernel_ts,
		(unsigned long long)(d.queue_wait_max_ns / 1000),
		(unsigned long long)(d.late_max_ns / 1000),
		d.n_out ? (double)d.late_sum_ns / 1000.0 / (double)d.n_out : 0.0);
	close(tfd);
	if (tsfd >= 0)
		close(tsfd);
	nfq_destroy_queue(d.qh);
	nfq_close(h);
	return 0;
}

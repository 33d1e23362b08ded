/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The peers: what a user would pick instead of libcaec, measured in the same
 * sweep as the caec modes, as modes of their own ("peer-uds", "peer-pipe",
 * "peer-ckring"). Each becomes ordinary rows of the JSON "results" (with
 * "kind": "peer"), of the table, the CSV, the summary and the plots, and is
 * a lane of group.c like the subject (patterns.c): set up once per group,
 * measured in blocks interleaved with the other lanes and the same bare
 * references, with the same pinning, warm-up, payload stamping and O(1)
 * payload check:
 *
 * stream:   the sender writes each S-byte message, the receiver reads each
 *           one into a private buffer and checks it; send-to-receive latency
 *           of stamped messages and first-stamp-to-last-receive throughput.
 * pingpong: S bytes out; the child reads them and writes them back.
 * mailbox:  S bytes out; the child reads them and answers an 8-byte ack
 *           holding the sequence number.
 * They have no zero-copy API, so no stream-zc (bench_point_applies()).
 *
 * peer-uds:    socketpair(AF_UNIX, SOCK_STREAM), one write() / read() loop a
 *              message; both socket buffers set to the ring size.
 * peer-pipe:   two pipes (one each direction), read() / write(), each pipe
 *              sized to the ring (F_SETPIPE_SZ, best effort).
 * peer-ckring: concurrencykit's ck_ring (alt_ckring.c), busy-polling.
 *
 * Warm-up: the group's, bounded in time (group.c), like every lane's.
 *
 * The socket and pipe peers block in the kernel as their users would (no
 * busy-polling); a child that dies ends the parent's read with EOF (or the
 * SIGCHLD handler of peer.c), a socket that stays silent for the timeout is
 * a failure. Like the subject, every failure exits with status 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "bench.h"

#define ACK_SIZE 8u

enum alt_kind {
	ALT_UDS,
	ALT_PIPE,
	ALT_CKRING,
	ALT_N,
};

static const struct bench_mode alt_modes[ALT_N] = {
	[ALT_UDS] = { "peer-uds", "peer", NULL },
	[ALT_PIPE] = { "peer-pipe", "peer", NULL },
	[ALT_CKRING] = { "peer-ckring", "peer", NULL },
};

/*
 * One lane's link between the parent and the peer. fd[] holds the
 * parent-to-child direction in [0] (write end) and [1] (read end), the
 * child-to-parent one in [2] and [3]; for the socket pair [0] = [3] and
 * [1] = [2]. After the fork each process closes the other's ends and keeps
 * tx and rx.
 */
struct alt_link {
	const struct bench_run *run;
	enum alt_kind kind;
	bool child;
	int fd[4];
	int tx, rx;
	struct alt_ck *ck;
	uint8_t *src, *dst;	/* one message each, this side's */
};

const struct bench_mode *
bench_alt_find(const char *name)
{
	size_t i;

	for (i = 0; i < ALT_N; i++)
		if (!strcmp(alt_modes[i].name, name))
			return &alt_modes[i];
	return NULL;
}

bool
bench_mode_is_alt(const struct bench_mode *m)
{
	return m >= alt_modes && m < alt_modes + ALT_N;
}

/*
 * What the peers cannot do: a pattern they have no API for, with the reason
 * (NULL for the patterns they implement). Adding a pattern adds a row when
 * the peers lack it.
 */
static const char *const alt_lacks[BENCH_NPATTERNS] = {
	[BENCH_STREAM_ZC] = "no zero-copy API",
};

/* RETURN VALUE: why the peers do not run pattern @p, or NULL if they do. */
const char *
bench_alt_lacks(enum bench_pattern p)
{
	return p < BENCH_NPATTERNS ? alt_lacks[p] : NULL;
}

/*
 * bench_point_applies - does mode @m have pattern @p? False only for a peer
 * and a pattern it lacks: such a point is neither measured nor reported
 * (table, JSON, CSV, plot, summary all skip it).
 */
bool
bench_point_applies(const struct bench_mode *m, enum bench_pattern p)
{
	return !bench_mode_is_alt(m) || !bench_alt_lacks(p);
}

/* RETURN VALUE: why @m cannot run in this build, or NULL when it can. */
const char *
bench_alt_missing(const struct bench_mode *m)
{
#ifndef BENCH_HAVE_CK
	if (m == &alt_modes[ALT_CKRING])
		return "concurrencykit (Debian libck-dev) was not found when caec-bench was built";
#endif
	(void)m;
	return NULL;
}

/* --peers: append every peer; those this build lacks go to cfg->skipped. */
void
bench_alt_add_all(struct bench_cfg *cfg)
{
	unsigned int i, j;

	for (i = 0; i < ALT_N; i++) {
		const struct bench_mode *m = &alt_modes[i];

		for (j = 0; j < cfg->nmodes && cfg->modes[j] != m; j++)
			;
		if (j < cfg->nmodes)
			continue;
		if (bench_alt_missing(m)) {
			cfg->skipped[cfg->nskipped++] = m;
			continue;
		}
		if (cfg->nmodes == BENCH_MAX_MODES)
			bench_cli_error("--peers: too many modes");
		cfg->modes[cfg->nmodes++] = m;
	}
}

/* --- the socket and pipe transports --- */

/* Both buffers of one socket, or one pipe, hold @bytes (best effort). */
static void
fd_size(enum alt_kind kind, int fd, uint32_t bytes)
{
	int v = (int)bytes;

	if (kind == ALT_PIPE) {
		(void)fcntl(fd, F_SETPIPE_SZ, v);
		return;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
}

static void
sock_timeouts(int fd)
{
	struct timeval tv = {
		.tv_sec = BENCH_TIMEOUT_MS / 1000,
		.tv_usec = (BENCH_TIMEOUT_MS % 1000) * 1000,
	};

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
		bench_die("setsockopt: %s", strerror(errno));
}

static void
fd_open(struct alt_link *l)
{
	int sv[2], p[2];

	if (l->kind == ALT_UDS) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
			bench_die("socketpair: %s", strerror(errno));
		l->fd[0] = l->fd[3] = sv[0];
		l->fd[1] = l->fd[2] = sv[1];
		fd_size(ALT_UDS, sv[0], l->run->ring);
		fd_size(ALT_UDS, sv[1], l->run->ring);
		sock_timeouts(sv[0]);
		sock_timeouts(sv[1]);
		return;
	}
	if (pipe2(p, O_CLOEXEC))
		bench_die("pipe2: %s", strerror(errno));
	l->fd[0] = p[1];
	l->fd[1] = p[0];
	if (pipe2(p, O_CLOEXEC))
		bench_die("pipe2: %s", strerror(errno));
	l->fd[2] = p[1];
	l->fd[3] = p[0];
	fd_size(ALT_PIPE, l->fd[0], l->run->ring);
	fd_size(ALT_PIPE, l->fd[2], l->run->ring);
}

/* After the fork: keep this process's ends, close the other's. */
static void
fd_side(struct alt_link *l, bool child)
{
	int i, j, fd, keep_tx = child ? 2 : 0, keep_rx = child ? 1 : 3;

	l->child = child;
	l->tx = l->fd[keep_tx];
	l->rx = l->fd[keep_rx];
	for (i = 0; i < 4; i++) {
		fd = l->fd[i];
		if (fd < 0 || fd == l->tx || fd == l->rx)
			continue;
		close(fd);
		/* The socket pair lists each descriptor twice. */
		for (j = i; j < 4; j++)
			if (l->fd[j] == fd)
				l->fd[j] = -1;
	}
}

/* All @len bytes through the link's fd, or die naming the mode and call. */
static inline void
fd_io(const struct alt_link *l, bool wr, void *buf, uint32_t len)
{
	const char *call = wr ? "write" : "read";
	int rc = bench_io_all(wr, wr ? l->tx : l->rx, buf, len);

	if (__builtin_expect(!rc, 1))
		return;
	if (rc == -EPIPE)
		bench_die("%s %s: the other process closed its end",
			  l->run->mode->name, call);
	if (rc == -EAGAIN || rc == -EWOULDBLOCK)
		bench_die("%s %s: the other process did not respond within %d s",
			  l->run->mode->name, call, BENCH_TIMEOUT_MS / 1000);
	bench_die("%s %s: %s", l->run->mode->name, call, strerror(-rc));
}

#ifndef BENCH_HAVE_CK
/* Never called: bench_alt_missing() keeps peer-ckring out of the sweep. */
struct alt_ck *
bench_ck_open(const struct bench_run *run, uint32_t back_size)
{
	(void)back_size;
	bench_die("%s is not available in this build", run->mode->name);
}

void
bench_ck_send(struct alt_ck *c, bool child, const void *buf, uint32_t len)
{
}

void
bench_ck_recv(struct alt_ck *c, bool child, void *buf, uint32_t len)
{
}

void
bench_ck_close(struct alt_ck *c)
{
}
#endif

/* --- one transport interface over all kinds --- */

static void
link_open(struct alt_link *l, const struct bench_run *run)
{
	static const enum alt_kind kinds[ALT_N] = { ALT_UDS, ALT_PIPE,
						    ALT_CKRING };

	memset(l, 0, sizeof(*l));
	l->run = run;
	l->kind = kinds[run->mode - alt_modes];
	l->tx = l->rx = -1;
	if (l->kind == ALT_CKRING)
		l->ck = bench_ck_open(run, run->pattern == BENCH_MAILBOX ?
						   ACK_SIZE : run->size);
	else
		fd_open(l);
}

static void
link_side(struct alt_link *l, bool child)
{
	l->child = child;
	if (l->kind != ALT_CKRING)
		fd_side(l, child);
}

static void
link_close(struct alt_link *l)
{
	if (l->kind == ALT_CKRING) {
		bench_ck_close(l->ck);
		return;
	}
	close(l->tx);
	if (l->rx != l->tx)
		close(l->rx);
}

static inline void
link_send(const struct alt_link *l, const void *buf, uint32_t len)
{
	if (l->kind == ALT_CKRING)
		bench_ck_send(l->ck, l->child, buf, len);
	else
		fd_io(l, true, (void *)buf, len);
}

static inline void
link_recv(const struct alt_link *l, void *buf, uint32_t len)
{
	if (l->kind == ALT_CKRING)
		bench_ck_recv(l->ck, l->child, buf, len);
	else
		fd_io(l, false, buf, len);
}

/* --- the patterns: sender side (parent) --- */

static void
stream_send(const struct alt_link *l, uint8_t *src, uint64_t first,
	    uint64_t n, uint32_t every)
{
	const struct bench_run *run = l->run;
	uint32_t sleft = 1;
	uint64_t i;

	for (i = 0; i < n; i++) {
		bench_fill(src, run->size, first + i,
			   every && bench_stamp_due(&sleft, every) ?
				   bench_now_ns() : 0);
		link_send(l, src, run->size);
	}
}

static inline void
round_trip(const struct alt_link *l, uint8_t *src, uint8_t *dst,
	   uint64_t seq)
{
	const struct bench_run *run = l->run;
	uint64_t ack;

	bench_fill(src, run->size, seq, 0);
	link_send(l, src, run->size);
	if (run->pattern == BENCH_PINGPONG) {
		link_recv(l, dst, run->size);
		if (!bench_check(dst, run->size, run->size, seq))
			bench_die_data(run, "sender, echo", seq, dst,
				       run->size);
		return;
	}
	link_recv(l, &ack, ACK_SIZE);
	if (ack != seq)
		bench_die("DATA MISMATCH in %s mailbox %u B: ack carries %llu, expected %llu",
			  run->mode->name, run->size, (unsigned long long)ack,
			  (unsigned long long)seq);
}

static void
rt_send(struct bench_lane *ln, const struct bench_cmd *c,
	struct bench_result *res, struct bench_meter *m)
{
	const struct alt_link *l = ln->priv;
	uint64_t *lat = bench_lane_lat(ln, c->count);
	uint64_t i, t, prev, t0, t1;

	for (i = 0; i < c->warm; i++)
		round_trip(l, l->src, l->dst, ln->seq++);
	bench_block_warm_wait(bench_peer_ctl());

	bench_meter_start(m);
	t0 = bench_now_ns();
	prev = bench_ticks();
	for (i = 0; i < c->count; i++) {
		round_trip(l, l->src, l->dst, ln->seq++);
		t = bench_ticks();
		lat[i] = t - prev;
		prev = t;
	}
	t1 = bench_now_ns();
	bench_meter_stop(m);
	bench_rt_result(res, lat, c->count, t0, t1);
}

/* --- receiver side (the peer) --- */

/* Receive and check @n messages; stamped ones into @lat (see patterns.c). */
static size_t
stream_take(struct bench_lane *ln, uint64_t n, uint64_t *lat, size_t cap,
	    uint64_t *first)
{
	const struct alt_link *l = ln->priv;
	const struct bench_run *run = l->run;
	uint64_t i, stamp, seq;
	size_t k = 0;

	for (i = 0; i < n; i++) {
		seq = ln->seq++;
		link_recv(l, l->dst, run->size);
		if (!bench_check(l->dst, run->size, run->size, seq))
			bench_die_data(run, "receiver", seq, l->dst,
				       run->size);
		stamp = bench_stamp_of(l->dst);
		if (lat && stamp && k < cap) {
			if (!*first)
				*first = stamp;
			lat[k++] = bench_now_ns() - stamp;
		}
	}
	return k;
}

static void
stream_recv(struct bench_lane *ln, const struct bench_cmd *c,
	    struct bench_ctl *ctl)
{
	size_t cap = c->count / c->stamp_every + 2, k;
	uint64_t *lat = bench_lane_lat(ln, cap);
	uint64_t first = 0, end, cpu;

	stream_take(ln, c->warm, NULL, 0, &first);
	cpu = bench_thread_cpu_ns();
	bench_block_warm_done(ctl);
	k = stream_take(ln, c->count, lat, cap, &first);
	end = bench_now_ns();
	ctl->cpu_ns = bench_thread_cpu_ns() - cpu;
	ctl->elapsed_ns = end - first;
	ctl->lat_p50_ns = bench_percentile(lat, k, 50);
	ctl->lat_p99_ns = bench_percentile(lat, k, 99);
}

static inline void
rt_answer(const struct alt_link *l, uint8_t *dst, uint64_t seq)
{
	const struct bench_run *run = l->run;

	link_recv(l, dst, run->size);
	if (!bench_check(dst, run->size, run->size, seq))
		bench_die_data(run, "peer, request", seq, dst, run->size);
	if (run->pattern == BENCH_PINGPONG)
		link_send(l, dst, run->size);
	else
		link_send(l, &seq, ACK_SIZE);
}

static void
rt_recv(struct bench_lane *ln, const struct bench_cmd *c,
	struct bench_ctl *ctl)
{
	const struct alt_link *l = ln->priv;
	uint64_t i, cpu;

	for (i = 0; i < c->warm; i++)
		rt_answer(l, l->dst, ln->seq++);
	cpu = bench_thread_cpu_ns();
	bench_block_warm_done(ctl);
	for (i = 0; i < c->count; i++)
		rt_answer(l, l->dst, ln->seq++);
	ctl->cpu_ns = bench_thread_cpu_ns() - cpu;
}

/* --- the lane --- */

static void
alt_open(struct bench_lane *ln)
{
	struct alt_link *l = bench_alloc(sizeof(*l));

	if (!bench_point_applies(ln->run.mode, ln->run.pattern))
		bench_die("internal error: %s has no %s pattern (%s)",
			  ln->run.mode->name,
			  bench_pattern_name(ln->run.pattern),
			  bench_alt_lacks(ln->run.pattern));
	/* A write to a dead peer's pipe must fail with EPIPE, not kill. */
	signal(SIGPIPE, SIG_IGN);
	link_open(l, &ln->run);
	l->src = bench_alloc(ln->run.size);
	l->dst = bench_alloc(ln->run.size);
	ln->priv = l;
}

static void
alt_connect(struct bench_lane *ln)
{
	link_side(ln->priv, false);
}

static void
alt_attach(struct bench_lane *ln)
{
	link_side(ln->priv, true);
}

static void
alt_send(struct bench_lane *ln, const struct bench_cmd *c,
	 struct bench_result *res, struct bench_meter *m)
{
	struct alt_link *l = ln->priv;

	if (ln->run.pattern != BENCH_STREAM) {
		rt_send(ln, c, res, m);
		return;
	}
	stream_send(l, l->src, ln->seq, c->warm, 0);
	ln->seq += c->warm;
	bench_block_warm_wait(bench_peer_ctl());
	bench_meter_start(m);
	stream_send(l, l->src, ln->seq, c->count, c->stamp_every);
	bench_meter_stop(m);
	ln->seq += c->count;
}

static void
alt_recv(struct bench_lane *ln, const struct bench_cmd *c,
	 struct bench_ctl *ctl)
{
	if (ln->run.pattern == BENCH_STREAM)
		stream_recv(ln, c, ctl);
	else
		rt_recv(ln, c, ctl);
}

static void
alt_close(struct bench_lane *ln)
{
	struct alt_link *l = ln->priv;

	link_close(l);
	if (bench_in_child)
		return;
	free(l->src);
	free(l->dst);
	free(l);
	ln->priv = NULL;
}

/* A peer: what a user would pick instead of libcaec. */
const struct bench_lane_ops bench_alt_ops = {
	.open = alt_open,
	.connect = alt_connect,
	.attach = alt_attach,
	.send = alt_send,
	.recv = alt_recv,
	.close = alt_close,
};

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The measured subject: stream, pingpong and mailbox over a caec channel
 * between two pinned processes.
 *
 * A lane of group.c: the parent creates "SCHEME:memfd?ring=R&wait=spin&wake=none"
 * once per group and sends; the group's peer process attaches
 * "SCHEME:fd/N?wait=spin" and receives (stream), echoes (pingpong) or
 * acknowledges (mailbox), one block at a time, on the same channel: the
 * sequence numbers run on across blocks, every block ends with both sides
 * published (the sender flushes, the receiver's last call of a block has
 * no CAEC_MORE), so the next block starts from an empty ring. Both sides busy-poll (SPIN),
 * as the CAEC paper does; wake=none drops the futex wake-up protocol, whose
 * only effect under SPIN is a full fence per publication (--wake futex keeps
 * it, to measure that cost).
 *
 * stream:   the sender copies each message in with caec_channel_send() and
 *           CAEC_MORE, publishing every --batch messages (and whenever the
 *           ring is full, which the library does itself); the receiver copies
 *           each one out with caec_channel_recv(), also publishing its head
 *           every --batch messages. Both copies are what the memcpy
 *           reference does too, so every payload byte really crosses.
 * stream-zc: the stream over the zero-copy calls: the sender reserves each
 *           message's slot (caec_channel_reserve()), writes it in place with
 *           the same fill (sequence words, stamp) and commits it with the
 *           stream's CAEC_MORE batching; the receiver peeks it, checks it and
 *           reads its stamp in place, then releases it. Only the words the
 *           fill writes are touched: what an application gains that builds
 *           its message in the slot and reads it where it lies. The
 *           encrypted modes stage the plaintext privately (seal on commit,
 *           open on peek), so there every byte is still processed.
 * pingpong: send S bytes; the peer peeks, checks and sends the same S bytes
 *           back straight from the ring (one copy), then releases; the sender
 *           receives them with caec_channel_recv().
 * mailbox:  send S bytes; the peer receives them and sends an 8-byte ack
 *           holding the sequence number.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <caec/caec.h>

#include "bench.h"

static bool mode_is_csm(const struct bench_mode *m);
static int csm_start(void);

#define ACK_SIZE 8u

static const struct bench_mode modes[] = {
	{ "nw", "nw", NULL },
	{ "nw-openssl", "nw-openssl", NULL },
	{ "nw-mbedtls", "nw-mbedtls", NULL },
	{ "csm", "csm", NULL },
};

const struct bench_mode *
bench_mode_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(modes[i].name, name))
			return &modes[i];
	return NULL;
}

const char *
bench_mode_list(void)
{
	return "nw, nw-openssl, nw-mbedtls, csm";
}

/*
 * bench_mode_probe - can this build create a channel of mode @m?
 * RETURN VALUE: 0, or the library's error (-ENOTSUP for a scheme that is not
 * built in), with caec_error_detail() set.
 */
/*
 * Channel options: the encrypted modes get a fresh random pre-shared key per
 * process tree (drawn once, before any fork, so both sides hold it). The
 * URI's wait= and wake= keys decide the waiting.
 */
const struct caec_channel_params *
bench_chan_params(struct caec_channel_params *p)
{
	static uint8_t psk[32];
	static bool drawn;

	if (!drawn) {
		if (getrandom(psk, sizeof(psk), 0) != (ssize_t)sizeof(psk))
			bench_die("getrandom failed: %s", strerror(errno));
		drawn = true;
	}
	caec_channel_params_init(p);
	p->key = psk;
	return p;
}

int
bench_mode_probe(const struct bench_mode *m)
{
	struct caec_channel_params p;
	struct caec_channel *ch;
	char uri[128];
	int rc;

	/* A csm channel needs a consumer realm: probe the service only. */
	if (mode_is_csm(m))
		return csm_start();
	snprintf(uri, sizeof(uri), "%s:memfd?ring=4096&wait=spin&wake=none",
		 m->scheme);
	rc = caec_channel_create(uri, bench_chan_params(&p), &ch);
	if (!rc)
		caec_channel_close(ch);
	return rc;
}

/*
 * A subject lane's state. The parent holds @tx, the peer attaches @rx;
 * each side touches only its own (the peer inherits the parent's handles
 * and leaves them alone).
 */
struct subj_lane {
	struct caec_channel *tx;	/* parent: the created end */
	struct caec_channel *rx;	/* peer: the attached end */
	int fd;			/* nw modes: the region descriptor */
	int to_parent[2];	/* csm: the peer's realm id goes up, */
	int to_child[2];	/* the sharing id comes down */
	uint8_t *src, *dst;	/* one message each, this side's */
};

static bool
mode_is_csm(const struct bench_mode *m)
{
	return !strcmp(m->scheme, "csm");
}

/*
 * The CSM service: an already running caec-rmmd or device, else a private
 * caec-rmmd started once here and stopped when the bench exits. No realm
 * call is made in this process before the first fork.
 */
static struct caec_csm_service *csm_svc;
static pid_t csm_owner;

static void
csm_stop(void)
{
	if (csm_svc && getpid() == csm_owner)
		caec_csm_service_stop(csm_svc);
	csm_svc = NULL;
}

static int
csm_start(void)
{
	int rc;

	if (csm_svc)
		return 0;
	rc = caec_csm_service_start(&csm_svc);
	if (rc)
		return rc;
	csm_owner = getpid();
	atexit(csm_stop);
	return 0;
}

/* Publish with the batch's last message; CAEC_MORE before it. */
static inline unsigned int
batch_flags(unsigned int *left, unsigned int batch)
{
	return bench_batch_end(left, batch) ? 0 : CAEC_MORE;
}

/* --- sender side (parent) --- */

/*
 * Send messages @first .. @first + @n - 1, stamping one in @every (none when
 * 0), then flush. @zc: reserve each slot, fill it in place and commit it;
 * else fill @src and send (copy) it. The stamp is taken before the call
 * that may wait for room in both cases, so that the two streams' latencies
 * mean the same. Inlined into stream_send() and stream_send_zc(), so that
 * each loop is compiled for one value of @zc.
 */
static inline __attribute__((always_inline)) void
stream_send_loop(struct caec_channel *ch, const struct bench_run *run,
		 uint8_t *src, uint64_t first, uint64_t n, uint32_t every,
		 bool zc)
{
	unsigned int left = run->batch;
	uint32_t sleft = 1;
	uint64_t i, t;
	void *slot;
	int rc;

	for (i = 0; i < n; i++) {
		t = every && bench_stamp_due(&sleft, every) ? bench_now_ns() :
							      0;
		if (!zc) {
			bench_fill(src, run->size, first + i, t);
			rc = caec_channel_send(ch, src, run->size,
					       batch_flags(&left, run->batch),
					       BENCH_TIMEOUT_MS);
			if (rc)
				bench_die_lib("caec_channel_send", rc);
			continue;
		}
		rc = caec_channel_reserve(ch, run->size, &slot,
					  BENCH_TIMEOUT_MS);
		if (rc)
			bench_die_lib("caec_channel_reserve", rc);
		bench_fill(slot, run->size, first + i, t);
		rc = caec_channel_commit(ch, run->size,
					 batch_flags(&left, run->batch));
		if (rc)
			bench_die_lib("caec_channel_commit", rc);
	}
	rc = caec_channel_flush(ch);
	if (rc)
		bench_die_lib("caec_channel_flush", rc);
}

/* The stream's sender: copy each message in (caec_channel_send()). */
static void
stream_send(struct caec_channel *ch, const struct bench_run *run,
	    uint8_t *src, uint64_t first, uint64_t n, uint32_t every)
{
	stream_send_loop(ch, run, src, first, n, every, false);
}

/* stream-zc's sender: build each message in its reserved slot. */
static void
stream_send_zc(struct caec_channel *ch, const struct bench_run *run,
	       uint8_t *src, uint64_t first, uint64_t n, uint32_t every)
{
	stream_send_loop(ch, run, src, first, n, every, true);
}

/* One round trip: S bytes out, S bytes (pingpong) or an ack (mailbox) back. */
static inline void
round_trip(struct caec_channel *ch, const struct bench_run *run,
	   uint8_t *src, uint8_t *dst, uint64_t seq)
{
	bool echo = run->pattern == BENCH_PINGPONG;
	uint64_t ack;
	ssize_t n;
	int rc;

	bench_fill(src, run->size, seq, 0);
	rc = caec_channel_send(ch, src, run->size, 0, BENCH_TIMEOUT_MS);
	if (rc)
		bench_die_lib("caec_channel_send", rc);
	n = caec_channel_recv(ch, dst, echo ? run->size : ACK_SIZE, 0,
			      BENCH_TIMEOUT_MS);
	if (n < 0)
		bench_die_lib("caec_channel_recv", n);
	if (echo) {
		if (!bench_check(dst, n, run->size, seq))
			bench_die_data(run, "sender, echo", seq, dst, n);
		return;
	}
	memcpy(&ack, dst, sizeof(ack));
	if (n != ACK_SIZE || ack != seq)
		bench_die("DATA MISMATCH in %s mailbox %u B: ack of %zd bytes "
			  "carries %llu, expected 8 bytes carrying %llu",
			  run->mode->name, run->size, n,
			  (unsigned long long)ack, (unsigned long long)seq);
}

static void
rt_send(struct bench_lane *l, const struct bench_cmd *c,
	struct bench_result *res, struct bench_meter *m)
{
	struct subj_lane *s = l->priv;
	uint64_t *lat = bench_lane_lat(l, c->count);
	uint64_t i, t, prev, t0, t1;

	for (i = 0; i < c->warm; i++)
		round_trip(s->tx, &l->run, s->src, s->dst, l->seq++);
	bench_block_warm_wait(bench_peer_ctl());

	bench_meter_start(m);
	t0 = bench_now_ns();
	prev = bench_ticks();
	for (i = 0; i < c->count; i++) {
		round_trip(s->tx, &l->run, s->src, s->dst, l->seq++);
		t = bench_ticks();
		lat[i] = t - prev;
		prev = t;
	}
	t1 = bench_now_ns();
	bench_meter_stop(m);
	bench_rt_result(res, lat, c->count, t0, t1);
}

/* --- receiver side (the peer) --- */

/*
 * Receive message @seq and check it, consuming it with @flags; RETURN
 * VALUE: its stamp. @zc: peek, check and read the stamp in place, then
 * release; else copy it out into @dst (recv).
 */
static inline __attribute__((always_inline)) uint64_t
stream_recv_one(struct caec_channel *ch, const struct bench_run *run,
		uint8_t *dst, uint64_t seq, unsigned int flags, bool zc)
{
	const void *p;
	uint64_t stamp;
	ssize_t n;
	int rc;

	if (!zc) {
		n = caec_channel_recv(ch, dst, run->size, flags,
				      BENCH_TIMEOUT_MS);
		if (n < 0)
			bench_die_lib("caec_channel_recv", n);
		if (!bench_check(dst, n, run->size, seq))
			bench_die_data(run, "receiver", seq, dst, n);
		return bench_stamp_of(dst);
	}
	n = caec_channel_peek(ch, &p, BENCH_TIMEOUT_MS);
	if (n < 0)
		bench_die_lib("caec_channel_peek", n);
	if (!bench_check(p, n, run->size, seq))
		bench_die_data(run, "receiver", seq, p, n);
	stamp = bench_stamp_of(p);
	rc = caec_channel_release(ch, flags);
	if (rc)
		bench_die_lib("caec_channel_release", rc);
	return stamp;
}

/*
 * Consume @n messages from l->seq on, publishing every batch and after the
 * last one; with @lat, record the send-to-receive time of each stamped one
 * (up to @cap) and return their count, and the first stamp in @first.
 * Inlined into its two callers like stream_send_loop().
 */
static inline __attribute__((always_inline)) size_t
stream_recv_loop(struct bench_lane *l, uint64_t n, uint64_t *lat, size_t cap,
		 uint64_t *first, bool zc)
{
	struct subj_lane *s = l->priv;
	unsigned int left = l->run.batch, flags;
	uint64_t i, stamp;
	size_t k = 0;

	for (i = 0; i < n; i++) {
		flags = batch_flags(&left, l->run.batch);
		if (i + 1 == n)
			flags = 0;
		stamp = stream_recv_one(s->rx, &l->run, s->dst, l->seq++,
					flags, zc);
		if (lat && stamp && k < cap) {
			if (!*first)
				*first = stamp;
			lat[k++] = bench_now_ns() - stamp;
		}
	}
	return k;
}

static size_t
stream_recv_copy(struct bench_lane *l, uint64_t n, uint64_t *lat, size_t cap,
		 uint64_t *first)
{
	return stream_recv_loop(l, n, lat, cap, first, false);
}

static size_t
stream_recv_zc(struct bench_lane *l, uint64_t n, uint64_t *lat, size_t cap,
	       uint64_t *first)
{
	return stream_recv_loop(l, n, lat, cap, first, true);
}

/*
 * The receiving side of either stream's block: the warm-up, then the timed
 * messages, whose stamps give the latencies and the elapsed time in @ctl.
 */
static void
stream_recv(struct bench_lane *l, const struct bench_cmd *c,
	    struct bench_ctl *ctl)
{
	size_t (*recv)(struct bench_lane *, uint64_t, uint64_t *, size_t,
		       uint64_t *) = l->run.pattern == BENCH_STREAM_ZC ?
		stream_recv_zc : stream_recv_copy;
	size_t cap = c->count / c->stamp_every + 2, k;
	uint64_t *lat = bench_lane_lat(l, cap);
	uint64_t first = 0, end, cpu;

	recv(l, c->warm, NULL, 0, &first);
	cpu = bench_thread_cpu_ns();
	bench_block_warm_done(ctl);
	k = recv(l, c->count, lat, cap, &first);
	end = bench_now_ns();
	ctl->cpu_ns = bench_thread_cpu_ns() - cpu;
	ctl->elapsed_ns = end - first;
	ctl->lat_p50_ns = bench_percentile(lat, k, 50);
	ctl->lat_p99_ns = bench_percentile(lat, k, 99);
}

static inline void
rt_answer(struct caec_channel *ch, const struct bench_run *run, uint8_t *dst,
	  uint64_t seq)
{
	const void *p;
	ssize_t n;
	int rc;

	if (run->pattern == BENCH_PINGPONG) {
		n = caec_channel_peek(ch, &p, BENCH_TIMEOUT_MS);
		if (n < 0)
			bench_die_lib("caec_channel_peek", n);
		if (!bench_check(p, n, run->size, seq))
			bench_die_data(run, "peer, request", seq, p, n);
		rc = caec_channel_send(ch, p, (size_t)n, 0, BENCH_TIMEOUT_MS);
		if (rc)
			bench_die_lib("caec_channel_send", rc);
		rc = caec_channel_release(ch, 0);
		if (rc)
			bench_die_lib("caec_channel_release", rc);
		return;
	}
	n = caec_channel_recv(ch, dst, run->size, 0, BENCH_TIMEOUT_MS);
	if (n < 0)
		bench_die_lib("caec_channel_recv", n);
	if (!bench_check(dst, n, run->size, seq))
		bench_die_data(run, "peer, request", seq, dst, n);
	rc = caec_channel_send(ch, &seq, ACK_SIZE, 0, BENCH_TIMEOUT_MS);
	if (rc)
		bench_die_lib("caec_channel_send", rc);
}

static void
rt_recv(struct bench_lane *l, const struct bench_cmd *c,
	struct bench_ctl *ctl)
{
	struct subj_lane *s = l->priv;
	uint64_t i, cpu;

	for (i = 0; i < c->warm; i++)
		rt_answer(s->rx, &l->run, s->dst, l->seq++);
	cpu = bench_thread_cpu_ns();
	bench_block_warm_done(ctl);
	for (i = 0; i < c->count; i++)
		rt_answer(s->rx, &l->run, s->dst, l->seq++);
	ctl->cpu_ns = bench_thread_cpu_ns() - cpu;
}

/* --- the lane --- */

static const char *
wake_of(const struct bench_run *run)
{
	return run->cfg->wake_futex ? "futex" : "none";
}

/* Before the fork: an nw channel and its region descriptor; csm's pipes. */
static void
subj_open(struct bench_lane *l)
{
	const struct bench_mode *m = bench_mode_base(l->run.mode);
	struct caec_channel_params p;
	struct subj_lane *s;
	char uri[160];
	int rc;

	s = bench_alloc(sizeof(*s));
	l->priv = s;
	s->fd = -1;
	s->src = bench_alloc(l->run.size);
	s->dst = bench_alloc(l->run.size);
	if (mode_is_csm(m)) {
		if (pipe(s->to_parent) || pipe(s->to_child))
			bench_die("pipe: %s", strerror(errno));
		return;
	}
	snprintf(uri, sizeof(uri), "%s:memfd?ring=%u&wait=spin&wake=%s",
		 m->scheme, l->run.ring, wake_of(&l->run));
	rc = caec_channel_create(uri, bench_chan_params(&p), &s->tx);
	if (rc)
		bench_die_lib("caec_channel_create", rc);
	s->fd = caec_channel_region_fd(s->tx);
	if (s->fd < 0)
		bench_die_lib("caec_channel_region_fd", s->fd);
}

/*
 * After the fork, csm: the paper's flow. The consumer realm (the peer)
 * makes itself known, the provider (this process) creates the region and
 * shares it with that realm id, the consumer attaches the sharing id.
 */
static void
subj_connect(struct bench_lane *l)
{
	struct subj_lane *s = l->priv;
	uint8_t challenge[CAEC_CSM_CHALLENGE_LEN];
	char text[CAEC_CSM_SID_STRLEN], uri[160];
	struct caec_channel_params p;
	struct caec_csm_sid sid;
	uint64_t id;
	int rc;

	if (!mode_is_csm(bench_mode_base(l->run.mode)))
		return;
	id = bench_csm_provider_verify(s->to_parent[0], s->to_child[1],
				       challenge);
	snprintf(uri, sizeof(uri),
		 "csm:share/%016llx?ring=%u&wait=spin&wake=%s",
		 (unsigned long long)id, l->run.ring, wake_of(&l->run));
	rc = caec_channel_create(uri, bench_chan_params(&p), &s->tx);
	if (rc)
		bench_die_lib("caec_channel_create", rc);
	rc = caec_channel_csm_sid(s->tx, &sid);
	if (!rc)
		rc = caec_csm_sid_format(&sid, text, sizeof(text));
	if (rc)
		bench_die_lib("caec_channel_csm_sid", rc);
	bench_csm_provider_send(s->to_child[1], challenge, text);
}

/* The peer's end: attach the region descriptor, or (csm) the sharing id. */
static void
subj_attach(struct bench_lane *l)
{
	struct subj_lane *s = l->priv;
	struct caec_channel_params p;
	char uri[160];
	int rc;

	if (mode_is_csm(bench_mode_base(l->run.mode))) {
		char sid[CAEC_CSM_SID_STRLEN];

		/* This process is its own realm (csm_setup.c). */
		bench_csm_consumer(s->to_child[0], s->to_parent[1], sid);
		snprintf(uri, sizeof(uri), "csm:attach/%s?wait=spin", sid);
	} else {
		snprintf(uri, sizeof(uri), "%s:fd/%d?wait=spin",
			 bench_mode_base(l->run.mode)->scheme, s->fd);
	}
	rc = caec_channel_attach(uri, bench_chan_params(&p), &s->rx);
	if (rc)
		bench_die_lib("caec_channel_attach", rc);
}

static void
subj_send(struct bench_lane *l, const struct bench_cmd *c,
	  struct bench_result *res, struct bench_meter *m)
{
	void (*send)(struct caec_channel *, const struct bench_run *,
		     uint8_t *, uint64_t, uint64_t, uint32_t);
	struct subj_lane *s = l->priv;

	if (!bench_pattern_is_stream(l->run.pattern)) {
		rt_send(l, c, res, m);
		return;
	}
	send = l->run.pattern == BENCH_STREAM_ZC ? stream_send_zc :
						    stream_send;
	send(s->tx, &l->run, s->src, l->seq, c->warm, 0);
	l->seq += c->warm;
	bench_block_warm_wait(bench_peer_ctl());
	bench_meter_start(m);
	send(s->tx, &l->run, s->src, l->seq, c->count, c->stamp_every);
	bench_meter_stop(m);
	l->seq += c->count;
}

static void
subj_recv(struct bench_lane *l, const struct bench_cmd *c,
	  struct bench_ctl *ctl)
{
	if (bench_pattern_is_stream(l->run.pattern))
		stream_recv(l, c, ctl);
	else
		rt_recv(l, c, ctl);
}

/* Each side closes its own end; the peer only its attached one. */
static void
subj_close(struct bench_lane *l)
{
	struct subj_lane *s = l->priv;
	int i;

	if (bench_in_child) {
		if (s->rx)
			caec_channel_close(s->rx);
		return;
	}
	if (s->tx)
		caec_channel_close(s->tx);
	for (i = 0; i < 2 && s->fd < 0; i++) {
		close(s->to_parent[i]);
		close(s->to_child[i]);
	}
	free(s->src);
	free(s->dst);
	free(s);
	l->priv = NULL;
}

/* A caec channel of the lane's mode (bench_mode_base() for the A/A lane). */
const struct bench_lane_ops bench_subject_ops = {
	.open = subj_open,
	.connect = subj_connect,
	.attach = subj_attach,
	.send = subj_send,
	.recv = subj_recv,
	.close = subj_close,
};

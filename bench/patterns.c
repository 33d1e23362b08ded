/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The measured subject: stream, pingpong and mailbox over a caec channel
 * between two pinned processes.
 *
 * The parent creates "SCHEME:memfd?ring=R&wait=spin&wake=none" and sends; the
 * forked child attaches "SCHEME:fd/N?wait=spin" and receives (stream),
 * echoes (pingpong) or acknowledges (mailbox). Both sides busy-poll (SPIN),
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
	{ "nw", "nw" },
	{ "nw-openssl", "nw-openssl" },
	{ "nw-mbedtls", "nw-mbedtls" },
	{ "csm", "csm" },
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

struct subj_ctx {
	const struct bench_run *run;
	int fd;			/* nw modes: the region descriptor */
	int to_parent[2];	/* csm: the child's realm id goes up, */
	int to_child[2];	/* the sharing id comes down */
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
 * Send messages @first .. @first + @n - 1, stamping one in run->stamp_every
 * when @stamp, then flush. @zc: reserve each slot, fill it in place and
 * commit it; else fill @src and send (copy) it. The stamp is taken before
 * the call that may wait for room in both cases, so that the two streams'
 * latencies mean the same. Inlined into stream_send() and stream_send_zc(),
 * so that each loop is compiled for one value of @zc.
 */
static inline __attribute__((always_inline)) void
stream_send_loop(struct caec_channel *ch, const struct bench_run *run,
		 uint8_t *src, uint64_t first, uint64_t n, bool stamp, bool zc)
{
	unsigned int left = run->batch;
	uint32_t sleft = 1;
	uint64_t i, t;
	void *slot;
	int rc;

	for (i = 0; i < n; i++) {
		t = stamp && bench_stamp_due(&sleft, run->stamp_every) ?
			    bench_now_ns() : 0;
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
	    uint8_t *src, uint64_t first, uint64_t n, bool stamp)
{
	stream_send_loop(ch, run, src, first, n, stamp, false);
}

/* stream-zc's sender: build each message in its reserved slot. */
static void
stream_send_zc(struct caec_channel *ch, const struct bench_run *run,
	       uint8_t *src, uint64_t first, uint64_t n, bool stamp)
{
	stream_send_loop(ch, run, src, first, n, stamp, true);
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
rt_send(struct caec_channel *ch, const struct bench_run *run, pid_t pid,
	struct bench_result *res, struct bench_meter *m)
{
	uint8_t *src = bench_alloc(run->size), *dst = bench_alloc(run->size);
	uint64_t *lat = bench_alloc(run->count * sizeof(*lat));
	uint64_t i, t, prev, t0, t1;

	for (i = 0; i < run->warm; i++)
		round_trip(ch, run, src, dst, i);
	bench_peer_wait(&bench_peer_ctl()->warm_done, pid, "end of warm-up");

	bench_meter_start(m);
	t0 = bench_now_ns();
	prev = bench_ticks();
	for (i = 0; i < run->count; i++) {
		round_trip(ch, run, src, dst, run->warm + i);
		t = bench_ticks();
		lat[i] = t - prev;
		prev = t;
	}
	t1 = bench_now_ns();
	bench_meter_stop(m);

	bench_rt_result(res, lat, run->count, t0, t1);
	free(lat);
	free(dst);
	free(src);
}

/* --- receiver side (child) --- */

/*
 * Receive message @seq and check it; RETURN VALUE: its stamp. @zc: peek,
 * check and read the stamp in place, then release; else copy it out into
 * @dst (recv). Either way the message is consumed when this returns.
 */
static inline __attribute__((always_inline)) uint64_t
stream_recv_one(struct caec_channel *ch, const struct bench_run *run,
		uint8_t *dst, uint64_t seq, unsigned int *left, bool zc)
{
	const void *p;
	uint64_t stamp;
	ssize_t n;
	int rc;

	if (!zc) {
		n = caec_channel_recv(ch, dst, run->size,
				      batch_flags(left, run->batch),
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
	rc = caec_channel_release(ch, batch_flags(left, run->batch));
	if (rc)
		bench_die_lib("caec_channel_release", rc);
	return stamp;
}

/*
 * The receiving side of either stream: the warm-up, then the timed
 * messages, whose stamps give the latencies and the elapsed time in @ctl.
 * Inlined into its two callers like stream_send_loop().
 */
static inline __attribute__((always_inline)) void
stream_recv_loop(struct caec_channel *ch, const struct bench_run *run,
		 struct bench_ctl *ctl, bool zc)
{
	uint8_t *dst = bench_alloc(run->size);
	size_t cap = run->count / run->stamp_every + 2, k = 0;
	uint64_t *lat = bench_alloc(cap * sizeof(*lat));
	uint64_t i, stamp, first = 0, end, cpu;
	unsigned int left = run->batch;

	for (i = 0; i < run->warm; i++)
		stream_recv_one(ch, run, dst, i, &left, zc);
	cpu = bench_thread_cpu_ns();
	/* Pairs with the parent's acquire load in bench_peer_wait(). */
	__atomic_store_n(&ctl->warm_done, 1, __ATOMIC_RELEASE);

	for (i = 0; i < run->count; i++) {
		stamp = stream_recv_one(ch, run, dst, run->warm + i, &left,
					zc);
		if (stamp && k < cap) {
			if (!first)
				first = stamp;
			lat[k++] = bench_now_ns() - stamp;
		}
	}
	end = bench_now_ns();
	ctl->cpu_ns = bench_thread_cpu_ns() - cpu;
	ctl->elapsed_ns = end - first;
	ctl->lat_p50_ns = bench_percentile(lat, k, 50);
	ctl->lat_p99_ns = bench_percentile(lat, k, 99);
	free(lat);
	free(dst);
}

/* The stream's receiver: copy each message out (caec_channel_recv()). */
static void
stream_recv(struct caec_channel *ch, const struct bench_run *run,
	    struct bench_ctl *ctl)
{
	stream_recv_loop(ch, run, ctl, false);
}

/* stream-zc's receiver: check each message where it lies, then release. */
static void
stream_recv_zc(struct caec_channel *ch, const struct bench_run *run,
	       struct bench_ctl *ctl)
{
	stream_recv_loop(ch, run, ctl, true);
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
rt_recv(struct caec_channel *ch, const struct bench_run *run,
	struct bench_ctl *ctl)
{
	uint8_t *dst = bench_alloc(run->size);
	uint64_t i, cpu;

	for (i = 0; i < run->warm; i++)
		rt_answer(ch, run, dst, i);
	cpu = bench_thread_cpu_ns();
	__atomic_store_n(&ctl->warm_done, 1, __ATOMIC_RELEASE);
	for (i = 0; i < run->count; i++)
		rt_answer(ch, run, dst, run->warm + i);
	ctl->cpu_ns = bench_thread_cpu_ns() - cpu;
	free(dst);
}

static int
subj_child(void *arg)
{
	const struct subj_ctx *c = arg;
	const struct bench_run *run = c->run;
	struct bench_ctl *ctl = bench_peer_ctl();
	struct caec_channel_params p;
	struct caec_channel *ch;
	char uri[128];
	int rc;

	if (mode_is_csm(run->mode)) {
		char sid[CAEC_CSM_SID_STRLEN];

		/* This process is its own realm (csm_setup.c). */
		bench_csm_consumer(c->to_child[0], c->to_parent[1], sid);
		snprintf(uri, sizeof(uri), "csm:attach/%s?wait=spin", sid);
	} else {
		snprintf(uri, sizeof(uri), "%s:fd/%d?wait=spin",
			 run->mode->scheme, c->fd);
	}
	rc = caec_channel_attach(uri, bench_chan_params(&p), &ch);
	if (rc)
		bench_die_lib("caec_channel_attach", rc);
	__atomic_store_n(&ctl->ready, 1, __ATOMIC_RELEASE);
	if (run->pattern == BENCH_STREAM_ZC)
		stream_recv_zc(ch, run, ctl);
	else if (run->pattern == BENCH_STREAM)
		stream_recv(ch, run, ctl);
	else
		rt_recv(ch, run, ctl);
	caec_channel_close(ch);
	return 0;
}

/*
 * bench_subject_run - one run of @run over a fresh channel; fills @res.
 * Exits the program on any library error or data mismatch.
 */
void
bench_subject_run(const struct bench_run *run, struct bench_result *res)
{
	void (*send)(struct caec_channel *, const struct bench_run *,
		     uint8_t *, uint64_t, uint64_t, bool);
	struct bench_ctl *ctl = bench_peer_ctl();
	struct caec_channel_params p;
	struct caec_channel *ch;
	struct bench_meter m;
	struct subj_ctx c;
	char uri[160];
	uint8_t *src;
	pid_t pid;
	int rc;

	c.run = run;
	if (mode_is_csm(run->mode)) {
		uint8_t challenge[CAEC_CSM_CHALLENGE_LEN];
		char text[CAEC_CSM_SID_STRLEN];
		struct caec_csm_sid sid;
		uint64_t id;

		/*
		 * The paper's flow: the consumer realm makes itself known,
		 * the provider (this process) creates the region and shares
		 * it with that realm id, the consumer attaches the sharing id.
		 */
		if (pipe(c.to_parent) || pipe(c.to_child))
			bench_die("pipe: %s", strerror(errno));
		c.fd = -1;
		pid = bench_peer_spawn(run->cfg, subj_child, &c);
		id = bench_csm_provider_verify(c.to_parent[0], c.to_child[1],
					       challenge);
		snprintf(uri, sizeof(uri),
			 "csm:share/%016llx?ring=%u&wait=spin&wake=%s",
			 (unsigned long long)id, run->ring,
			 run->cfg->wake_futex ? "futex" : "none");
		rc = caec_channel_create(uri, bench_chan_params(&p), &ch);
		if (rc)
			bench_die_lib("caec_channel_create", rc);
		rc = caec_channel_csm_sid(ch, &sid);
		if (!rc)
			rc = caec_csm_sid_format(&sid, text, sizeof(text));
		if (rc)
			bench_die_lib("caec_channel_csm_sid", rc);
		bench_csm_provider_send(c.to_child[1], challenge, text);
		close(c.to_parent[0]);
		close(c.to_parent[1]);
		close(c.to_child[0]);
		close(c.to_child[1]);
	} else {
		snprintf(uri, sizeof(uri),
			 "%s:memfd?ring=%u&wait=spin&wake=%s",
			 run->mode->scheme, run->ring,
			 run->cfg->wake_futex ? "futex" : "none");
		rc = caec_channel_create(uri, bench_chan_params(&p), &ch);
		if (rc)
			bench_die_lib("caec_channel_create", rc);
		c.fd = caec_channel_region_fd(ch);
		if (c.fd < 0)
			bench_die_lib("caec_channel_region_fd", c.fd);
		pid = bench_peer_spawn(run->cfg, subj_child, &c);
	}
	bench_peer_wait(&ctl->ready, pid, "channel attach");

	if (bench_pattern_is_stream(run->pattern)) {
		send = run->pattern == BENCH_STREAM_ZC ? stream_send_zc :
							  stream_send;
		src = bench_alloc(run->size);
		send(ch, run, src, 0, run->warm, false);
		bench_peer_wait(&ctl->warm_done, pid, "end of warm-up");
		bench_meter_start(&m);
		send(ch, run, src, run->warm, run->count, true);
		bench_meter_stop(&m);
		free(src);
	} else {
		rt_send(ch, run, pid, res, &m);
	}
	bench_peer_join(pid);
	caec_channel_close(ch);

	if (bench_pattern_is_stream(run->pattern)) {
		res->msgs_per_s = (double)run->count * 1e9 /
				  (double)ctl->elapsed_ns;
		res->lat_p50_ns = ctl->lat_p50_ns;
		res->lat_p99_ns = ctl->lat_p99_ns;
	}
	res->mbytes_per_s = res->msgs_per_s * run->size / 1e6;
	res->cpu_ns_per_msg = (double)(m.cpu_ns + ctl->cpu_ns) /
			      (double)run->count;
	res->cycles_per_msg = bench_cycles_per_msg(&m, run->count);
	res->cycles_source = isnan(res->cycles_per_msg) ? BENCH_CYC_NONE :
							  m.source;
}

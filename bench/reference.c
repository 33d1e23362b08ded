/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The reference rows: what two pinned processes get without libcaec, in the
 * same kind of mapping (a memfd each side maps itself), with the same pinning,
 * warm-up, pause instruction, payload stamping and O(1) payload check. Each
 * is a lane of group.c: set up once per group, measured one block at a time
 * like the subject, its counters running on across blocks.
 *
 * memcpy stream (the reference of stream and stream-zc alike): fixed-size
 * slots of exactly S bytes packed back to back in a buffer of the ring's
 * size; no record headers, no padding, no validation of shared counters. A producer counter and a consumer counter (message
 * counts) sit on their own 128-byte blocks. Each side caches the other's
 * counter and reloads it only when the cache says full (producer) or empty
 * (consumer); each publishes every --batch messages and before it waits, like
 * the subject. The producer copies each message in, the consumer copies it
 * out: every payload byte crosses.
 *
 * cache-line ping-pong: the parent stores a round-trip number in one block,
 * the child spins until it sees it and stores it into another block, which
 * the parent spins on. Nothing else moves.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"

struct ref_shared {
	_Alignas(128) uint64_t tail;	/* producer: messages published */
	_Alignas(128) uint64_t head;	/* consumer: messages consumed */
	/* slots follow at sizeof(struct ref_shared) */
};

/* A reference lane: the buffer and this side's state (each its own copy). */
struct ref_lane {
	int fd;
	size_t len;
	struct ref_shared *sh;	/* this process's own mapping */
	uint8_t *buf;		/* one message */
	struct ref_side *side;
};

/* Private state of one side of the stream. */
struct ref_side {
	uint64_t pos;		/* messages produced or consumed */
	uint64_t pub;		/* the last value stored to shared memory */
	uint64_t peer;		/* cached counter of the other side */
	uint32_t slot;		/* pos modulo nslots */
	uint32_t nslots;
	unsigned int left;	/* messages until the next publication */
};

static struct ref_shared *
ref_map(int fd, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		bench_die("mmap of the reference buffer: %s", strerror(errno));
	return p;
}

/*
 * The loops keep their counters in locals and write @s back at the end: a
 * store to private memory per message is measurable here (it queues behind
 * the stores into the shared slots), and the reference must not pay it.
 */
static void
ref_produce(struct ref_shared *sh, const struct bench_run *run,
	    struct ref_side *s, uint8_t *src, uint64_t n, uint32_t every)
{
	uint8_t *slots = (uint8_t *)(sh + 1);
	uint32_t sleft = 1, size = run->size;
	uint64_t pos = s->pos, pub = s->pub, head = s->peer, i, t0;
	uint32_t slot = s->slot, nslots = s->nslots, spins;
	unsigned int left = s->left;

	for (i = 0; i < n; i++) {
		if (pos - head == nslots) {
			if (pub != pos) {
				/* Pairs with the consumer's acquire of tail. */
				__atomic_store_n(&sh->tail, pos,
						 __ATOMIC_RELEASE);
				pub = pos;
			}
			spins = 0;
			t0 = 0;
			/* Pairs with the consumer's release store of head. */
			while (pos - (head = __atomic_load_n(&sh->head,
						__ATOMIC_ACQUIRE)) == nslots)
				bench_spin(&spins, &t0, "reference stream");
		}
		bench_fill(src, size, pos,
			   every && bench_stamp_due(&sleft, every) ?
				   bench_now_ns() : 0);
		memcpy(slots + (size_t)slot * size, src, size);
		if (++slot == nslots)
			slot = 0;
		pos++;
		if (bench_batch_end(&left, run->batch)) {
			/* The slots below pos are written. */
			__atomic_store_n(&sh->tail, pos, __ATOMIC_RELEASE);
			pub = pos;
		}
	}
	if (pub != pos)
		__atomic_store_n(&sh->tail, pos, __ATOMIC_RELEASE);
	s->pos = s->pub = pos;
	s->peer = head;
	s->slot = slot;
	s->left = left;
}

/*
 * Consume @n messages and publish the head after the last; with @lat,
 * record send-to-receive times of stamped ones (up to @cap) and return
 * their count, and the first stamp in @first.
 */
static size_t
ref_consume(struct ref_shared *sh, const struct bench_run *run,
	    struct ref_side *s, uint8_t *dst, uint64_t n, uint64_t *lat,
	    size_t cap, uint64_t *first)
{
	const uint8_t *slots = (const uint8_t *)(sh + 1);
	uint64_t pos = s->pos, pub = s->pub, tail = s->peer, i, stamp, t0;
	uint32_t slot = s->slot, nslots = s->nslots, size = run->size, spins;
	unsigned int left = s->left;
	size_t k = 0;

	for (i = 0; i < n; i++) {
		if (pos == tail) {
			if (pub != pos) {
				/* Pairs with the producer's acquire of head. */
				__atomic_store_n(&sh->head, pos,
						 __ATOMIC_RELEASE);
				pub = pos;
			}
			spins = 0;
			t0 = 0;
			/* Pairs with the producer's release store of tail. */
			while ((tail = __atomic_load_n(&sh->tail,
						__ATOMIC_ACQUIRE)) == pos)
				bench_spin(&spins, &t0, "reference stream");
		}
		memcpy(dst, slots + (size_t)slot * size, size);
		if (!bench_check(dst, size, size, pos))
			bench_die_data(run, "reference receiver", pos, dst,
				       size);
		stamp = bench_stamp_of(dst);
		if (lat && stamp && k < cap) {
			if (!*first)
				*first = stamp;
			lat[k++] = bench_now_ns() - stamp;
		}
		if (++slot == nslots)
			slot = 0;
		pos++;
		if (bench_batch_end(&left, run->batch)) {
			/* The slots below pos are read and may be reused. */
			__atomic_store_n(&sh->head, pos, __ATOMIC_RELEASE);
			pub = pos;
		}
	}
	if (pub != pos) {
		/* The block's end: every slot below pos may be reused. */
		__atomic_store_n(&sh->head, pos, __ATOMIC_RELEASE);
		pub = pos;
	}
	s->pos = pos;
	s->pub = pub;
	s->peer = tail;
	s->slot = slot;
	s->left = left;
	return k;
}

static void
side_init(struct ref_side *s, const struct bench_run *run)
{
	memset(s, 0, sizeof(*s));
	s->nslots = run->ring / run->size;
	s->left = run->batch;
}

static void
ref_open(struct bench_lane *l)
{
	struct ref_lane *r = bench_alloc(sizeof(*r));

	l->priv = r;
	r->len = sizeof(struct ref_shared) +
		 (bench_pattern_is_stream(l->run.pattern) ? l->run.ring : 0);
	r->fd = memfd_create("caec-bench-ref", MFD_CLOEXEC);
	if (r->fd < 0)
		bench_die("memfd_create: %s", strerror(errno));
	if (ftruncate(r->fd, (off_t)r->len))
		bench_die("ftruncate of the reference buffer: %s",
			  strerror(errno));
	r->sh = ref_map(r->fd, r->len);
	r->buf = bench_alloc(l->run.size);
	r->side = bench_alloc(sizeof(*r->side));
	side_init(r->side, &l->run);
}

/* The peer maps the buffer itself, as it attaches a channel's region. */
static void
ref_attach(struct bench_lane *l)
{
	struct ref_lane *r = l->priv;

	r->sh = ref_map(r->fd, r->len);
}

static void
ref_close(struct bench_lane *l)
{
	struct ref_lane *r = l->priv;

	munmap(r->sh, r->len);
	if (bench_in_child)
		return;
	close(r->fd);
	free(r->buf);
	free(r->side);
	free(r);
	l->priv = NULL;
}

/* The memcpy stream's block: the parent produces. */
static void
stream_send(struct bench_lane *l, const struct bench_cmd *c,
	    struct bench_result *res, struct bench_meter *m)
{
	struct ref_lane *r = l->priv;

	(void)res;
	ref_produce(r->sh, &l->run, r->side, r->buf, c->warm, 0);
	bench_block_warm_wait(bench_peer_ctl());
	bench_meter_start(m);
	ref_produce(r->sh, &l->run, r->side, r->buf, c->count,
		    c->stamp_every);
	bench_meter_stop(m);
}

/* ... and the peer consumes. */
static void
stream_recv(struct bench_lane *l, const struct bench_cmd *c,
	    struct bench_ctl *ctl)
{
	struct ref_lane *r = l->priv;
	size_t cap = c->count / c->stamp_every + 2, k;
	uint64_t *lat = bench_lane_lat(l, cap);
	uint64_t first = 0, end, cpu;

	ref_consume(r->sh, &l->run, r->side, r->buf, c->warm, NULL, 0, NULL);
	cpu = bench_thread_cpu_ns();
	bench_block_warm_done(ctl);
	k = ref_consume(r->sh, &l->run, r->side, r->buf, c->count, lat, cap,
			&first);
	end = bench_now_ns();
	ctl->cpu_ns = bench_thread_cpu_ns() - cpu;
	ctl->elapsed_ns = end - first;
	ctl->lat_p50_ns = bench_percentile(lat, k, 50);
	ctl->lat_p99_ns = bench_percentile(lat, k, 99);
}

/* One bare round trip @seq: store it, spin until the peer echoes it. */
static inline void
ping(struct ref_shared *sh, uint64_t seq)
{
	uint64_t w0 = 0;
	uint32_t spins = 0;

	/* Pairs with the peer's acquire load of tail. */
	__atomic_store_n(&sh->tail, seq, __ATOMIC_RELEASE);
	/* Pairs with the peer's release store of head. */
	while (__atomic_load_n(&sh->head, __ATOMIC_ACQUIRE) != seq)
		bench_spin(&spins, &w0, "reference ping-pong");
}

/* The cache-line ping-pong's block: the parent's round trips. */
static void
pingpong_send(struct bench_lane *l, const struct bench_cmd *c,
	      struct bench_result *res, struct bench_meter *m)
{
	struct ref_lane *r = l->priv;
	uint64_t *lat = bench_lane_lat(l, c->count);
	uint64_t i, t, prev, t0, t1;

	for (i = 0; i < c->warm; i++)
		ping(r->sh, ++l->seq);
	bench_block_warm_wait(bench_peer_ctl());
	bench_meter_start(m);
	t0 = bench_now_ns();
	prev = bench_ticks();
	for (i = 0; i < c->count; i++) {
		ping(r->sh, ++l->seq);
		t = bench_ticks();
		lat[i] = t - prev;
		prev = t;
	}
	t1 = bench_now_ns();
	bench_meter_stop(m);
	bench_rt_result(res, lat, c->count, t0, t1);
}

/* ... the peer echoes every round-trip number it sees. */
static inline void
pong(struct ref_shared *sh, uint64_t seq)
{
	uint64_t t0 = 0;
	uint32_t spins = 0;

	/* Pairs with the parent's release store of tail. */
	while (__atomic_load_n(&sh->tail, __ATOMIC_ACQUIRE) != seq)
		bench_spin(&spins, &t0, "reference ping-pong");
	/* Pairs with the parent's acquire load of head. */
	__atomic_store_n(&sh->head, seq, __ATOMIC_RELEASE);
}

static void
pingpong_recv(struct bench_lane *l, const struct bench_cmd *c,
	      struct bench_ctl *ctl)
{
	struct ref_lane *r = l->priv;
	uint64_t i, cpu;

	for (i = 0; i < c->warm; i++)
		pong(r->sh, ++l->seq);
	cpu = bench_thread_cpu_ns();
	bench_block_warm_done(ctl);
	for (i = 0; i < c->count; i++)
		pong(r->sh, ++l->seq);
	ctl->cpu_ns = bench_thread_cpu_ns() - cpu;
}

/* The bare memcpy stream: the reference of stream and stream-zc. */
const struct bench_lane_ops bench_ref_stream_ops = {
	.open = ref_open,
	.attach = ref_attach,
	.send = stream_send,
	.recv = stream_recv,
	.close = ref_close,
};

/* The bare cache-line ping-pong: the reference of pingpong and mailbox. */
const struct bench_lane_ops bench_ref_pingpong_ops = {
	.open = ref_open,
	.attach = ref_attach,
	.send = pingpong_send,
	.recv = pingpong_recv,
	.close = ref_close,
};

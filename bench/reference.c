/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The reference rows: what two pinned processes get without libcaec, in the
 * same kind of mapping (a memfd each side maps itself), with the same pinning,
 * warm-up, pause instruction, payload stamping and O(1) payload check.
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

struct ref_ctx {
	const struct bench_run *run;
	int fd;
	size_t len;
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
	    struct ref_side *s, uint8_t *src, uint64_t n, bool stamp)
{
	uint8_t *slots = (uint8_t *)(sh + 1);
	uint32_t sleft = 1, every = run->stamp_every, size = run->size;
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
			   stamp && bench_stamp_due(&sleft, every) ?
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
 * Consume @n messages; with @lat, record send-to-receive times of stamped
 * ones (up to @cap) and return their count, and the first stamp in @first.
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

static int
stream_child(void *arg)
{
	const struct ref_ctx *c = arg;
	const struct bench_run *run = c->run;
	struct bench_ctl *ctl = bench_peer_ctl();
	struct ref_shared *sh = ref_map(c->fd, c->len);
	uint8_t *dst = bench_alloc(run->size);
	size_t cap = run->count / run->stamp_every + 2, k;
	uint64_t *lat = bench_alloc(cap * sizeof(*lat));
	uint64_t first = 0, end, cpu;
	struct ref_side s;

	side_init(&s, run);
	__atomic_store_n(&ctl->ready, 1, __ATOMIC_RELEASE);
	ref_consume(sh, run, &s, dst, run->warm, NULL, 0, NULL);
	cpu = bench_thread_cpu_ns();
	__atomic_store_n(&ctl->warm_done, 1, __ATOMIC_RELEASE);
	k = ref_consume(sh, run, &s, dst, run->count, lat, cap, &first);
	end = bench_now_ns();
	ctl->cpu_ns = bench_thread_cpu_ns() - cpu;
	ctl->elapsed_ns = end - first;
	ctl->lat_p50_ns = bench_percentile(lat, k, 50);
	ctl->lat_p99_ns = bench_percentile(lat, k, 99);
	return 0;
}

static int
pingpong_child(void *arg)
{
	const struct ref_ctx *c = arg;
	const struct bench_run *run = c->run;
	struct bench_ctl *ctl = bench_peer_ctl();
	struct ref_shared *sh = ref_map(c->fd, c->len);
	uint64_t i, cpu = 0, t0;
	uint32_t spins;

	__atomic_store_n(&ctl->ready, 1, __ATOMIC_RELEASE);
	if (!run->warm) {
		cpu = bench_thread_cpu_ns();
		__atomic_store_n(&ctl->warm_done, 1, __ATOMIC_RELEASE);
	}
	for (i = 1; i <= run->warm + run->count; i++) {
		spins = 0;
		t0 = 0;
		/* Pairs with the parent's release store of tail. */
		while (__atomic_load_n(&sh->tail, __ATOMIC_ACQUIRE) != i)
			bench_spin(&spins, &t0, "reference ping-pong");
		/* Pairs with the parent's acquire load of head. */
		__atomic_store_n(&sh->head, i, __ATOMIC_RELEASE);
		if (i == run->warm) {
			cpu = bench_thread_cpu_ns();
			__atomic_store_n(&ctl->warm_done, 1, __ATOMIC_RELEASE);
		}
	}
	ctl->cpu_ns = bench_thread_cpu_ns() - cpu;
	return 0;
}

static pid_t
ref_start(const struct bench_run *run, struct ref_ctx *c, int (*fn)(void *),
	  struct ref_shared **sh)
{
	pid_t pid;

	c->run = run;
	c->len = sizeof(struct ref_shared) +
		 (bench_pattern_is_stream(run->pattern) ? run->ring : 0);
	c->fd = memfd_create("caec-bench-ref", MFD_CLOEXEC);
	if (c->fd < 0)
		bench_die("memfd_create: %s", strerror(errno));
	if (ftruncate(c->fd, (off_t)c->len))
		bench_die("ftruncate of the reference buffer: %s",
			  strerror(errno));
	*sh = ref_map(c->fd, c->len);
	pid = bench_peer_spawn(run->cfg, fn, c);
	bench_peer_wait(&bench_peer_ctl()->ready, pid, "reference start");
	return pid;
}

static void
ref_end(struct ref_ctx *c, struct ref_shared *sh, pid_t pid)
{
	bench_peer_join(pid);
	munmap(sh, c->len);
	close(c->fd);
}

static void
ref_finish(const struct bench_run *run, const struct bench_meter *m,
	   struct bench_result *res)
{
	res->mbytes_per_s = res->msgs_per_s * run->size / 1e6;
	res->cpu_ns_per_msg = (double)(m->cpu_ns + bench_peer_ctl()->cpu_ns) /
			      (double)run->count;
	res->cycles_per_msg = bench_cycles_per_msg(m, run->count);
	res->cycles_source = isnan(res->cycles_per_msg) ? BENCH_CYC_NONE :
							  m->source;
}

/* bench_ref_stream - one run of the bare memcpy stream at run->size. */
void
bench_ref_stream(const struct bench_run *run, struct bench_result *res)
{
	struct bench_ctl *ctl = bench_peer_ctl();
	struct ref_shared *sh;
	struct bench_meter m;
	struct ref_side s;
	struct ref_ctx c;
	uint8_t *src;
	pid_t pid;

	pid = ref_start(run, &c, stream_child, &sh);
	src = bench_alloc(run->size);
	side_init(&s, run);
	ref_produce(sh, run, &s, src, run->warm, false);
	bench_peer_wait(&ctl->warm_done, pid, "end of warm-up");
	bench_meter_start(&m);
	ref_produce(sh, run, &s, src, run->count, true);
	bench_meter_stop(&m);
	free(src);
	ref_end(&c, sh, pid);

	res->msgs_per_s = (double)run->count * 1e9 / (double)ctl->elapsed_ns;
	res->lat_p50_ns = ctl->lat_p50_ns;
	res->lat_p99_ns = ctl->lat_p99_ns;
	ref_finish(run, &m, res);
}

/* bench_ref_pingpong - one run of the bare cache-line ping-pong. */
void
bench_ref_pingpong(const struct bench_run *run, struct bench_result *res)
{
	uint64_t *lat = bench_alloc(run->count * sizeof(*lat));
	uint64_t i, seq, t, prev, t0, t1, w0;
	struct ref_shared *sh;
	struct bench_meter m;
	struct ref_ctx c;
	uint32_t spins;
	pid_t pid;

	pid = ref_start(run, &c, pingpong_child, &sh);
	for (seq = 1; seq <= run->warm; seq++) {
		spins = 0;
		w0 = 0;
		__atomic_store_n(&sh->tail, seq, __ATOMIC_RELEASE);
		while (__atomic_load_n(&sh->head, __ATOMIC_ACQUIRE) != seq)
			bench_spin(&spins, &w0, "reference ping-pong");
	}
	bench_peer_wait(&bench_peer_ctl()->warm_done, pid, "end of warm-up");

	bench_meter_start(&m);
	t0 = bench_now_ns();
	prev = bench_ticks();
	for (i = 0; i < run->count; i++, seq++) {
		spins = 0;
		w0 = 0;
		/* Pairs with the child's acquire load of tail. */
		__atomic_store_n(&sh->tail, seq, __ATOMIC_RELEASE);
		/* Pairs with the child's release store of head. */
		while (__atomic_load_n(&sh->head, __ATOMIC_ACQUIRE) != seq)
			bench_spin(&spins, &w0, "reference ping-pong");
		t = bench_ticks();
		lat[i] = t - prev;
		prev = t;
	}
	t1 = bench_now_ns();
	bench_meter_stop(&m);
	ref_end(&c, sh, pid);

	bench_rt_result(res, lat, run->count, t0, t1);
	free(lat);
	ref_finish(run, &m, res);
}

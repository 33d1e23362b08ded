/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The peer-ckring transport: concurrencykit's SPSC ck_ring, as a user of
 * that library would build a message channel between two processes.
 *
 * One MAP_SHARED anonymous mapping, made before the fork, holds two
 * directions (parent to child, child to parent). Each direction is a ck_ring
 * of R entries (R a power of two; ck_ring keeps at most R - 1 in flight),
 * its entry array, and a data buffer of 2R fixed-size slots. A ck_ring entry
 * carries the byte offset of a slot, not a pointer. The sender copies message
 * i into slot i mod 2R and enqueues the offset; the receiver dequeues it and
 * copies the message out. Why 2R slots make reuse safe without a second
 * ring of free slots: enqueueing message i - 1 succeeded, so the receiver
 * had dequeued message i - R, so it had finished copying message i - R - 1
 * and every older one, including i - 2R, the slot's previous user.
 *
 * Both sides busy-poll (the same pause and timeout as the subject's SPIN).
 * The receiver checks the offset it dequeued before using it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <ck_ring.h>

#include "bench.h"

#define CK_MIN_ENTRIES 2u

struct ck_dir {
	struct ck_ring *ring;		/* in the shared mapping */
	struct ck_ring_buffer *ents;
	uint8_t *data;
	uint32_t slot_size;		/* private copies of the geometry */
	uint32_t nslots;		/* 2R, a power of two */
	uint64_t next;			/* sender: messages sent */
};

struct alt_ck {
	void *map;
	size_t len;
	struct ck_dir dir[2];		/* [0] parent to child, [1] back */
};

static size_t
align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* Entries R: the largest power of two with 2R slots of @slot in @bytes. */
static uint32_t
entries_for(uint32_t bytes, uint32_t slot)
{
	uint32_t r = CK_MIN_ENTRIES;

	while ((uint64_t)r * 4 * slot <= bytes && r < (1u << 30))
		r <<= 1;
	return r;
}

/* Lay out one direction at @off of the mapping; RETURN VALUE: its end. */
static size_t
dir_layout(struct alt_ck *c, struct ck_dir *d, size_t off, uint32_t entries,
	   uint32_t slot)
{
	uint8_t *base = c->map;

	d->slot_size = slot;
	d->nslots = 2 * entries;
	d->next = 0;
	off = align_up(off, 4096);
	if (base) {
		d->ring = (struct ck_ring *)(base + off);
		ck_ring_init(d->ring, entries);
	}
	off = align_up(off + sizeof(struct ck_ring), 128);
	if (base)
		d->ents = (struct ck_ring_buffer *)(base + off);
	off = align_up(off + (size_t)entries * sizeof(struct ck_ring_buffer),
		       128);
	if (base)
		d->data = base + off;
	return off + (size_t)d->nslots * slot;
}

/*
 * bench_ck_open - the shared mapping for one run: messages of run->size
 * bytes towards the child, of @back_size bytes back. Call before the fork.
 */
struct alt_ck *
bench_ck_open(const struct bench_run *run, uint32_t back_size)
{
	struct alt_ck *c = calloc(1, sizeof(*c));
	uint32_t down = entries_for(run->ring, run->size);
	size_t len;
	void *p;

	if (!c)
		bench_die("out of memory");
	/* First pass measures, the second lays out in the mapping. */
	len = dir_layout(c, &c->dir[0], 0, down, run->size);
	len = dir_layout(c, &c->dir[1], len, CK_MIN_ENTRIES, back_size);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED)
		bench_die("mmap of the ck_ring region (%zu bytes): %s", len,
			  strerror(errno));
	c->map = p;
	c->len = len;
	len = dir_layout(c, &c->dir[0], 0, down, run->size);
	dir_layout(c, &c->dir[1], len, CK_MIN_ENTRIES, back_size);
	return c;
}

/* Send @len bytes in the direction away from this process (@child or not). */
void
bench_ck_send(struct alt_ck *c, bool child, const void *buf, uint32_t len)
{
	struct ck_dir *d = &c->dir[child ? 1 : 0];
	size_t off = (size_t)(d->next++ & (d->nslots - 1)) * d->slot_size;
	uint64_t t0 = 0;
	uint32_t spins = 0;

	memcpy(d->data + off, buf, len);
	while (!ck_ring_enqueue_spsc(d->ring, d->ents, (void *)(uintptr_t)off))
		bench_spin(&spins, &t0, "peer-ckring send");
}

/* Receive the next message, @len bytes, of the direction towards us. */
void
bench_ck_recv(struct alt_ck *c, bool child, void *buf, uint32_t len)
{
	struct ck_dir *d = &c->dir[child ? 0 : 1];
	uint64_t t0 = 0;
	uint32_t spins = 0;
	uintptr_t off;
	void *v;

	while (!ck_ring_dequeue_spsc(d->ring, d->ents, &v))
		bench_spin(&spins, &t0, "peer-ckring receive");
	off = (uintptr_t)v;
	if (len > d->slot_size || off % d->slot_size ||
	    off / d->slot_size >= d->nslots)
		bench_die("peer-ckring: dequeued offset %lu is not a slot",
			  (unsigned long)off);
	memcpy(buf, d->data + off, len);
}

void
bench_ck_close(struct alt_ck *c)
{
	munmap(c->map, c->len);
	free(c);
}

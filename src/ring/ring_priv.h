/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private state of one side of a ring, and the helpers shared by the
 * producer, consumer and wait code. Nothing in here is shared memory except
 * what @sh and @data point to.
 */
#ifndef CAEC_RING_PRIV_H
#define CAEC_RING_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <caec/caec.h>

#include "../error.h"
#include "../shm_access.h"
#include "ring_api.h"
#include "ring_layout.h"

#if defined(__aarch64__)
/* liburcu's aarch64 caa_cpu_relax() is only a compiler barrier. */
#define ring_cpu_relax() __asm__ __volatile__("yield" ::: "memory")
#else
#include <urcu/arch.h>
#define ring_cpu_relax() caa_cpu_relax()
#endif

#define RING_SPIN_NS_DEFAULT 20000u
#define RING_BACKOFF_MIN_DEFAULT 1000u
#define RING_BACKOFF_MAX_DEFAULT 1000000u

struct caec_ring {
	/* Hot private state: read and written on every call. */
	uint8_t *data;			/* start of the data area */
	uint64_t mask;			/* data_size - 1 */
	uint32_t size;			/* data_size, private copy */
	uint32_t max_msg;		/* private copy */
	int err;			/* sticky -EPROTO */
	uint32_t flags;			/* ring format flags */
	enum caec_ring_role role;

	/*
	 * producer: send_lim is what caec_ring_send()'s fast path checks
	 * alone: payloads shorter than it are written inline; 0 closes the
	 * fast path (no producer, a reservation open, a sticky error). Kept
	 * by ring_prod_gate() at every change of those.
	 */
	uint64_t send_lim;
	/* tail includes batched records not yet published */
	uint64_t tail;
	uint64_t pub_tail;
	uint64_t head_cache;
	uint64_t resv_len;		/* reserved payload length */
	bool resv;			/* a reservation is open */
	bool put_lines;			/* ring_put_lines() for mid sizes */

	/* consumer: head includes released records not yet published */
	uint64_t head;
	uint64_t pub_head;
	uint64_t tail_cache;
	uint64_t peek_rec;		/* record size of the peeked message */
	bool peeked;

	uint32_t wake_seq;		/* our futex word's value (one writer) */

	/* Cold. */
	const int *lost;		/* the region's loss (ring_ret()), or NULL */
	int (*peer_check)(void *);	/* is the peer alive? (ring_api.h) */
	void *peer_ctx;
	struct ring_event *event;	/* event-fd watcher, or NULL */
	/*
	 * Sleep words (ring_layout.h): sleep_word is this side's last
	 * announcement with CAEC_WAKE_ASLEEP clear (its one writer); woken_*
	 * are the peer's announcements this side last issued a wake for.
	 */
	uint32_t sleep_word;
	uint32_t woken_sleeping;
	uint32_t woken_watching;
	uint64_t wakes;			/* FUTEX_WAKE calls (ring_wake_count()) */
	struct caec_ring_shared *sh;
	size_t len;
	uint32_t wait_mode;
	uint32_t spin_ns;
	uint32_t backoff_min_ns;
	uint32_t backoff_max_ns;
};

/*
 * The error a data-path call returns: @rc, unless the region under the ring
 * was lost (a channel's backend sets *lost, e.g. -ENOLINK when a CSM grant is
 * revoked), which then explains any failure, including one caused by the
 * loss itself (an unmapped or zeroed region reads as a protocol violation).
 * Only error paths call it, so channels need no check after a ring call.
 */
static inline ssize_t
ring_ret(const struct caec_ring *r, ssize_t rc)
{
	int lost;

	if (rc >= 0 || !r || !r->lost)
		return rc;
	/* Pairs with the backend's release store of the flag. */
	lost = __atomic_load_n(r->lost, __ATOMIC_ACQUIRE);
	return lost ? lost : rc;
}

/*
 * Does a record of @rec bytes fit at data-area position @pos (the private
 * tail's) by the cached head, and before the wrap? Room first, then the
 * wrap: in this order caec_ring_send()'s fast path needs no stack frame.
 */
static inline bool
ring_fits_cached(const struct caec_ring *r, uint64_t rec, uint64_t pos)
{
	return r->tail - r->head_cache + rec <= r->size &&
	       rec <= r->size - pos;
}

/* ring.c */
int ring_fail(struct caec_ring *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ring_prod.c / ring_cons.c: readiness checks used by the wait loop. */
int ring_prod_room(struct caec_ring *r, uint64_t rec);
ssize_t ring_cons_next(struct caec_ring *r, uint64_t *pos);
ssize_t ring_cons_ready(struct caec_ring *r, uint64_t *pos);
void ring_prod_publish(struct caec_ring *r);
void ring_prod_init_copy(struct caec_ring *r);
void ring_prod_gate(struct caec_ring *r);
void ring_cons_publish(struct caec_ring *r);

/* ring_wait.c */
ssize_t ring_block(struct caec_ring *r, uint64_t rec, uint64_t *pos,
		   int timeout_ms);
void ring_notify_peer(struct caec_ring *r, bool always);

/* ring_event.c */
void ring_event_drained(struct caec_ring *r);
void ring_event_stop(struct caec_ring *r);
void ring_event_forget(struct caec_ring *r);

#endif /* CAEC_RING_PRIV_H */

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the other layers do to a ring (ring_api.h): the region's loss, the
 * direction's sticky error, the validated geometry, the wake count,
 * discarding an unused or inherited handle, the producer's close trailer,
 * and the few operations on a shared block that a region's owner needs when
 * the region is replaced under the ring.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ring_priv.h"

void
ring_set_lost(struct caec_ring *r, const int *lost)
{
	r->lost = lost;
}

int
ring_set_error(struct caec_ring *r, int err)
{
	if (!r->err) {
		r->err = err;
		ring_prod_gate(r);
	}
	return (int)ring_ret(r, r->err);
}

int
ring_error(const struct caec_ring *r)
{
	return r->err ? (int)ring_ret(r, r->err) : 0;
}

void
ring_geometry(const struct caec_ring *r, uint32_t *data_size,
	      uint32_t *max_msg, uint32_t *flags)
{
	*data_size = r->size;
	*max_msg = r->max_msg;
	*flags = r->flags;
}

uint64_t
ring_wake_count(const struct caec_ring *r)
{
	return r->wakes;
}

void
ring_discard(struct caec_ring *r)
{
	free(r);
}

void
ring_forget(struct caec_ring *r)
{
	if (!r)
		return;
	ring_event_forget(r);
	free(r);
}

_Static_assert(RING_TRAILER_MAX == CAEC_RING_TRAILER, "trailer size");

int
ring_set_trailer(struct caec_ring *r, const void *buf, size_t len)
{
	if (r->role != CAEC_RING_PRODUCER || len > RING_TRAILER_MAX)
		return -EINVAL;
	/* Ordered before the peer's view by the release store of closed in
	 * caec_ring_close(). */
	memcpy(r->sh->prod.trailer, buf, len);
	return 0;
}

int
ring_trailer(const struct caec_ring *r, void *buf, size_t len)
{
	if (r->role != CAEC_RING_CONSUMER || len > RING_TRAILER_MAX)
		return -EINVAL;
	/* After the acquire load of closed that made the ring say -EPIPE
	 * (ring_cons_next()): it pairs with the release store in
	 * caec_ring_close(), which follows the trailer's stores. */
	memcpy(buf, r->sh->prod.trailer, len);
	return 0;
}

uint32_t
ring_mem_flags(const void *mem)
{
	const struct caec_ring_shared *sh = mem;

	return sh_load(&sh->hdr.flags);
}

void
ring_mem_close(void *mem, enum caec_ring_role side)
{
	struct caec_ring_shared *sh = mem;

	/* Release: what the snapshot holds is visible before the flag. */
	if (side == CAEC_RING_PRODUCER)
		sh_store_rel(&sh->prod.closed, 1);
	else
		sh_store_rel(&sh->cons.closed, 1);
}

void
ring_mem_wake(const void *mem)
{
	const struct caec_ring_shared *sh = mem;

	syscall(SYS_futex, &sh->prod_wake.seq, FUTEX_WAKE, INT_MAX, NULL,
		NULL, 0);
	syscall(SYS_futex, &sh->cons_wake.seq, FUTEX_WAKE, INT_MAX, NULL,
		NULL, 0);
}

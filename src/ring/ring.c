/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ring geometry, format, open (validation of a ring we did not create) and
 * close.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ring_priv.h"

static bool
size_valid(uint32_t data_size)
{
	return data_size >= CAEC_RING_MIN_SIZE &&
	       data_size <= CAEC_RING_MAX_SIZE &&
	       (data_size & (data_size - 1)) == 0;
}

size_t
caec_ring_footprint(uint32_t data_size)
{
	if (!size_valid(data_size))
		return 0;
	return (size_t)CAEC_RING_HDR_SIZE + data_size;
}

uint32_t
caec_ring_max_msg_limit(uint32_t data_size)
{
	/*
	 * A record of R bytes at a position with E < R bytes before the end
	 * needs a pad of E <= R - 8 first; on an empty ring that always fits
	 * when 2R - 8 <= size, i.e. R <= size / 2 + 4. Keep R <= size / 2.
	 */
	if (!size_valid(data_size))
		return 0;
	return data_size / 2 - CAEC_REC_HDR;
}

int
caec_ring_format(void *mem, size_t len, uint32_t data_size, uint32_t max_msg,
		 uint32_t flags)
{
	struct caec_ring_shared *sh = mem;
	uint32_t limit = caec_ring_max_msg_limit(data_size);

	if (!mem || ((uintptr_t)mem & 63))
		return caec_set_detail(-EINVAL,
			"ring memory must be non-NULL and 64-byte aligned");
	if (!limit)
		return caec_set_detail(-EINVAL,
			"ring size %u is not a power of two in [%u, %u]",
			data_size, CAEC_RING_MIN_SIZE, CAEC_RING_MAX_SIZE);
	if (max_msg == 0)
		max_msg = limit;
	if (max_msg > limit)
		return caec_set_detail(-EINVAL,
			"max_msg %u exceeds the limit %u of a %u-byte ring",
			max_msg, limit, data_size);
	if (flags & ~CAEC_RING_F_NOWAKE)
		return caec_set_detail(-EINVAL, "unknown ring flags 0x%x",
				       flags);
	if (len < caec_ring_footprint(data_size))
		return caec_set_detail(-ENOSPC,
			"region of %zu bytes is smaller than the %zu bytes a %u-byte ring needs",
			len, caec_ring_footprint(data_size), data_size);

	/* Clear the control blocks; the data area needs no initialisation. */
	sh_store_rel(&sh->hdr.magic, 0);
	memset((uint8_t *)sh + sizeof(uint32_t), 0,
	       CAEC_RING_HDR_SIZE - sizeof(uint32_t));
	sh->hdr.version = CAEC_RING_VERSION;
	sh->hdr.hdr_size = CAEC_RING_HDR_SIZE;
	sh->hdr.data_size = data_size;
	sh->hdr.max_msg = max_msg;
	sh->hdr.flags = flags;
	/* Pairs with the acquire load of magic in caec_ring_open(). */
	sh_store_rel(&sh->hdr.magic, CAEC_RING_MAGIC);
	return 0;
}

/* Mark the ring broken (sticky) and record why. */
int
ring_fail(struct caec_ring *r, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* The first sticky error of the direction wins (ring_set_error()). */
	if (r->err)
		return r->err;
	ring_set_error(r, -EPROTO);
	return caec_set_detail(-EPROTO, "ring protocol violation: %s", msg);
}

static int
wait_resolve(struct caec_ring *r, const struct caec_wait_params *w)
{
	struct caec_wait_params d = { .struct_size = sizeof(d) };

	if (w && w->struct_size) {
		if (w->struct_size < sizeof(*w))
			return caec_set_detail(-EINVAL,
				"struct caec_wait_params: struct_size %u too small",
				w->struct_size);
		d = *w;
	}
	if (d.mode > CAEC_WAIT_BACKOFF)
		return caec_set_detail(-EINVAL, "unknown wait mode %u",
				       d.mode);
	if (d.mode == CAEC_WAIT_ADAPTIVE && (r->flags & CAEC_RING_F_NOWAKE))
		return caec_set_detail(-EINVAL,
			"adaptive (futex) waiting on a ring formatted without wake-ups: use spin or backoff");
	r->wait_mode = d.mode;
	r->spin_ns = d.spin_ns ? d.spin_ns : RING_SPIN_NS_DEFAULT;
	r->backoff_min_ns = d.backoff_min_ns ? d.backoff_min_ns :
					       RING_BACKOFF_MIN_DEFAULT;
	r->backoff_max_ns = d.backoff_max_ns ? d.backoff_max_ns :
					       RING_BACKOFF_MAX_DEFAULT;
	if (r->backoff_max_ns < r->backoff_min_ns)
		return caec_set_detail(-EINVAL,
			"backoff_max_ns %u below backoff_min_ns %u",
			r->backoff_max_ns, r->backoff_min_ns);
	return 0;
}

int
caec_ring_open(void *mem, size_t len, enum caec_ring_role role,
	       const struct caec_wait_params *wait, struct caec_ring **out)
{
	struct caec_ring_shared *sh = mem;
	struct caec_ring_hdr hdr;
	struct caec_ring *r;
	uint64_t head, tail;
	int rc;

	if (!out || !mem || ((uintptr_t)mem & 63) ||
	    (role != CAEC_RING_PRODUCER && role != CAEC_RING_CONSUMER))
		return caec_set_detail(-EINVAL, "caec_ring_open: bad argument");
	*out = NULL;
	if (len < CAEC_RING_HDR_SIZE)
		return caec_set_detail(-EPROTO,
			"ring: region of %zu bytes cannot hold a ring header",
			len);

	/*
	 * Read the header once into private memory. The acquire load of magic
	 * pairs with the release store in caec_ring_format().
	 */
	hdr.magic = sh_load_acq(&sh->hdr.magic);
	hdr.version = sh_load(&sh->hdr.version);
	hdr.hdr_size = sh_load(&sh->hdr.hdr_size);
	hdr.data_size = sh_load(&sh->hdr.data_size);
	hdr.max_msg = sh_load(&sh->hdr.max_msg);
	hdr.flags = sh_load(&sh->hdr.flags);

	if (hdr.magic != CAEC_RING_MAGIC)
		return caec_set_detail(-EPROTO,
			"ring header: bad magic 0x%08x (expected 0x%08x)",
			hdr.magic, CAEC_RING_MAGIC);
	if (hdr.version != CAEC_RING_VERSION)
		return caec_set_detail(-EPROTO,
			"ring header: unsupported version %u (this library speaks %u)",
			hdr.version, CAEC_RING_VERSION);
	if (hdr.hdr_size != CAEC_RING_HDR_SIZE)
		return caec_set_detail(-EPROTO,
			"ring header: hdr_size %u (expected %u)",
			hdr.hdr_size, CAEC_RING_HDR_SIZE);
	if (!size_valid(hdr.data_size))
		return caec_set_detail(-EPROTO,
			"ring header: data_size %u is not a power of two in [%u, %u]",
			hdr.data_size, CAEC_RING_MIN_SIZE, CAEC_RING_MAX_SIZE);
	if (caec_ring_footprint(hdr.data_size) > len)
		return caec_set_detail(-EPROTO,
			"ring header: data_size %u overruns the %zu-byte region",
			hdr.data_size, len);
	if (hdr.max_msg == 0 ||
	    hdr.max_msg > caec_ring_max_msg_limit(hdr.data_size))
		return caec_set_detail(-EPROTO,
			"ring header: max_msg %u outside 1..%u",
			hdr.max_msg, caec_ring_max_msg_limit(hdr.data_size));
	if (hdr.flags & ~CAEC_RING_F_NOWAKE)
		return caec_set_detail(-EPROTO,
			"ring header: unknown flags 0x%x", hdr.flags);

	head = sh_load_acq(&sh->cons.counter);
	tail = sh_load_acq(&sh->prod.counter);
	if ((head | tail) & 7 || tail - head > hdr.data_size)
		return caec_set_detail(-EPROTO,
			"ring counters: head %llu / tail %llu are inconsistent",
			(unsigned long long)head, (unsigned long long)tail);

	r = aligned_alloc(64, (sizeof(*r) + 63) & ~(size_t)63);
	if (!r)
		return -ENOMEM;
	memset(r, 0, sizeof(*r));
	r->sh = sh;
	r->len = len;
	r->data = (uint8_t *)mem + CAEC_RING_HDR_SIZE;
	r->size = hdr.data_size;
	r->mask = hdr.data_size - 1;
	r->max_msg = hdr.max_msg;
	r->flags = hdr.flags;
	r->role = role;
	rc = wait_resolve(r, wait);
	if (rc) {
		free(r);
		return rc;
	}
	/*
	 * A side (re)opens as not closed; release pairs with the peer's
	 * acquire load of closed.
	 */
	if (role == CAEC_RING_PRODUCER) {
		r->tail = r->pub_tail = tail;
		r->head_cache = head;
		r->wake_seq = sh_load(&sh->prod_wake.seq);
		/* Resume the announcement count (ring_wait.c). */
		r->sleep_word = sh_load(&sh->prod_wake.sleeping) &
				~CAEC_WAKE_ASLEEP;
		ring_prod_init_copy(r);
		sh_store_rel(&sh->prod.closed, 0);
	} else {
		r->head = r->pub_head = r->tail_cache = head;
		r->wake_seq = sh_load(&sh->cons_wake.seq);
		r->sleep_word = sh_load(&sh->cons_wake.sleeping) &
				~CAEC_WAKE_ASLEEP;
		sh_store_rel(&sh->cons.closed, 0);
	}
	*out = r;
	return 0;
}

void
caec_ring_close(struct caec_ring *r)
{
	struct caec_ring_side *side;

	if (!r)
		return;
	if (r->role == CAEC_RING_PRODUCER) {
		r->resv = false;
		if (!r->err)
			ring_prod_publish(r);
		side = &r->sh->prod;
	} else {
		ring_event_stop(r);
		if (!r->err)
			ring_cons_publish(r);
		side = &r->sh->cons;
	}
	/*
	 * Pairs with the peer's acquire load of closed: everything published
	 * before (the last tail or head) is visible once closed is.
	 */
	sh_store_rel(&side->closed, 1);
	ring_notify_peer(r, true);
	free(r);
}

uint32_t
caec_ring_max_msg(const struct caec_ring *r)
{
	return r ? r->max_msg : 0;
}

int
caec_ring_wait(struct caec_ring *r, size_t len, int timeout_ms)
{
	uint64_t pos;
	ssize_t rc;

	if (!r)
		return -EINVAL;
	if (r->err)
		return r->err;
	if (r->role == CAEC_RING_PRODUCER && len > r->max_msg)
		return -EMSGSIZE;
	rc = ring_block(r, ring_rec_size(len), &pos, timeout_ms);
	return rc < 0 ? (int)rc : 0;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Producer side: reserve/commit, send, publish.
 */
#include <errno.h>
#include <string.h>

#include "ring_priv.h"

/*
 * Is there room for a record of @rec bytes at the private tail (plus a pad
 * record when it does not fit before the end of the data area)?
 *
 * RETURN VALUE: 0, -EAGAIN, -EPIPE (consumer closed), -EPROTO.
 */
int
ring_prod_room(struct caec_ring *r, uint64_t rec)
{
	uint64_t pos = r->tail & r->mask;
	uint64_t to_end = r->size - pos;
	uint64_t need = rec + (to_end < rec ? to_end : 0);
	uint64_t h;

	if (r->err)
		return r->err;
	if (r->tail - r->head_cache + need <= r->size)
		return 0;

	/*
	 * Pairs with the consumer's release store of head in
	 * ring_cons_publish(): its reads of every record below head are
	 * complete, so that space may be overwritten.
	 */
	h = sh_load_acq(&r->sh->cons.counter);
	if ((h & 7) || r->pub_tail - h > r->size ||
	    h - r->head_cache > r->pub_tail - r->head_cache)
		return ring_fail(r,
			"consumer head %llu outside [%llu, %llu]",
			(unsigned long long)h,
			(unsigned long long)r->head_cache,
			(unsigned long long)r->pub_tail);
	r->head_cache = h;
	/* Pairs with the release store of closed in caec_ring_close(). */
	if (sh_load_acq(&r->sh->cons.closed))
		return -EPIPE;
	if (r->tail - h + need <= r->size)
		return 0;
	/* Full: whatever is batched must reach the consumer, or we deadlock. */
	ring_prod_publish(r);
	return -EAGAIN;
}

void
ring_prod_publish(struct caec_ring *r)
{
	if (r->tail == r->pub_tail)
		return;
	/*
	 * Pairs with the consumer's acquire load of tail in ring_cons_next():
	 * the records below tail, headers and payloads, are visible to it
	 * before the new tail is. With wake-ups the store is also (B1) of the
	 * handshake in ring_wait.c (seq_cst, release included).
	 */
	if (r->flags & CAEC_RING_F_NOWAKE)
		sh_store_rel(&r->sh->prod.counter, r->tail);
	else
		sh_store_sc(&r->sh->prod.counter, r->tail);
	r->pub_tail = r->tail;
	ring_notify_peer(r, false);
}

int
caec_ring_reserve(struct caec_ring *r, size_t len, void **payload,
		  int timeout_ms)
{
	uint64_t rec, pos, to_end;
	int rc;

	if (!r || !payload || r->role != CAEC_RING_PRODUCER || r->resv)
		return -EINVAL;
	if (r->err)
		return r->err;
	if (len > r->max_msg)
		return caec_set_detail(-EMSGSIZE,
			"message of %zu bytes exceeds the ring's max_msg %u",
			len, r->max_msg);
	rec = ring_rec_size(len);
	rc = ring_prod_room(r, rec);
	if (rc == -EAGAIN && timeout_ms != 0)
		rc = ring_block(r, rec, timeout_ms);
	if (rc)
		return rc;

	pos = r->tail & r->mask;
	to_end = r->size - pos;
	if (to_end < rec) {
		/* Consumer checks that a pad ends exactly at the wrap. */
		sh_store((uint64_t *)(r->data + pos),
			 ring_rec_make((uint32_t)(to_end - CAEC_REC_HDR),
				       CAEC_REC_PAD));
		r->tail += to_end;
		pos = 0;
	}
	r->resv = true;
	r->resv_len = len;
	*payload = r->data + pos + CAEC_REC_HDR;
	return 0;
}

int
caec_ring_commit(struct caec_ring *r, size_t len, unsigned int flags)
{
	uint64_t pos, rec;

	if (!r || r->role != CAEC_RING_PRODUCER || !r->resv ||
	    len > r->resv_len || (flags & ~CAEC_MORE))
		return -EINVAL;
	r->resv = false;
	if (r->err)
		return r->err;
	pos = r->tail & r->mask;
	rec = ring_rec_size(len);
	/* Zero the alignment tail: no stale private bytes reach the peer. */
	memset(r->data + pos + CAEC_REC_HDR + len, 0,
	       rec - CAEC_REC_HDR - len);
	/* Ordered before the consumer's view by the tail release store. */
	sh_store((uint64_t *)(r->data + pos),
		 ring_rec_make((uint32_t)len, CAEC_REC_MSG));
	r->tail += rec;
	if (!(flags & CAEC_MORE))
		ring_prod_publish(r);
	return 0;
}

/*
 * The copy send. Its fast path (the record fits before the wrap and the
 * cached head says there is room) touches only private state and the data
 * area; everything else goes through reserve/commit.
 */
int
caec_ring_send(struct caec_ring *r, const void *buf, size_t len,
	       unsigned int flags, int timeout_ms)
{
	uint64_t rec, pos;
	uint8_t *dst;
	void *slot;
	int rc;

	if (!r || (!buf && len) || (flags & ~CAEC_MORE) ||
	    r->role != CAEC_RING_PRODUCER || r->resv)
		return -EINVAL;
	rec = ring_rec_size(len);
	pos = r->tail & r->mask;
	if (__builtin_expect(!r->err && len <= r->max_msg &&
			     pos + rec <= r->size &&
			     r->tail - r->head_cache + rec <= r->size, 1)) {
		dst = r->data + pos;
		if (len)	/* buf may be NULL for an empty message */
			memcpy(dst + CAEC_REC_HDR, buf, len);
		if (len & 7)	/* zero the alignment tail, see commit */
			memset(dst + CAEC_REC_HDR + len, 0,
			       rec - CAEC_REC_HDR - len);
		/* Ordered before the consumer's view by the tail release. */
		sh_store((uint64_t *)dst,
			 ring_rec_make((uint32_t)len, CAEC_REC_MSG));
		r->tail += rec;
		if (!(flags & CAEC_MORE))
			ring_prod_publish(r);
		return 0;
	}
	rc = caec_ring_reserve(r, len, &slot, timeout_ms);
	if (rc)
		return rc;
	if (len)
		memcpy(slot, buf, len);
	return caec_ring_commit(r, len, flags);
}

int
caec_ring_flush(struct caec_ring *r)
{
	if (!r || r->role != CAEC_RING_PRODUCER)
		return -EINVAL;
	if (r->err)
		return r->err;
	ring_prod_publish(r);
	return 0;
}

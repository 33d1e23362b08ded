/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Consumer side: validation of the next record, recv, peek/release.
 *
 * Every shared value (tail, closed, a record header) is loaded once into a
 * local, validated against the private geometry, and only the local is used.
 */
#include <errno.h>
#include <string.h>

#include "ring_priv.h"

static int
load_tail(struct caec_ring *r, uint64_t *tail)
{
	/*
	 * Pairs with the producer's release store of tail in
	 * ring_prod_publish(): the records below it are visible.
	 */
	uint64_t t = sh_load_acq(&r->sh->prod.counter);

	if ((t & 7) || t - r->head > r->size ||
	    t - r->head < r->tail_cache - r->head)
		return ring_fail(r, "producer tail %llu outside [%llu, %llu]",
				 (unsigned long long)t,
				 (unsigned long long)r->tail_cache,
				 (unsigned long long)(r->head + r->size));
	*tail = t;
	return 0;
}

/*
 * Find the next message: skip a pad record at the wrap, validate the
 * record header, and return its length and data-area position.
 *
 * RETURN VALUE: the payload length; -EAGAIN (empty), -EPIPE (producer closed
 * and drained), -EPROTO.
 */
ssize_t
ring_cons_next(struct caec_ring *r, uint64_t *pos_out)
{
	uint64_t avail, pos, to_end, w, rec, t = 0;
	uint32_t len, type;
	int rc;

	if (r->err)
		return r->err;
	for (;;) {
		if (r->head == r->tail_cache) {
			rc = load_tail(r, &t);
			if (rc)
				return rc;
			if (t == r->head) {
				/*
				 * Pull the next record's line while we poll
				 * tail (here and in the spin of ring_block()),
				 * so that when the producer publishes, the two
				 * misses overlap instead of queueing.
				 *
				 * We wait on tail, not on the record header
				 * (which would hand a message over in one line,
				 * not two): a header can only be trusted if the
				 * producer zeroes the next header slot before
				 * each record, and a consumer that follows the
				 * producer record by record fights it for the
				 * line being written: every such variant
				 * measured made streams slower. Measurements:
				 * docs/perf-notes.md.
				 */
				__builtin_prefetch(r->data + (r->head & r->mask));
				/* Let the producer reuse a skipped pad. */
				ring_cons_publish(r);
				/* Pairs with the release in caec_ring_close(). */
				if (!sh_load_acq(&r->sh->prod.closed)) {
					if (r->event)
						ring_event_drained(r);
					return -EAGAIN;
				}
				/* The final tail was published before closed. */
				rc = load_tail(r, &t);
				if (rc)
					return rc;
				if (t == r->head)
					return -EPIPE;
			}
			r->tail_cache = t;
		}
		avail = r->tail_cache - r->head;
		pos = r->head & r->mask;
		to_end = r->size - pos;
		w = sh_load((const uint64_t *)(r->data + pos));
		len = (uint32_t)w;
		type = (uint32_t)(w >> 32);
		if (type == CAEC_REC_PAD) {
			/*
			 * A pad fills the end of the data area that a record
			 * did not fit in. Every record fits at position 0, so
			 * a pad there (which also covers a second pad right
			 * after one at the wrap) is never written by a
			 * producer: it would only skip a lap unread.
			 */
			if (pos == 0)
				return ring_fail(r,
					"pad record at position 0 (the producer never writes one there)");
			if (len != to_end - CAEC_REC_HDR || avail < to_end)
				return ring_fail(r,
					"pad record of %u bytes at %llu does not end at the wrap",
					len, (unsigned long long)pos);
			r->head += to_end;
			continue;
		}
		if (type != CAEC_REC_MSG)
			return ring_fail(r, "unknown record type 0x%08x at %llu",
					 type, (unsigned long long)pos);
		if (len > r->max_msg)
			return ring_fail(r, "record length %u exceeds max_msg %u",
					 len, r->max_msg);
		rec = ring_rec_size(len);
		if (rec > avail || rec > to_end)
			return ring_fail(r,
				"record of %llu bytes at %llu overruns the %llu published bytes",
				(unsigned long long)rec,
				(unsigned long long)pos,
				(unsigned long long)(avail < to_end ? avail :
							   to_end));
		*pos_out = pos;
		return len;
	}
}

void
ring_cons_publish(struct caec_ring *r)
{
	if (r->head == r->pub_head)
		return;
	/*
	 * Pairs with the producer's acquire load of head in ring_prod_room():
	 * our reads of the consumed records complete before it may reuse them.
	 * With wake-ups it is also (B1) of the handshake in ring_wait.c.
	 */
	r->pub_head = r->head;
	if (r->flags & CAEC_RING_F_NOWAKE) {
		sh_store_rel(&r->sh->cons.counter, r->head);
		return;
	}
	sh_store_sc(&r->sh->cons.counter, r->head);
	ring_notify_peer(r, false);
}

static ssize_t
cons_get(struct caec_ring *r, uint64_t *pos, int timeout_ms)
{
	ssize_t n;

	n = ring_cons_next(r, pos);
	if (n != -EAGAIN || timeout_ms == 0)
		return n;
	return ring_block(r, 0, pos, timeout_ms);
}

/* Everything but the fast path of caec_ring_recv(). */
static ssize_t __attribute__((noinline))
ring_recv_slow(struct caec_ring *r, void *buf, size_t cap,
	       unsigned int flags, int timeout_ms)
{
	uint64_t pos;
	ssize_t n;

	if (!r || r->role != CAEC_RING_CONSUMER || r->peeked ||
	    (!buf && cap) || (flags & ~CAEC_MORE))
		return -EINVAL;
	n = cons_get(r, &pos, timeout_ms);
	if (n < 0)
		return ring_ret(r, n);
	if ((size_t)n > cap)
		return caec_set_detail(-EMSGSIZE,
			"next message has %zd bytes, buffer has %zu", n, cap);
	if (n)
		memcpy(buf, r->data + pos + CAEC_REC_HDR, (size_t)n);
	r->head += ring_rec_size((uint64_t)n);
	if (!(flags & CAEC_MORE))
		ring_cons_publish(r);
	return n;
}

/*
 * The fast path of recv and peek. When the cached tail says empty, tail is
 * loaded once more here (a message published since the last look is the
 * common case of a round trip) and kept if it is valid and not empty; the
 * record header is then read once and checked exactly as in
 * ring_cons_next(). Returns the payload length with its data-area position
 * in *@pos, or -1 for anything unusual (still empty, a tail or header that
 * fails its check, a pad, a sticky error), which the caller's slow path
 * then re-reads and reports.
 */
static inline int64_t
cons_fast(struct caec_ring *r, uint64_t *pos)
{
	uint64_t avail = r->tail_cache - r->head, rec, w, t;
	uint32_t len;

	*pos = r->head & r->mask;
	if (__builtin_expect(r->err, 0))
		return -1;
	if (avail == 0) {
		/*
		 * Pairs with the producer's release store of tail in
		 * ring_prod_publish(), as in load_tail(), whose checks these
		 * are with tail_cache == head. Not load_tail() itself: its
		 * monotonic check and error report are measurable on a round
		 * trip (docs/perf-notes.md); a bad tail is re-read and
		 * reported by the slow path.
		 */
		t = sh_load_acq(&r->sh->prod.counter);
		avail = t - r->head;
		if (avail == 0 || (t & 7) || avail > r->size)
			return -1;
		r->tail_cache = t;
	}
	w = sh_load((const uint64_t *)(r->data + *pos));
	len = (uint32_t)w;
	rec = ring_rec_size(len);
	if (__builtin_expect((uint32_t)(w >> 32) != CAEC_REC_MSG ||
			     len > r->max_msg || rec > avail ||
			     rec > r->size - *pos, 0))
		return -1;
	return len;
}

/*
 * ring_cons_next() for the wait loop (ring_wait.c), which runs this once
 * tail moved: the fast path first, the full check for anything else.
 */
ssize_t
ring_cons_ready(struct caec_ring *r, uint64_t *pos)
{
	int64_t n = cons_fast(r, pos);

	return n >= 0 ? n : ring_cons_next(r, pos);
}

/* ring_cons_publish() for a tail call. */
static int __attribute__((noinline))
cons_publish_ret(struct caec_ring *r, int ret)
{
	ring_cons_publish(r);
	return ret;
}

/*
 * The copy receive: the fast path (cons_fast()) touches only private state
 * and the data area besides the copy out; everything else, including a
 * message larger than @cap, goes through ring_recv_slow().
 */
ssize_t
caec_ring_recv(struct caec_ring *r, void *buf, size_t cap, unsigned int flags,
	       int timeout_ms)
{
	uint64_t pos;
	int64_t len;

	if (__builtin_expect(!r || r->role != CAEC_RING_CONSUMER ||
			     r->peeked || (!buf && cap) ||
			     (flags & ~CAEC_MORE), 0))
		return ring_recv_slow(r, buf, cap, flags, timeout_ms);
	len = cons_fast(r, &pos);
	if (__builtin_expect(len < 0 || (uint64_t)len > cap, 0))
		return ring_recv_slow(r, buf, cap, flags, timeout_ms);
	if (len)	/* buf may be NULL when cap is 0 */
		memcpy(buf, r->data + pos + CAEC_REC_HDR, (size_t)len);
	r->head += ring_rec_size((uint64_t)len);
	if (!(flags & CAEC_MORE))
		ring_cons_publish(r);
	return len;
}

/* Everything but the fast path of caec_ring_peek(). */
static ssize_t __attribute__((noinline))
ring_peek_slow(struct caec_ring *r, const void **payload, int timeout_ms)
{
	uint64_t pos;
	ssize_t n;

	if (!r || !payload || r->role != CAEC_RING_CONSUMER)
		return -EINVAL;
	n = cons_get(r, &pos, timeout_ms);
	if (n < 0)
		return ring_ret(r, n);
	r->peeked = true;
	r->peek_rec = ring_rec_size((uint64_t)n);
	*payload = r->data + pos + CAEC_REC_HDR;
	return n;
}

ssize_t
caec_ring_peek(struct caec_ring *r, const void **payload, int timeout_ms)
{
	uint64_t pos;
	int64_t len;

	if (__builtin_expect(!r || !payload ||
			     r->role != CAEC_RING_CONSUMER, 0))
		return ring_peek_slow(r, payload, timeout_ms);
	len = cons_fast(r, &pos);
	if (__builtin_expect(len < 0, 0))
		return ring_peek_slow(r, payload, timeout_ms);
	r->peeked = true;
	r->peek_rec = ring_rec_size((uint64_t)len);
	*payload = r->data + pos + CAEC_REC_HDR;
	return len;
}

/* The release's errors, out of line (see ring_ret()). */
static int __attribute__((noinline))
ring_release_fail(struct caec_ring *r, int rc)
{
	return (int)ring_ret(r, rc);
}

int
caec_ring_release(struct caec_ring *r, unsigned int flags)
{
	if (!r || r->role != CAEC_RING_CONSUMER || !r->peeked ||
	    (flags & ~CAEC_MORE))
		return -EINVAL;
	r->peeked = false;
	if (__builtin_expect(r->err, 0))
		return ring_release_fail(r, r->err);
	r->head += r->peek_rec;
	if (flags & CAEC_MORE)
		return 0;
	return cons_publish_ret(r, 0);
}

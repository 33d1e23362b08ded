/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Producer side: reserve/commit, send, publish.
 */
#include <errno.h>
#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "ring_priv.h"

/*
 * Writing a record into shared memory.
 *
 * A record starts 8-byte aligned, so with an 8-byte header its payload sits
 * at 8 mod 16 half of the time and at an odd offset inside a cache line. A
 * general memcpy then issues unaligned vector stores, some of them split
 * across two lines; on a line the consumer last read, each side of a split
 * is a read-for-ownership from the other core, and the store buffer fills
 * with stores waiting for them.
 *
 * So short records are written with 16-byte stores at 16-byte aligned
 * addresses (never split; the header shares the first store when the record
 * starts 16-aligned); the alignment tail is part of the last store and is
 * zero. These are plain stores, ordered before the consumer's view by the
 * release store of tail (ring_prod_publish()), and naturally aligned, which
 * device memory (a PCI BAR) also requires. caec_ring_send() does this inline
 * below r->send_lim payload bytes (ring_prod_gate()).
 *
 * Longer records go through ring_send_slow(). How they are best written
 * depends on how far apart the two cores are, which a VM's owner does not
 * choose. With near cores the producer is bound by the number of stores it
 * issues, and 16-byte stores lose from 1 KiB on; with distant cores, by line
 * transfers, which any way of writing waits for alike. On x86-64 with ERMS
 * (enhanced rep movsb, which writes whole lines) payloads of
 * RING_PUT_LINES_MIN up to RING_PUT_ALIGNED_MAX bytes are therefore written
 * by ring_put_lines(): 8- and 16-byte stores up to the next line boundary,
 * rep movsb for the rest. Elsewhere (aarch64 has no such instruction; a CPU
 * without ERMS) the 16-byte stores go on up to RING_PUT_ALIGNED_MAX. Above
 * it, libc's memcpy, which at 4 KiB beats both. Measurements per size and
 * placement: docs/perf-notes.md.
 */
#define RING_PUT_ALIGNED_MAX 2048u
#define RING_PUT_LINES_MIN 1024u

typedef uint64_t ring_v16 __attribute__((vector_size(16), may_alias));
typedef uint64_t ring_u64 __attribute__((may_alias));

static inline uint64_t
ld8(const uint8_t *s)
{
	uint64_t v;

	memcpy(&v, s, sizeof(v));
	return v;
}

static inline uint32_t
ld4(const uint8_t *s)
{
	uint32_t v;

	memcpy(&v, s, sizeof(v));
	return v;
}

/* The @k (1..8) bytes at @s, zero-extended, reading nothing beyond them. */
static inline uint64_t
ld_part(const uint8_t *s, size_t k)
{
	if (k == 8)
		return ld8(s);
	/* Overlapping loads: a byte read twice is ORed with itself. */
	if (k >= 4)
		return ld4(s) | (uint64_t)ld4(s + k - 4) << (8 * (k - 4));
	return s[0] | (uint64_t)s[k / 2] << (8 * (k / 2)) |
	       (uint64_t)s[k - 1] << (8 * (k - 1));
}

/*
 * Write header @hdr and @len (at most RING_PUT_ALIGNED_MAX) payload bytes
 * from @src as the record at @d (8-byte aligned, ring_rec_size(@len) bytes,
 * room checked by the caller), zeroing the alignment tail.
 */
static inline void
ring_put_record(uint8_t *d, uint64_t hdr, const uint8_t *src, size_t len)
{
	ring_v16 v;

	if (!((uintptr_t)d & 15) && len >= 8) {
		*(ring_v16 *)d = (ring_v16){ hdr, ld8(src) };
		d += 16;
		src += 8;
		len -= 8;
	} else {
		*(ring_u64 *)d = hdr;
		d += 8;
	}
	/* d is 16-byte aligned here. */
	for (; len >= 16; len -= 16, d += 16, src += 16) {
		memcpy(&v, src, sizeof(v));
		*(ring_v16 *)d = v;
	}
	/* The record's payload area ends on an 8-byte boundary. */
	if (len > 8)
		*(ring_v16 *)d = (ring_v16){ ld8(src), ld_part(src + 8, len - 8) };
	else if (len)
		*(ring_u64 *)d = ld_part(src, len);
}

#if defined(__x86_64__)
/* Does the CPU have ERMS, CPUID.(EAX=07H, ECX=0):EBX[bit 9]? */
static bool
cpu_has_erms(void)
{
	unsigned int a, b, c, d;

	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return false;
	return b & (1u << 9);
}

/*
 * Write header @hdr and @len (RING_PUT_LINES_MIN..RING_PUT_ALIGNED_MAX)
 * payload bytes from @src as the record at @d (8-byte aligned, room checked
 * by the caller): naturally aligned 16-byte stores up to the next cache-line
 * boundary (the header shares the first one when @d is 16-aligned), rep movsb
 * for whole 8-byte words, then the last partial word with its alignment tail
 * zeroed.
 */
static void
ring_put_lines(uint8_t *d, uint64_t hdr, const uint8_t *src, size_t len)
{
	ring_v16 v;
	size_t n;

	if ((uintptr_t)d & 15) {
		*(ring_u64 *)d = hdr;
		d += 8;
	} else {
		*(ring_v16 *)d = (ring_v16){ hdr, ld8(src) };
		d += 16;
		src += 8;
		len -= 8;
	}
	while ((uintptr_t)d & 63) {
		memcpy(&v, src, sizeof(v));
		*(ring_v16 *)d = v;
		d += 16;
		src += 16;
		len -= 16;
	}
	n = len & ~(size_t)7;
	__asm__ volatile("rep movsb"
			 : "+D"(d), "+S"(src), "+c"(n)
			 :
			 : "memory");
	if (len & 7)
		*(ring_u64 *)d = ld_part(src, len & 7);
}
#endif

/* Choose how sends copy (see "Writing a record" above); at open. */
void
ring_prod_init_copy(struct caec_ring *r)
{
#if defined(__x86_64__)
	r->put_lines = cpu_has_erms();
#endif
	ring_prod_gate(r);
}

/*
 * Recompute r->send_lim after any change of role, resv or err: one more
 * than the longest payload the send fast path writes inline (at most
 * max_msg; below RING_PUT_LINES_MIN when ring_put_lines() takes the mid
 * sizes), or 0 when the fast path is closed.
 */
void
ring_prod_gate(struct caec_ring *r)
{
	uint32_t max = r->put_lines ? RING_PUT_LINES_MIN - 1 :
				      RING_PUT_ALIGNED_MAX;

	if (r->max_msg < max)
		max = r->max_msg;
	r->send_lim = r->role == CAEC_RING_PRODUCER && !r->resv && !r->err ?
		(uint64_t)max + 1 : 0;
}

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
	r->pub_tail = r->tail;
	if (r->flags & CAEC_RING_F_NOWAKE) {
		sh_store_rel(&r->sh->prod.counter, r->tail);
		return;
	}
	sh_store_sc(&r->sh->prod.counter, r->tail);
	ring_notify_peer(r, false);
}

static int ring_send_publish(struct caec_ring *r);

/* Everything but the fast path of caec_ring_reserve(). */
static int __attribute__((noinline))
ring_reserve_slow(struct caec_ring *r, size_t len, void **payload,
		  int timeout_ms)
{
	uint64_t rec, pos, to_end;
	int rc;

	if (!r || !payload || r->role != CAEC_RING_PRODUCER || r->resv)
		return -EINVAL;
	if (r->err)
		return (int)ring_ret(r, r->err);
	if (len > r->max_msg)
		return caec_set_detail(-EMSGSIZE,
			"message of %zu bytes exceeds the ring's max_msg %u",
			len, r->max_msg);
	rec = ring_rec_size(len);
	rc = ring_prod_room(r, rec);
	if (rc == -EAGAIN && timeout_ms != 0)
		rc = (int)ring_block(r, rec, NULL, timeout_ms);
	if (rc)
		return (int)ring_ret(r, rc);

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
	ring_prod_gate(r);
	r->resv_len = len;
	*payload = r->data + pos + CAEC_REC_HDR;
	return 0;
}

/*
 * Fast path as in caec_ring_send(): the record fits before the wrap and the
 * cached head says there is room; no call, no stack frame.
 */
int
caec_ring_reserve(struct caec_ring *r, size_t len, void **payload,
		  int timeout_ms)
{
	uint64_t rec, pos;

	if (__builtin_expect(!r || !payload ||
			     r->role != CAEC_RING_PRODUCER || r->resv ||
			     r->err || len > r->max_msg, 0))
		return ring_reserve_slow(r, len, payload, timeout_ms);
	rec = ring_rec_size(len);
	pos = r->tail & r->mask;
	if (__builtin_expect(pos + rec > r->size ||
			     r->tail - r->head_cache + rec > r->size, 0))
		return ring_reserve_slow(r, len, payload, timeout_ms);
	r->resv = true;
	ring_prod_gate(r);
	r->resv_len = len;
	*payload = r->data + pos + CAEC_REC_HDR;
	return 0;
}

/* The commit's errors, out of line (see ring_ret()). */
static int __attribute__((noinline))
ring_commit_fail(struct caec_ring *r, int rc)
{
	return (int)ring_ret(r, rc);
}

int
caec_ring_commit(struct caec_ring *r, size_t len, unsigned int flags)
{
	uint64_t pos, rec, w;
	uint8_t *p;

	if (!r || r->role != CAEC_RING_PRODUCER || !r->resv ||
	    len > r->resv_len || (flags & ~CAEC_MORE))
		return -EINVAL;
	r->resv = false;
	ring_prod_gate(r);
	if (__builtin_expect(r->err, 0))
		return ring_commit_fail(r, r->err);
	pos = r->tail & r->mask;
	rec = ring_rec_size(len);
	/*
	 * Zero the alignment tail: no stale private bytes reach the peer. The
	 * last 8-byte word of the payload area keeps its len % 8 payload bytes
	 * (a plain load and store of memory only this side writes now).
	 */
	if (len & 7) {
		p = r->data + pos + CAEC_REC_HDR + (len & ~(size_t)7);
		memcpy(&w, p, sizeof(w));
		w &= ((uint64_t)1 << (8 * (len & 7))) - 1;
		memcpy(p, &w, sizeof(w));
	}
	/* Ordered before the consumer's view by the tail release store. */
	sh_store((uint64_t *)(r->data + pos),
		 ring_rec_make((uint32_t)len, CAEC_REC_MSG));
	r->tail += rec;
	if (flags & CAEC_MORE)
		return 0;
	return ring_send_publish(r);
}

/*
 * Everything but the fast path of caec_ring_send(). A record for
 * ring_put_lines() that fits before the wrap, with room by the cached head,
 * is written in place; the rest goes through reserve/commit.
 */
static int __attribute__((noinline))
ring_send_slow(struct caec_ring *r, const void *buf, size_t len,
	       unsigned int flags, int timeout_ms)
{
	void *slot = NULL;
	int rc;

	if (!r || (!buf && len) || (flags & ~CAEC_MORE) ||
	    r->role != CAEC_RING_PRODUCER || r->resv)
		return -EINVAL;
#if defined(__x86_64__)
	uint64_t rec = ring_rec_size(len), pos = r->tail & r->mask;

	if (r->put_lines && !r->err && len >= RING_PUT_LINES_MIN &&
	    len <= RING_PUT_ALIGNED_MAX && len <= r->max_msg &&
	    ring_fits_cached(r, rec, pos)) {
		ring_put_lines(r->data + pos,
			       ring_rec_make((uint32_t)len, CAEC_REC_MSG),
			       buf, len);
		r->tail += rec;
		if (!(flags & CAEC_MORE))
			ring_prod_publish(r);
		return 0;
	}
#endif
	rc = caec_ring_reserve(r, len, &slot, timeout_ms);
	if (rc)
		return (int)ring_ret(r, rc);
	if (len)
		memcpy(slot, buf, len);
	return (int)ring_ret(r, caec_ring_commit(r, len, flags));
}

/* ring_prod_publish() for a tail call. */
static int __attribute__((noinline))
ring_send_publish(struct caec_ring *r)
{
	ring_prod_publish(r);
	return 0;
}

/*
 * The copy send. Its fast path (r->send_lim open and above the length,
 * so a short payload of at most max_msg bytes; the record fits before
 * the wrap; the cached head says there is room) touches only private state
 * and the data area, calls nothing, and so needs no stack frame: while the
 * producer's stores to lines the consumer holds wait for ownership, every
 * store it issues occupies the store buffer, and this path adds none of its
 * own. Everything else goes through ring_send_slow().
 */
int
caec_ring_send(struct caec_ring *r, const void *buf, size_t len,
	       unsigned int flags, int timeout_ms)
{
	uint64_t rec, pos;

	if (__builtin_expect(!r || len >= r->send_lim || (!buf && len) ||
			     (flags & ~CAEC_MORE), 0))
		return ring_send_slow(r, buf, len, flags, timeout_ms);
	rec = ring_rec_size(len);
	pos = r->tail & r->mask;
	if (__builtin_expect(!ring_fits_cached(r, rec, pos), 0))
		return ring_send_slow(r, buf, len, flags, timeout_ms);
	/* buf may be NULL for an empty message: nothing is read. */
	ring_put_record(r->data + pos,
			ring_rec_make((uint32_t)len, CAEC_REC_MSG), buf, len);
	r->tail += rec;
	if (flags & CAEC_MORE)
		return 0;
	return ring_send_publish(r);
}

int
caec_ring_flush(struct caec_ring *r)
{
	if (!r || r->role != CAEC_RING_PRODUCER)
		return -EINVAL;
	if (r->err)
		return (int)ring_ret(r, r->err);
	ring_prod_publish(r);
	return 0;
}

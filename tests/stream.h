/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stamped message streams shared by the integration and stress tests and by
 * the ipc_peer helper.
 *
 * Message i of stream ID carries seq = ID << 48 | i. A message of 16 bytes
 * or more starts with a header { u64 seq, u32 len, u32 sum } where sum is
 * FNV-1a (64-bit, over 8-byte words) of seq, len and the pseudo-random bytes
 * after the header, folded to 32 bits. Shorter messages (0..15 bytes) hold
 * the first bytes of a pseudo-random block derived from seq and len, which
 * the receiver regenerates. The receiver knows the next seq it expects, so
 * a lost, duplicated, reordered or corrupted message fails the check.
 *
 * A stream runs over an endpoint: a channel, or a pair of raw rings. The
 * sender picks sizes (skewed small: mostly 8..512 bytes, some up to 4 KiB, a
 * few up to max_msg, a few tiny or empty) and mixes copy sends, zero-copy
 * reservations (loan more than needed, commit the actual length) and
 * batching (CAEC_MORE); the receiver mixes recv, peek/release, CAEC_MORE and
 * deliberately short buffers (-EMSGSIZE keeps the message).
 *
 * Nothing here uses cmocka: the functions run in threads, forked children
 * and the exec'd helper, and report through struct stream.
 */
#ifndef CAEC_TEST_STREAM_H
#define CAEC_TEST_STREAM_H

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include <caec/caec.h>

#define STAMP_HDR 16u
#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

/* Operation mix of a stream. */
#define OP_COPY 0x1u	/* send / recv */
#define OP_ZC 0x2u	/* reserve+commit / peek+release */
#define OP_BATCH 0x4u	/* CAEC_MORE on about half of the calls */
#define OP_ALL (OP_COPY | OP_ZC | OP_BATCH)

/* Faults a sender can inject at message fault_at, to prove checks work. */
enum stream_fault {
	FAULT_NONE = 0,
	FAULT_FLIP,	/* flip one payload bit after stamping */
	FAULT_SKIP,	/* message fault_at is never sent (later seqs shift) */
	FAULT_DUP,	/* message fault_at is sent twice */
	FAULT_SWAP,	/* messages fault_at and fault_at + 1 swap places */
};

static inline uint64_t
splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint64_t
stamp_seq(uint32_t id, uint64_t i)
{
	return (uint64_t)id << 48 | i;
}

static inline uint32_t
stamp_sum(uint64_t seq, uint32_t len, const uint8_t *p, size_t n)
{
	uint64_t h = FNV_OFFSET, w;
	size_t i;

	h = (h ^ seq) * FNV_PRIME;
	h = (h ^ len) * FNV_PRIME;
	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * FNV_PRIME;
	}
	for (; i < n; i++)
		h = (h ^ p[i]) * FNV_PRIME;
	return (uint32_t)(h ^ (h >> 32));
}

/* Pseudo-random bytes determined by (seq, len). */
static inline void
stamp_bytes(uint8_t *p, size_t n, uint64_t seq, uint32_t len)
{
	uint64_t s = seq * 0x2545f4914f6cdd1dull ^ len, w;
	size_t i;

	for (i = 0; i < n; i += 8) {
		w = splitmix64(&s);
		memcpy(p + i, &w, n - i < 8 ? n - i : 8);
	}
}

/* Write message @seq of @len bytes at @p. */
static inline void
stamp_fill(uint8_t *p, uint32_t len, uint64_t seq)
{
	uint32_t sum;

	if (len < STAMP_HDR) {
		stamp_bytes(p, len, seq, len);
		return;
	}
	stamp_bytes(p + STAMP_HDR, len - STAMP_HDR, seq, len);
	sum = stamp_sum(seq, len, p + STAMP_HDR, len - STAMP_HDR);
	memcpy(p, &seq, 8);
	memcpy(p + 8, &len, 4);
	memcpy(p + 12, &sum, 4);
}

/*
 * Check that @p, @len is message @want. RETURN VALUE: NULL when it is, else
 * a static description of the mismatch.
 */
static inline const char *
stamp_check(const uint8_t *p, size_t len, uint64_t want)
{
	uint8_t tiny[STAMP_HDR];
	uint64_t seq;
	uint32_t hlen, sum;

	if (len < STAMP_HDR) {
		stamp_bytes(tiny, len, want, (uint32_t)len);
		return memcmp(tiny, p, len) ? "short message content/seq" :
					      NULL;
	}
	memcpy(&seq, p, 8);
	memcpy(&hlen, p + 8, 4);
	memcpy(&sum, p + 12, 4);
	if (seq != want)
		return "sequence number";
	if (hlen != len)
		return "length field";
	if (sum != stamp_sum(seq, hlen, p + STAMP_HDR, len - STAMP_HDR))
		return "checksum";
	return NULL;
}

/* Message sizes: skewed small, bounded by @max. */
static inline uint32_t
stamp_pick_len(uint64_t *rng, uint32_t max)
{
	uint64_t r = splitmix64(rng);
	uint32_t pct = (uint32_t)(r % 1000), v = (uint32_t)(r >> 32);
	uint32_t len;

	if (pct < 2)
		len = 0;			/* empty message */
	else if (pct < 20)
		len = 1 + v % 15;		/* no room for a header */
	else if (pct < 900)
		len = 8 + v % 505;		/* the bulk: 8..512 */
	else if (pct < 993)
		len = 513 + v % 3584;		/* up to 4 KiB */
	else if (pct < 996)
		len = max;			/* exactly the limit */
	else
		len = 1 + v % max;		/* anything */
	return len > max ? 1 + v % max : len;
}

static inline uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t
cpu_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline void
sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * Message counts scale with CAEC_TEST_SCALE (a positive factor, default 1;
 * meson lowers it for sanitizer builds). Never below @min.
 */
static inline uint64_t
test_scaled(uint64_t n, uint64_t min)
{
	const char *s = getenv("CAEC_TEST_SCALE");
	double f = s ? strtod(s, NULL) : 1.0;
	uint64_t v;

	if (!(f > 0))
		f = 1.0;
	v = (uint64_t)((double)n * f);
	return v < min ? min : v;
}

/* One side's view: a channel, or a raw ring pair (either may be NULL). */
struct ep {
	struct caec_channel *ch;
	struct caec_ring *tx;
	struct caec_ring *rx;
};

static inline struct ep
ep_channel(struct caec_channel *ch)
{
	struct ep e = { ch, caec_channel_tx(ch), caec_channel_rx(ch) };

	return e;
}

static inline struct ep
ep_rings(struct caec_ring *tx, struct caec_ring *rx)
{
	struct ep e = { NULL, tx, rx };

	return e;
}

static inline int
ep_send(struct ep *e, const void *b, size_t n, unsigned int f, int to)
{
	return e->ch ? caec_channel_send(e->ch, b, n, f, to) :
		       caec_ring_send(e->tx, b, n, f, to);
}

static inline int
ep_reserve(struct ep *e, size_t n, void **pl, int to)
{
	return e->ch ? caec_channel_reserve(e->ch, n, pl, to) :
		       caec_ring_reserve(e->tx, n, pl, to);
}

static inline int
ep_commit(struct ep *e, size_t n, unsigned int f)
{
	return e->ch ? caec_channel_commit(e->ch, n, f) :
		       caec_ring_commit(e->tx, n, f);
}

static inline int
ep_flush(struct ep *e)
{
	return e->ch ? caec_channel_flush(e->ch) : caec_ring_flush(e->tx);
}

static inline ssize_t
ep_recv(struct ep *e, void *b, size_t cap, unsigned int f, int to)
{
	return e->ch ? caec_channel_recv(e->ch, b, cap, f, to) :
		       caec_ring_recv(e->rx, b, cap, f, to);
}

static inline ssize_t
ep_peek(struct ep *e, const void **pl, int to)
{
	return e->ch ? caec_channel_peek(e->ch, pl, to) :
		       caec_ring_peek(e->rx, pl, to);
}

static inline int
ep_release(struct ep *e, unsigned int f)
{
	return e->ch ? caec_channel_release(e->ch, f) :
		       caec_ring_release(e->rx, f);
}

/*
 * A stream: configuration, then progress and the first failure.
 */
struct stream {
	uint32_t id;		/* stamped in the top 16 bits of seq */
	uint64_t count;		/* messages */
	uint64_t seed;		/* sizes and operation mix */
	unsigned int ops;	/* OP_* */
	int timeout_ms;		/* for every blocking call */
	bool end_epipe;		/* receiver: expect -EPIPE after count */
	uint32_t max_len;	/* largest message; 0 = the ring's max_msg */
	enum stream_fault fault;
	uint64_t fault_at;

	uint64_t done;		/* messages sent or verified */
	uint64_t bytes;
	int rc;			/* 0, or the failing call's return value */
	char why[240];		/* empty, or what went wrong */
};

static inline void
stream_init(struct stream *s, uint32_t id, uint64_t count, uint64_t seed,
	    unsigned int ops, int timeout_ms)
{
	memset(s, 0, sizeof(*s));
	s->id = id;
	s->count = count;
	s->seed = seed;
	s->ops = ops;
	s->timeout_ms = timeout_ms;
	s->end_epipe = true;
}

static inline int
stream_fail(struct stream *s, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline int
stream_fail(struct stream *s, int rc, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	s->rc = rc ? rc : -1;
	n = (size_t)snprintf(s->why, sizeof(s->why), "stream %u msg %" PRIu64
			     ": ", s->id, s->done);
	if (n < sizeof(s->why)) {
		va_start(ap, fmt);
		vsnprintf(s->why + n, sizeof(s->why) - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* The seq the sender stamps on its i-th message, with the fault applied. */
static inline uint64_t
stream_seq_of(const struct stream *s, uint64_t i)
{
	uint64_t k = s->fault_at;

	switch (s->fault) {
	case FAULT_SKIP:
		return stamp_seq(s->id, i < k ? i : i + 1);
	case FAULT_DUP:
		return stamp_seq(s->id, i <= k ? i : i - 1);
	case FAULT_SWAP:
		if (i == k)
			return stamp_seq(s->id, k + 1);
		if (i == k + 1)
			return stamp_seq(s->id, k);
		return stamp_seq(s->id, i);
	default:
		return stamp_seq(s->id, i);
	}
}

/*
 * Send s->count stamped messages. RETURN VALUE: 0, or -1 with s->rc and
 * s->why set. Flushes at the end; does not close.
 */
static inline int
stream_send(struct ep *e, struct stream *s)
{
	uint32_t max = s->max_len ? s->max_len : caec_ring_max_msg(e->tx);
	uint64_t rng = s->seed, r;
	uint8_t *buf = malloc(max ? max : 1);
	uint32_t len, loan;
	unsigned int flags;
	void *slot;
	int rc = 0;

	if (!buf)
		return stream_fail(s, -ENOMEM, "malloc");
	for (s->done = 0; s->done < s->count; s->done++) {
		uint64_t seq = stream_seq_of(s, s->done);

		len = stamp_pick_len(&rng, max);
		if (s->fault && s->done == s->fault_at)
			len = max < 64 ? max : 64;
		r = splitmix64(&rng);
		flags = (s->ops & OP_BATCH) && (r & 1) ? CAEC_MORE : 0;
		if ((s->ops & OP_ZC) && (!(s->ops & OP_COPY) || (r & 2))) {
			/* Loan more than needed, commit the actual length. */
			loan = len + (uint32_t)(r >> 40) % 64;
			if (loan > max)
				loan = max;
			rc = ep_reserve(e, loan, &slot, s->timeout_ms);
			if (rc) {
				stream_fail(s, rc, "reserve(%u): %s", loan,
					    caec_strerror(rc));
				break;
			}
			if ((uintptr_t)slot & 7) {
				stream_fail(s, -EFAULT,
					    "reserved slot %p not 8-aligned",
					    slot);
				break;
			}
			stamp_fill(slot, len, seq);
			if (s->fault == FAULT_FLIP && s->done == s->fault_at)
				((uint8_t *)slot)[len / 2] ^= 0x10;
			rc = ep_commit(e, len, flags);
			if (rc) {
				stream_fail(s, rc, "commit(%u): %s", len,
					    caec_strerror(rc));
				break;
			}
		} else {
			stamp_fill(buf, len, seq);
			if (s->fault == FAULT_FLIP && s->done == s->fault_at)
				buf[len / 2] ^= 0x10;
			rc = ep_send(e, buf, len, flags, s->timeout_ms);
			if (rc) {
				stream_fail(s, rc, "send(%u): %s", len,
					    caec_strerror(rc));
				break;
			}
		}
		s->bytes += len;
	}
	free(buf);
	if (!rc) {
		rc = ep_flush(e);
		if (rc)
			stream_fail(s, rc, "flush: %s", caec_strerror(rc));
	}
	return rc ? -1 : 0;
}

/* Verify message @p, @n against the next expected seq. */
static inline int
stream_verify(struct stream *s, const uint8_t *p, ssize_t n, uint32_t max)
{
	const char *bad;
	uint64_t seq;

	if (n < 0 || (uint64_t)n > max)
		return stream_fail(s, -EPROTO, "length %zd outside 0..%u", n,
				   max);
	bad = stamp_check(p, (size_t)n, stamp_seq(s->id, s->done));
	if (bad) {
		seq = 0;
		if (n >= 8)
			memcpy(&seq, p, 8);
		return stream_fail(s, -EBADMSG,
				   "bad %s (len %zd, seq 0x%" PRIx64
				   ", expected 0x%" PRIx64 ")", bad, n, seq,
				   stamp_seq(s->id, s->done));
	}
	s->bytes += (uint64_t)n;
	return 0;
}

/*
 * Receive and verify s->count messages, then (s->end_epipe) expect -EPIPE.
 * RETURN VALUE: 0, or -1 with s->rc and s->why set.
 */
static inline int
stream_recv(struct ep *e, struct stream *s)
{
	uint32_t max = caec_ring_max_msg(e->rx);
	uint8_t *buf = malloc(max ? max : 1);
	uint64_t rng = s->seed ^ 0x5eed5eed5eedull, r;
	const void *pl;
	unsigned int flags;
	ssize_t n;
	int rc = 0;

	if (!buf)
		return stream_fail(s, -ENOMEM, "malloc");
	for (s->done = 0; s->done < s->count; s->done++) {
		r = splitmix64(&rng);
		flags = (s->ops & OP_BATCH) && (r & 1) ? CAEC_MORE : 0;
		if ((s->ops & OP_ZC) && (!(s->ops & OP_COPY) || (r & 2))) {
			n = ep_peek(e, &pl, s->timeout_ms);
			if (n < 0) {
				rc = stream_fail(s, (int)n, "peek: %s",
						 caec_strerror((int)n));
				break;
			}
			/* A second peek returns the same message. */
			if ((r & 0x30) == 0 &&
			    ep_peek(e, &pl, s->timeout_ms) != n) {
				rc = stream_fail(s, -EPROTO,
						 "second peek differs");
				break;
			}
			rc = stream_verify(s, pl, n, max);
			if (rc)
				break;
			rc = ep_release(e, flags);
			if (rc) {
				rc = stream_fail(s, rc, "release: %s",
						 caec_strerror(rc));
				break;
			}
			continue;
		}
		if ((r & 0x3c0) == 0) {
			/* Too small a buffer: -EMSGSIZE, message kept. */
			n = ep_recv(e, buf, 0, 0, s->timeout_ms);
			if (n == 0) {
				rc = stream_verify(s, buf, 0, max);
				if (rc)
					break;
				continue;
			}
			if (n != -EMSGSIZE) {
				rc = stream_fail(s, (int)n,
						 "recv(cap 0): %zd (%s)", n,
						 caec_strerror((int)n));
				break;
			}
		}
		n = ep_recv(e, buf, max, flags, s->timeout_ms);
		if (n < 0) {
			rc = stream_fail(s, (int)n, "recv: %s",
					 caec_strerror((int)n));
			break;
		}
		rc = stream_verify(s, buf, n, max);
		if (rc)
			break;
	}
	if (!rc && s->end_epipe) {
		n = ep_recv(e, buf, max, 0, s->timeout_ms);
		if (n != -EPIPE)
			rc = stream_fail(s, n < 0 ? (int)n : -EPROTO,
					 "after the last message: %zd (%s), "
					 "expected -EPIPE", n,
					 n < 0 ? caec_strerror((int)n) :
						 "an extra message");
	}
	free(buf);
	return rc ? -1 : 0;
}

/*
 * Echo every message back until the peer closes (-EPIPE), alternating a
 * copy path and a zero-copy forward (peek, reserve, copy, commit, release)
 * and batching some replies. Before blocking for the next message it
 * flushes, as a batching application must.
 * RETURN VALUE: 0 when the stream ended with -EPIPE, else -1.
 */
static inline int
stream_echo(struct ep *e, struct stream *s)
{
	uint32_t max = caec_ring_max_msg(e->rx);
	uint8_t *buf = malloc(max ? max : 1);
	const void *pl = NULL;
	bool zc;
	void *slot;
	ssize_t n;
	int rc = 0;

	if (!buf)
		return stream_fail(s, -ENOMEM, "malloc");
	for (s->done = 0;; s->done++) {
		zc = s->done & 1;
		n = zc ? ep_peek(e, &pl, 0) : ep_recv(e, buf, max, 0, 0);
		if (n == -EAGAIN) {
			rc = ep_flush(e);
			if (rc)
				break;
			n = zc ? ep_peek(e, &pl, s->timeout_ms) :
				 ep_recv(e, buf, max, 0, s->timeout_ms);
		}
		if (n < 0)
			break;
		if (zc) {
			rc = ep_reserve(e, (size_t)n, &slot, s->timeout_ms);
			if (rc)
				break;
			memcpy(slot, pl, (size_t)n);
			rc = ep_commit(e, (size_t)n,
				       s->done & 2 ? CAEC_MORE : 0);
			if (!rc)
				rc = ep_release(e, 0);
		} else {
			rc = ep_send(e, buf, (size_t)n,
				     s->done & 4 ? CAEC_MORE : 0,
				     s->timeout_ms);
		}
		if (rc)
			break;
		s->bytes += (uint64_t)n;
	}
	free(buf);
	if (rc)
		return stream_fail(s, rc, "echo send side: %s",
				   caec_strerror(rc));
	if (n != -EPIPE)
		return stream_fail(s, (int)n, "echo receive side: %s",
				   caec_strerror((int)n));
	return 0;
}

#endif /* CAEC_TEST_STREAM_H */

/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rand.h"
#include "stream.h"

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

uint64_t
stamp_seq(uint32_t id, uint64_t i)
{
	return (uint64_t)id << 48 | i;
}

uint32_t
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

void
stamp_bytes(uint8_t *p, size_t n, uint64_t seq, uint32_t len)
{
	uint64_t s = seq * 0x2545f4914f6cdd1dull ^ len, w;
	size_t i;

	for (i = 0; i < n; i += 8) {
		w = splitmix64(&s);
		memcpy(p + i, &w, n - i < 8 ? n - i : 8);
	}
}

void
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

const char *
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

uint32_t
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

void
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

int
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
static uint64_t
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

int
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

int
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

int
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

int
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

struct duplex_sender {
	struct ep *e;
	struct stream *s;
};

static void *
duplex_sender_main(void *arg)
{
	struct duplex_sender *a = arg;

	stream_send(a->e, a->s);
	return NULL;
}

int
stream_duplex(struct ep *e, struct stream *tx, struct stream *rx)
{
	struct duplex_sender a = { e, tx };
	pthread_t t;
	int rc;

	rc = pthread_create(&t, NULL, duplex_sender_main, &a);
	if (rc)
		return stream_fail(tx, -rc, "pthread_create: %s", strerror(rc));
	stream_recv(e, rx);
	pthread_join(t, NULL);
	return tx->rc || rx->rc ? -1 : 0;
}

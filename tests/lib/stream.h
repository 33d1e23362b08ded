/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stamped message streams shared by the integration and stress tests and by
 * the ipc_peer and vm_peer helpers.
 *
 * Message i of stream ID carries seq = ID << 48 | i. A message of 16 bytes
 * or more starts with a header { u64 seq, u32 len, u32 sum } where sum is
 * FNV-1a (64-bit, over 8-byte words) of seq, len and the pseudo-random bytes
 * after the header, folded to 32 bits. Shorter messages (0..15 bytes) hold
 * the first bytes of a pseudo-random block derived from seq and len, which
 * the receiver regenerates. The receiver knows the next seq it expects, so
 * a lost, duplicated, reordered or corrupted message fails the check.
 *
 * A stream runs over an endpoint (ep.h): a channel, or a pair of raw rings.
 * The sender picks sizes (skewed small: mostly 8..512 bytes, some up to
 * 4 KiB, a few up to max_msg, a few tiny or empty) and mixes copy sends,
 * zero-copy reservations (loan more than needed, commit the actual length)
 * and batching (CAEC_MORE); the receiver mixes recv, peek/release,
 * CAEC_MORE and deliberately short buffers (-EMSGSIZE keeps the message).
 * Sizes and the operation mix come from splitmix64 (rand.h) seeded with
 * the stream's seed, so both ends of a stream configured alike agree.
 *
 * Nothing here uses cmocka: the functions run in threads, forked children
 * and the exec'd helpers, and report through struct stream.
 */
#ifndef CAEC_TEST_STREAM_H
#define CAEC_TEST_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ep.h"

#define STAMP_HDR 16u

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

/* ---- stamps: one message ---------------------------------------------- */

/* The seq of message @i of stream @id. */
uint64_t stamp_seq(uint32_t id, uint64_t i);

/* The checksum of a stamped header: @seq, @len and the @n bytes at @p. */
uint32_t stamp_sum(uint64_t seq, uint32_t len, const uint8_t *p, size_t n);

/* @n pseudo-random bytes at @p, determined by (@seq, @len). */
void stamp_bytes(uint8_t *p, size_t n, uint64_t seq, uint32_t len);

/* Write message @seq of @len bytes at @p. */
void stamp_fill(uint8_t *p, uint32_t len, uint64_t seq);

/*
 * Check that @p, @len is message @want. RETURN VALUE: NULL when it is, else
 * a static description of the mismatch.
 */
const char *stamp_check(const uint8_t *p, size_t len, uint64_t want);

/* A message size from @rng: skewed small, bounded by @max. */
uint32_t stamp_pick_len(uint64_t *rng, uint32_t max);

/* ---- streams ---------------------------------------------------------- */

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

/* Configure @s (no fault, max_len 0, end_epipe) and clear its progress. */
void stream_init(struct stream *s, uint32_t id, uint64_t count, uint64_t seed,
		 unsigned int ops, int timeout_ms);

/*
 * Record a failure: s->rc = @rc (-1 when @rc is 0), s->why = "stream ID msg
 * DONE: " and the formatted text. RETURN VALUE: -1.
 */
int stream_fail(struct stream *s, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Send s->count stamped messages. RETURN VALUE: 0, or -1 with s->rc and
 * s->why set. Flushes at the end; does not close.
 */
int stream_send(struct ep *e, struct stream *s);

/*
 * Verify message @p, @n (at most @max bytes) against the next expected seq
 * (message s->done); counts its bytes. Does not advance s->done.
 * RETURN VALUE: 0, or -1 with s->rc and s->why set.
 */
int stream_verify(struct stream *s, const uint8_t *p, ssize_t n, uint32_t max);

/*
 * Receive and verify s->count messages, then (s->end_epipe) expect -EPIPE.
 * RETURN VALUE: 0, or -1 with s->rc and s->why set.
 */
int stream_recv(struct ep *e, struct stream *s);

/*
 * Echo every message back until the peer closes (-EPIPE), alternating a
 * copy path and a zero-copy forward (peek, reserve, copy, commit, release)
 * and batching some replies. Before blocking for the next message it
 * flushes, as a batching application must.
 * RETURN VALUE: 0 when the stream ended with -EPIPE, else -1.
 */
int stream_echo(struct ep *e, struct stream *s);

/*
 * Both directions at once on @e: stream_send(@tx) from a second thread
 * while this one runs stream_recv(@rx); returns when both ended. A sender
 * thread that cannot start fails @tx (and @rx does not run).
 * RETURN VALUE: 0 when both streams completed, else -1 (see tx->rc and
 * rx->rc).
 */
int stream_duplex(struct ep *e, struct stream *tx, struct stream *rx);

#endif /* CAEC_TEST_STREAM_H */

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: the ring consumer (src/ring/ring_cons.c) against records and
 * counters as a hostile producer writes them, including values that change
 * between two loads of the same word (the shared-load hook, fuzz_hook.h).
 *
 * INPUT
 *   0       flags: bit 0 data area of 8 KiB (else 4 KiB), bit 1 NOWAKE,
 *           bit 2 the producer's closed flag, bit 3 records mode (below)
 *   1..2    max_msg (u16 LE), reduced modulo the ring's limit + 1
 *           (0 selects the limit)
 *   3       n: bytes of hook script after the prefix
 *   4..11   the consumer's head counter (u64 LE) as the region holds it
 *   12..13  tail - head (u16 LE), unchecked: a bad tail is input too
 *   14      the calls: bit i set = call i is peek + release, else recv
 *   15      the recv buffer: max_msg >> (value & 7)
 *   16..    n bytes of script, then the data area's bytes, or in records
 *           mode 3-byte steps that write records from the head on:
 *           u8 kind, u16 LE len; kind & 3: 0 a message of len bytes,
 *           1 a pad to the end of the data area, 2 a pad header of len,
 *           3 the word len | len << 32; and then tail is head plus what
 *           the steps wrote plus bytes 12..13 read as an s16
 *
 * INVARIANTS (abort on violation): a message length never exceeds the
 * validated max_msg nor the buffer given; a peeked payload lies inside the
 * data area; ASan sees every byte the consumer reads, since the region is a
 * heap block of exactly the ring's footprint. And every message returned is
 * the one the record format (docs/ring-format.md) puts next: this target's
 * own reading of the records after the call (the hook stores what it made
 * a load return, so memory then holds what the consumer saw) finds a
 * message record of that length where the last one ended, or at 0 after a
 * single pad that ends at the wrap and does not start at 0, and that record
 * ends within a tail the consumer loaded (the hook watches the producer's
 * counter: a message nobody published yet is never returned); and the head
 * the consumer publishes never passes what it returned, except over such a
 * pad (a consumer that skipped records unread would move it further).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <caec/caec.h>
#include <caec/ring.h>

#include "fuzz_hook.h"
#include "ring/ring_api.h"
#include "ring/ring_layout.h"

#define PREFIX 16u
#define CALLS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t
le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * The record format's answer: where the message after the one that ended
 * at @exp starts (its payload's data-area offset), and its length; -1 if
 * the records there are not a valid message.
 */
static long
model_next(const uint8_t *area, uint32_t data_size, uint32_t max_msg,
	   uint64_t exp, uint32_t *len)
{
	uint64_t w;
	uint32_t type;

	memcpy(&w, area + exp, sizeof(w));
	type = (uint32_t)(w >> 32);
	if (type == CAEC_REC_PAD) {
		if (exp == 0 || (uint32_t)w != data_size - exp - CAEC_REC_HDR)
			return -1;
		exp = 0;
		memcpy(&w, area, sizeof(w));
		type = (uint32_t)(w >> 32);
	}
	if (type != CAEC_REC_MSG || (uint32_t)w > max_msg ||
	    ring_rec_size((uint32_t)w) > data_size - exp)
		return -1;
	*len = (uint32_t)w;
	return (long)(exp + CAEC_REC_HDR);
}

/* Check a message the consumer returned against model_next(); the next
 * record is expected after it, and the record must lie in what the
 * producer published (a tail the consumer loaded, seen from @start). */
static void
model_check(const uint8_t *area, uint32_t data_size, uint32_t max_msg,
	    uint64_t start, uint64_t *mhead, const uint8_t *got, size_t n,
	    bool in_place)
{
	uint64_t exp = *mhead & (data_size - 1);
	uint32_t len;
	long at;

	at = model_next(area, data_size, max_msg, exp, &len);
	if (at < 0 || len != n)
		abort();
	if (in_place ? got != area + at : memcmp(got, area + at, n) != 0)
		abort();
	if ((uint64_t)at - CAEC_REC_HDR != exp)	/* after a pad */
		*mhead += data_size - exp;
	*mhead += ring_rec_size(len);
	if (*mhead - start > fuzz_hook_watched())
		abort();
}

/* The head the consumer published (@pub) against the model's, @mhead:
 * behind it (not published yet) or at it, or past one valid pad there. */
static void
model_head(const uint8_t *area, uint32_t data_size, uint64_t start,
	   uint64_t mhead, uint64_t pub)
{
	uint64_t exp = mhead & (data_size - 1), w;

	if (pub - start <= mhead - start)
		return;
	memcpy(&w, area + exp, sizeof(w));
	if (exp != 0 && (uint32_t)(w >> 32) == CAEC_REC_PAD &&
	    (uint32_t)w == data_size - exp - CAEC_REC_HDR &&
	    pub == mhead + (data_size - exp))
		return;
	abort();
}

static void
run_calls(struct caec_ring *r, const uint8_t *area, uint32_t data_size,
	  uint32_t max_msg, uint8_t pattern, size_t cap,
	  const uint64_t *pub, uint64_t start)
{
	static uint8_t buf[8192];	/* above every max_msg of the rings here */
	uint64_t mhead = start;
	const void *payload;
	const uint8_t *p;
	ssize_t n;
	int i;

	for (i = 0; i < CALLS; i++, model_head(area, data_size, start, mhead,
						  __atomic_load_n(pub,
							__ATOMIC_RELAXED))) {
		if (pattern & (1u << (i & 7))) {
			n = caec_ring_peek(r, &payload, 0);
			if (n < 0)
				break;
			p = payload;
			if ((size_t)n > max_msg || p < area ||
			    p + n > area + data_size)
				abort();
			model_check(area, data_size, max_msg, start, &mhead,
				    p, (size_t)n, true);
			if (caec_ring_release(r, 0))
				break;
			continue;
		}
		n = caec_ring_recv(r, buf, cap, 0, 0);
		if (n == -EMSGSIZE) {
			/* The message stays: take it with peek next. */
			pattern |= (uint8_t)(1u << ((i + 1) & 7));
			continue;
		}
		if (n < 0)
			break;
		if ((size_t)n > max_msg || (size_t)n > cap)
			abort();
		model_check(area, data_size, max_msg, start, &mhead, buf,
			    (size_t)n, false);
	}
	model_head(area, data_size, start, mhead,
		   __atomic_load_n(pub, __ATOMIC_RELAXED));
}

/* Records mode: the steps at @in (@n bytes) from @pos on; the bytes
 * written, data_size at most. */
static uint64_t
write_records(uint8_t *area, uint32_t data_size, uint64_t pos,
	      const uint8_t *in, size_t n)
{
	uint64_t done = 0, rec, w;
	uint32_t len;

	for (; n >= 3 && done < data_size; in += 3, n -= 3) {
		len = (uint32_t)(in[1] | in[2] << 8);
		switch (in[0] & 3) {
		case 0:
			w = ring_rec_make(len, CAEC_REC_MSG);
			rec = ring_rec_size(len);
			break;
		case 1:
			w = ring_rec_make((uint32_t)(data_size - pos -
						     CAEC_REC_HDR),
					  CAEC_REC_PAD);
			rec = data_size - pos;
			break;
		case 2:
			w = ring_rec_make(len, CAEC_REC_PAD);
			rec = CAEC_REC_HDR;
			break;
		default:
			w = (uint64_t)len | (uint64_t)len << 32;
			rec = CAEC_REC_HDR;
			break;
		}
		if (rec > data_size - done)
			break;
		memcpy(area + pos, &w, sizeof(w));
		/* A message's payload: its own length, byte by byte. */
		if (!(in[0] & 3) && rec <= data_size - pos)
			memset(area + pos + CAEC_REC_HDR, (int)in[1],
			       rec - CAEC_REC_HDR);
		done += rec;
		pos = (pos + rec) & (data_size - 1);
	}
	return done;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t data_size, max_msg, limit, flags, got_size, got_max, got_flags;
	struct caec_wait_params wait = { 0 };
	struct caec_ring_shared *sh;
	struct caec_ring *r;
	size_t fp, script_len, cap;
	uint64_t head;
	uint8_t *mem;

	if (size < PREFIX)
		return 0;
	data_size = (data[0] & 1) ? 8192u : 4096u;
	flags = (data[0] & 2) ? CAEC_RING_F_NOWAKE : 0;
	limit = caec_ring_max_msg_limit(data_size);
	max_msg = (uint32_t)(data[1] | data[2] << 8) % (limit + 1);
	script_len = data[3];
	if (size < PREFIX + script_len)
		return 0;
	fp = caec_ring_footprint(data_size);
	mem = aligned_alloc(64, fp);
	if (!mem)
		return 0;
	memset(mem, 0, fp);
	if (caec_ring_format(mem, fp, data_size, max_msg, flags))
		abort();
	sh = (struct caec_ring_shared *)mem;
	head = le64(data + 4) & ~(uint64_t)7;
	sh->cons.counter = head;
	sh->prod.closed = (data[0] & 4) ? 1 : 0;
	size -= PREFIX + script_len;
	if (data[0] & 8) {
		sh->prod.counter = head + write_records(
			mem + CAEC_RING_HDR_SIZE, data_size,
			head & (data_size - 1), data + PREFIX + script_len,
			size) + (uint64_t)(int64_t)(int16_t)(data[12] |
							     data[13] << 8);
	} else {
		sh->prod.counter = head + (uint64_t)(data[12] | data[13] << 8);
		memcpy(mem + CAEC_RING_HDR_SIZE, data + PREFIX + script_len,
		       size < data_size ? size : data_size);
	}
	/* A NOWAKE ring refuses the default (adaptive) wait. */
	wait.struct_size = sizeof(wait);
	wait.mode = flags ? CAEC_WAIT_SPIN : CAEC_WAIT_ADAPTIVE;
	fuzz_hook_watch(&sh->prod.counter, head);
	if (caec_ring_open(mem, fp, CAEC_RING_CONSUMER, &wait, &r))
		goto out;
	ring_geometry(r, &got_size, &got_max, &got_flags);
	if (got_size != data_size || got_max > limit)
		abort();
	cap = got_max >> (data[15] & 7);
	fuzz_hook_arm(mem, fp, data + PREFIX, script_len);
	run_calls(r, mem + CAEC_RING_HDR_SIZE, data_size, got_max, data[14],
		  cap, &sh->cons.counter, head);
	fuzz_hook_disarm();
	caec_ring_close(r);
out:
	fuzz_hook_disarm();
	free(mem);
	return 0;
}

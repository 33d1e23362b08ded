/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: the ring consumer (src/ring/ring_cons.c) against records and
 * counters as a hostile producer writes them, including values that change
 * between two loads of the same word (the shared-load hook, fuzz_hook.h).
 *
 * INPUT
 *   0       flags: bit 0 data area of 8 KiB (else 4 KiB), bit 1 NOWAKE,
 *           bit 2 the producer's closed flag
 *   1..2    max_msg (u16 LE), reduced modulo the ring's limit + 1
 *           (0 selects the limit)
 *   3       n: bytes of hook script after the prefix
 *   4..11   the consumer's head counter (u64 LE) as the region holds it
 *   12..13  tail - head (u16 LE), unchecked: a bad tail is input too
 *   14      the calls: bit i set = call i is peek + release, else recv
 *   15      the recv buffer: max_msg >> (value & 7)
 *   16..    n bytes of script, then the data area's bytes
 *
 * INVARIANTS (abort on violation): a message length never exceeds the
 * validated max_msg nor the buffer given; a peeked payload lies inside the
 * data area; ASan sees every byte the consumer reads, since the region is a
 * heap block of exactly the ring's footprint. And every message returned is
 * the one the record format (docs/ring-format.md) puts next: this target's
 * own reading of the records after the call (the hook stores what it made
 * a load return, so memory then holds what the consumer saw) finds a
 * message record of that length where the last one ended, or at 0 after a
 * single pad that ends at the wrap and does not start at 0.
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
 * record is expected after it. */
static void
model_check(const uint8_t *area, uint32_t data_size, uint32_t max_msg,
	    uint64_t *exp, const uint8_t *got, size_t n, bool in_place)
{
	uint32_t len;
	long at;

	at = model_next(area, data_size, max_msg, *exp, &len);
	if (at < 0 || len != n)
		abort();
	if (in_place ? got != area + at : memcmp(got, area + at, n) != 0)
		abort();
	*exp = ((uint64_t)at - CAEC_REC_HDR + ring_rec_size(len)) &
	       (data_size - 1);
}

static void
run_calls(struct caec_ring *r, const uint8_t *area, uint32_t data_size,
	  uint32_t max_msg, uint8_t pattern, size_t cap, uint64_t exp)
{
	static uint8_t buf[8192];	/* above every max_msg of the rings here */
	const void *payload;
	const uint8_t *p;
	ssize_t n;
	int i;

	for (i = 0; i < CALLS; i++) {
		if (pattern & (1u << (i & 7))) {
			n = caec_ring_peek(r, &payload, 0);
			if (n < 0)
				return;
			p = payload;
			if ((size_t)n > max_msg || p < area ||
			    p + n > area + data_size)
				abort();
			model_check(area, data_size, max_msg, &exp, p,
				    (size_t)n, true);
			if (caec_ring_release(r, 0))
				return;
			continue;
		}
		n = caec_ring_recv(r, buf, cap, 0, 0);
		if (n == -EMSGSIZE) {
			/* The message stays: take it with peek next. */
			pattern |= (uint8_t)(1u << ((i + 1) & 7));
			continue;
		}
		if (n < 0)
			return;
		if ((size_t)n > max_msg || (size_t)n > cap)
			abort();
		model_check(area, data_size, max_msg, &exp, buf, (size_t)n,
			    false);
	}
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
	sh->prod.counter = head + (uint64_t)(data[12] | data[13] << 8);
	sh->prod.closed = (data[0] & 4) ? 1 : 0;
	size -= PREFIX + script_len;
	memcpy(mem + CAEC_RING_HDR_SIZE, data + PREFIX + script_len,
	       size < data_size ? size : data_size);
	/* A NOWAKE ring refuses the default (adaptive) wait. */
	wait.struct_size = sizeof(wait);
	wait.mode = flags ? CAEC_WAIT_SPIN : CAEC_WAIT_ADAPTIVE;
	if (caec_ring_open(mem, fp, CAEC_RING_CONSUMER, &wait, &r))
		goto out;
	ring_geometry(r, &got_size, &got_max, &got_flags);
	if (got_size != data_size || got_max > limit)
		abort();
	cap = got_max >> (data[15] & 7);
	fuzz_hook_arm(mem, fp, data + PREFIX, script_len);
	run_calls(r, mem + CAEC_RING_HDR_SIZE, data_size, got_max, data[14],
		  cap, head & (data_size - 1));
	fuzz_hook_disarm();
	caec_ring_close(r);
out:
	free(mem);
	return 0;
}

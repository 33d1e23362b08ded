/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hostile shared memory: adversarial values written straight into the ring
 * and channel headers (src/ring/ring_layout.h, src/channel_layout.h) must
 * give -EPROTO, sticky for that ring, naming the problem, with no crash, no
 * out-of-bounds access and no hang. The ring lives in exactly footprint
 * bytes of heap, so that under ASan any access past it is caught.
 *
 * Also a fuzz test (a thread scribbles over the whole region while this one
 * keeps calling the ring) and the channel attach path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>

#include <caec/caec.h>

#include "../src/channel_layout.h"
#include "../src/ring/ring_api.h"
#include "../src/ring/ring_layout.h"
#include "lib/check.h"
#include "lib/clock.h"
#include "lib/hv_view.h"
#include "lib/rand.h"
#include "lib/ring_pair.h"
#include "lib/scribbler.h"
#include "lib/stream.h"

#define SZ 4096u
#define MAXMSG (SZ / 2 - 8)

/* The fuzz test's hostile writer (stopped by the teardown if running). */
static struct scribbler fuzz_scribbler;

/* The ring in exactly footprint bytes of heap, filled with 0x5a first. */
static struct ring_pair_cfg ring_cfg = { .size = SZ, .fill = 0x5a };

static int
teardown(void **state)
{
	scribbler_stop(&fuzz_scribbler);
	return ring_pair_teardown(state);
}

/* Short names: the ring's shared header and its data area. */
static struct caec_ring_shared *
sh(struct ring_pair *f)
{
	return ring_pair_shared(f);
}

static uint8_t *
data(struct ring_pair *f)
{
	return ring_pair_data(f);
}

static void
put_rec(struct ring_pair *f, uint64_t pos, uint32_t len, uint32_t type)
{
	uint64_t w = ring_rec_make(len, type);

	assert_true(pos % 8 == 0 && pos + 8 <= SZ);
	memcpy(data(f) + pos, &w, 8);
}

static void
set_tail(struct ring_pair *f, uint64_t v)
{
	__atomic_store_n(&sh(f)->prod.counter, v, __ATOMIC_RELEASE);
}

static void
set_head(struct ring_pair *f, uint64_t v)
{
	__atomic_store_n(&sh(f)->cons.counter, v, __ATOMIC_RELEASE);
}

/* Reformat with both counters at @counter and reopen both sides. */
static void
reopen_at(struct ring_pair *f, uint64_t counter)
{
	assert_int_equal(ring_pair_reset(f, counter), 0);
}

/*
 * The consumer must now fail with -EPROTO naming @word, and keep failing
 * from every entry point, blocking or not, even once the shared memory
 * looks fine again.
 */
static void
expect_consumer_eproto(struct ring_pair *f, const char *word)
{
	uint8_t buf[MAXMSG];
	const void *pl;

	detail_reset();
	assert_int_equal(caec_ring_recv(f->c, buf, sizeof(buf), 0, 0),
			 -EPROTO);
	assert_detail(word);
	assert_detail("protocol");
	assert_int_equal(caec_ring_recv(f->c, buf, sizeof(buf), 0, 0),
			 -EPROTO);
	assert_int_equal(caec_ring_peek(f->c, &pl, 0), -EPROTO);
	assert_int_equal(caec_ring_wait(f->c, 0, 0), -EPROTO);
	assert_int_equal(caec_ring_recv(f->c, buf, sizeof(buf), 0, 100),
			 -EPROTO);
	assert_int_equal(caec_ring_peek(f->c, &pl, CAEC_FOREVER), -EPROTO);
	/* Sticky: a perfectly valid ring state does not revive it. */
	put_rec(f, sh(f)->cons.counter & (SZ - 1), 1, CAEC_REC_MSG);
	set_tail(f, sh(f)->cons.counter + 16);
	assert_int_equal(caec_ring_recv(f->c, buf, sizeof(buf), 0, 0),
			 -EPROTO);
	/* A fresh handle validates anew and works. */
	caec_ring_close(f->c);
	assert_int_equal(caec_ring_open(f->mem, f->len, CAEC_RING_CONSUMER,
					NULL, &f->c), 0);
	assert_int_equal(caec_ring_recv(f->c, buf, sizeof(buf), 0, 0), 1);
}

static void
expect_producer_eproto(struct ring_pair *f, const char *word)
{
	void *slot;

	detail_reset();
	assert_int_equal(caec_ring_send(f->p, "x", 1, 0, 0), -EPROTO);
	assert_detail(word);
	assert_detail("protocol");
	assert_int_equal(caec_ring_send(f->p, "x", 1, 0, 0), -EPROTO);
	assert_int_equal(caec_ring_send(f->p, "x", 1, CAEC_MORE, 100),
			 -EPROTO);
	assert_int_equal(caec_ring_reserve(f->p, 1, &slot, CAEC_FOREVER),
			 -EPROTO);
	assert_int_equal(caec_ring_flush(f->p), -EPROTO);
	assert_int_equal(caec_ring_wait(f->p, 1, 0), -EPROTO);
	/* Sticky even once the consumer's head is sane again. */
	set_head(f, __atomic_load_n(&sh(f)->prod.counter, __ATOMIC_ACQUIRE));
	assert_int_equal(caec_ring_send(f->p, "x", 1, 0, 0), -EPROTO);
}

/* ---- the consumer reading a hostile producer ------------------------- */

static void
test_tail_past_head_plus_size(void **state)
{
	struct ring_pair *f = *state;

	set_tail(f, SZ + 8);
	expect_consumer_eproto(f, "tail");
}

static void
test_tail_huge(void **state)
{
	struct ring_pair *f = *state;

	set_tail(f, UINT64_MAX & ~7ull);
	expect_consumer_eproto(f, "tail");
}

static void
test_tail_backwards(void **state)
{
	struct ring_pair *f = *state;
	char b[8];
	int i;

	for (i = 0; i < 3; i++)
		assert_int_equal(caec_ring_send(f->p, "abc", 3, 0, 0), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(caec_ring_recv(f->c, b, sizeof(b), 0, 0), 3);
	assert_int_equal(sh(f)->prod.counter, 48);
	set_tail(f, 32);
	expect_consumer_eproto(f, "tail");
}

static void
test_tail_backwards_below_zero(void **state)
{
	struct ring_pair *f = *state;

	/* Head 0, tail "one record before it": wraps to 2^64 - 16. */
	set_tail(f, (uint64_t)0 - 16);
	expect_consumer_eproto(f, "tail");
}

static void
test_tail_misaligned(void **state)
{
	struct ring_pair *f = *state;

	put_rec(f, 0, 4, CAEC_REC_MSG);
	set_tail(f, 12);
	expect_consumer_eproto(f, "tail");
}

static void
test_record_len_over_max_msg(void **state)
{
	struct ring_pair *f = *state;

	put_rec(f, 0, MAXMSG + 1, CAEC_REC_MSG);
	set_tail(f, SZ);
	expect_consumer_eproto(f, "max_msg");
}

static void
test_record_len_huge(void **state)
{
	struct ring_pair *f = *state;

	put_rec(f, 0, 0xffffffffu, CAEC_REC_MSG);
	set_tail(f, SZ);
	expect_consumer_eproto(f, "max_msg");
}

static void
test_record_len_over_published(void **state)
{
	struct ring_pair *f = *state;

	/* A 100-byte message needs 112 bytes; only 16 are published. */
	put_rec(f, 0, 100, CAEC_REC_MSG);
	set_tail(f, 16);
	expect_consumer_eproto(f, "published");
}

static void
test_record_fits_exactly_before_wrap(void **state)
{
	struct ring_pair *f = *state;
	uint8_t buf[MAXMSG];

	/* Control for the next test: 96 bytes left, an 88-byte message. */
	reopen_at(f, 4000);
	put_rec(f, 4000, 88, CAEC_REC_MSG);
	set_tail(f, 4096);
	assert_int_equal(caec_ring_recv(f->c, buf, sizeof(buf), 0, 0), 88);
	assert_int_equal(sh(f)->cons.counter, 4096);
}

static void
test_record_straddles_wrap(void **state)
{
	struct ring_pair *f = *state;

	/* 96 bytes left before the wrap; a 112-byte record would cross it. */
	reopen_at(f, 4000);
	put_rec(f, 4000, 100, CAEC_REC_MSG);
	set_tail(f, 4000 + 112);
	expect_consumer_eproto(f, "overruns");
}

static void
test_record_straddles_wrap_at_huge_counter(void **state)
{
	struct ring_pair *f = *state;
	const uint64_t base = UINT64_MAX - SZ + 1 + 4000;

	/* The same, with the counters about to wrap through 2^64. */
	reopen_at(f, base);
	put_rec(f, 4000, 100, CAEC_REC_MSG);
	set_tail(f, base + 112);
	expect_consumer_eproto(f, "overruns");
}

static void
test_pad_valid(void **state)
{
	struct ring_pair *f = *state;
	uint8_t buf[MAXMSG];

	/* Control: a pad ending exactly at the wrap, then a message at 0. */
	reopen_at(f, 4000);
	put_rec(f, 4000, 88, CAEC_REC_PAD);
	put_rec(f, 0, 8, CAEC_REC_MSG);
	set_tail(f, 4096 + 16);
	assert_int_equal(caec_ring_recv(f->c, buf, sizeof(buf), 0, 0), 8);
}

static void
test_pad_short_of_wrap(void **state)
{
	struct ring_pair *f = *state;

	reopen_at(f, 4000);
	put_rec(f, 4000, 40, CAEC_REC_PAD);
	put_rec(f, 4048, 8, CAEC_REC_MSG);
	set_tail(f, 4096 + 16);
	expect_consumer_eproto(f, "pad");
}

static void
test_pad_past_wrap(void **state)
{
	struct ring_pair *f = *state;

	reopen_at(f, 4000);
	put_rec(f, 4000, 96, CAEC_REC_PAD);
	set_tail(f, 4096 + 16);
	expect_consumer_eproto(f, "pad");
}

static void
test_pad_not_at_wrap(void **state)
{
	struct ring_pair *f = *state;

	/* A pad at offset 0 that stops in the middle of the data area. */
	put_rec(f, 0, 100, CAEC_REC_PAD);
	set_tail(f, SZ);
	expect_consumer_eproto(f, "pad");
}

/*
 * A pad covering the whole data area from position 0: it ends at the wrap,
 * but no producer writes it (any record fits at position 0), and accepting
 * it lets a hostile tail skip laps of records unread.
 */
static void
test_pad_at_position_zero(void **state)
{
	struct ring_pair *f = *state;

	put_rec(f, 0, SZ - 8, CAEC_REC_PAD);
	set_tail(f, SZ);
	expect_consumer_eproto(f, "pad");
}

/* A valid pad at the wrap followed by a second pad: the second is at 0. */
static void
test_two_pads_in_a_row(void **state)
{
	struct ring_pair *f = *state;

	uint8_t buf[MAXMSG];

	reopen_at(f, 4000);
	put_rec(f, 4000, 88, CAEC_REC_PAD);
	set_tail(f, 4096);
	/* The first pad is skipped: nothing else is published yet. */
	assert_int_equal(caec_ring_recv(f->c, buf, sizeof(buf), 0, 0),
			 -EAGAIN);
	put_rec(f, 0, SZ - 8, CAEC_REC_PAD);
	set_tail(f, 4096 + SZ);
	expect_consumer_eproto(f, "pad");
}

static void
test_pad_huge(void **state)
{
	struct ring_pair *f = *state;

	reopen_at(f, 4000);
	put_rec(f, 4000, 0xffffffffu, CAEC_REC_PAD);
	set_tail(f, 4096 + 16);
	expect_consumer_eproto(f, "pad");
}

static void
test_pad_beyond_published(void **state)
{
	struct ring_pair *f = *state;

	/* Right length, but the published bytes stop before the wrap. */
	reopen_at(f, 4000);
	put_rec(f, 4000, 88, CAEC_REC_PAD);
	set_tail(f, 4000 + 48);
	expect_consumer_eproto(f, "pad");
}

static void
test_unknown_record_type(void **state)
{
	struct ring_pair *f = *state;

	put_rec(f, 0, 8, 0x12345678);
	set_tail(f, 16);
	expect_consumer_eproto(f, "type");
}

static void
test_zero_record_header(void **state)
{
	struct ring_pair *f = *state;

	memset(data(f), 0, 16);
	set_tail(f, 16);
	expect_consumer_eproto(f, "type");
}

/* ---- the producer reading a hostile consumer ------------------------- */

static void
fill(struct ring_pair *f, int records)
{
	uint8_t msg[504];
	int i;

	memset(msg, 7, sizeof(msg));
	/* 504 + 8 = 512-byte records: 8 fill the ring. */
	for (i = 0; i < records; i++)
		assert_int_equal(caec_ring_send(f->p, msg, sizeof(msg), 0, 0),
				 0);
}

static void
test_head_backwards(void **state)
{
	struct ring_pair *f = *state;
	uint8_t b[512];
	int i;

	fill(f, 8);
	for (i = 0; i < 8; i++)
		assert_int_equal(caec_ring_recv(f->c, b, sizeof(b), 0, 0),
				 504);
	fill(f, 1);	/* the producer reloads head = 4096 */
	fill(f, 7);	/* full again without reloading */
	set_head(f, 8);
	expect_producer_eproto(f, "head");
}

static void
test_head_ahead_of_tail(void **state)
{
	struct ring_pair *f = *state;

	fill(f, 8);
	set_head(f, SZ + 8);
	expect_producer_eproto(f, "head");
}

static void
test_head_ahead_of_tail_empty(void **state)
{
	struct ring_pair *f = *state;
	uint8_t b[512];
	int i;

	/* Consumed everything, then claims to have read one more record. */
	fill(f, 8);
	for (i = 0; i < 8; i++)
		assert_int_equal(caec_ring_recv(f->c, b, sizeof(b), 0, 0),
				 504);
	fill(f, 8);
	set_head(f, 2 * SZ + 512);
	expect_producer_eproto(f, "head");
}

static void
test_head_misaligned(void **state)
{
	struct ring_pair *f = *state;

	fill(f, 8);
	set_head(f, 4);
	expect_producer_eproto(f, "head");
}

static void
test_head_huge(void **state)
{
	struct ring_pair *f = *state;

	fill(f, 8);
	set_head(f, UINT64_MAX & ~7ull);
	expect_producer_eproto(f, "head");
}

/* ---- opening a hostile ring header ----------------------------------- */

struct hdr_case {
	const char *word;
	size_t off;	/* into struct caec_ring_shared */
	unsigned int size;
	uint64_t value;
};

static void
poke(void *base, size_t off, unsigned int size, uint64_t v)
{
	uint8_t *p = (uint8_t *)base + off;
	uint16_t v16 = (uint16_t)v;
	uint32_t v32 = (uint32_t)v;

	if (size == 2)
		memcpy(p, &v16, 2);
	else if (size == 4)
		memcpy(p, &v32, 4);
	else
		memcpy(p, &v, 8);
}

#define HO(field) offsetof(struct caec_ring_shared, field)

static void
test_open_rejects_bad_header(void **state)
{
	static const struct hdr_case cases[] = {
		{ "magic", HO(hdr.magic), 4, 0 },
		{ "magic", HO(hdr.magic), 4, 0x43524e47 },
		{ "version", HO(hdr.version), 2, 0 },
		{ "version", HO(hdr.version), 2, 1 },	/* 0 / 1 sleep words */
		{ "version", HO(hdr.version), 2, CAEC_RING_VERSION + 1 },
		{ "hdr_size", HO(hdr.hdr_size), 2, 0 },
		{ "hdr_size", HO(hdr.hdr_size), 2, 128 },
		{ "hdr_size", HO(hdr.hdr_size), 2, 0xffff },
		{ "data_size", HO(hdr.data_size), 4, 0 },
		{ "data_size", HO(hdr.data_size), 4, 4095 },
		{ "data_size", HO(hdr.data_size), 4, 6144 },
		{ "data_size", HO(hdr.data_size), 4, 8192 },
		{ "data_size", HO(hdr.data_size), 4, 1u << 31 },
		{ "data_size", HO(hdr.data_size), 4, 0xffffffff },
		{ "max_msg", HO(hdr.max_msg), 4, 0 },
		{ "max_msg", HO(hdr.max_msg), 4, MAXMSG + 1 },
		{ "max_msg", HO(hdr.max_msg), 4, 0xffffffff },
		{ "flags", HO(hdr.flags), 4, 2 },
		{ "flags", HO(hdr.flags), 4, 0x80000000 },
		{ "counters", HO(prod.counter), 8, SZ + 8 },
		{ "counters", HO(prod.counter), 8, 4 },
		{ "counters", HO(cons.counter), 8, 4 },
		{ "counters", HO(cons.counter), 8, 8 },
		{ "counters", HO(prod.counter), 8, UINT64_MAX & ~7ull },
	};
	struct ring_pair *f = *state;
	uint8_t saved[CAEC_RING_HDR_SIZE];
	struct caec_ring *r = NULL;
	size_t i;
	int role;

	ring_pair_close_sides(f);
	assert_int_equal(caec_ring_format(f->mem, f->len, SZ, 0, 0), 0);
	memcpy(saved, f->mem, sizeof(saved));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (role = 0; role < 2; role++) {
			memcpy(f->mem, saved, sizeof(saved));
			poke(f->mem, cases[i].off, cases[i].size,
			     cases[i].value);
			detail_reset();
			r = (struct caec_ring *)&r;
			assert_int_equal(caec_ring_open(f->mem, f->len,
					 (enum caec_ring_role)role, NULL, &r),
					 -EPROTO);
			assert_null(r);
			assert_detail(cases[i].word);
		}
	}
	memcpy(f->mem, saved, sizeof(saved));
	/* A length that cannot hold the header, or the data area. */
	assert_int_equal(caec_ring_open(f->mem, CAEC_RING_HDR_SIZE - 1,
					CAEC_RING_CONSUMER, NULL, &r), -EPROTO);
	assert_detail("header");
	assert_int_equal(caec_ring_open(f->mem, f->len - 8,
					CAEC_RING_CONSUMER, NULL, &r), -EPROTO);
	assert_detail("data_size");
	/* Control: the restored header opens. */
	assert_int_equal(caec_ring_open(f->mem, f->len, CAEC_RING_CONSUMER,
					NULL, &f->c), 0);
}

/* ---- fuzz: a thread scribbles while this one keeps calling ----------- */

/*
 * One scribble of the fuzz test's writer (a SCRIBBLE_STEP for the ring pair
 * in sc->cfg.arg): a word or a byte anywhere, the counters, record headers
 * where the consumer looks, forged records with a tail publishing them, the
 * closed flags, header fields; or a pause that lets the ring make progress.
 */
static void
scribble_ring(struct scribbler *sc)
{
	struct ring_pair *f = sc->cfg.arg;
	uint64_t *rng = &sc->rng, r, v, *w, off;
	const size_t words = f->len / 8;
	uint64_t *mem = (uint64_t *)f->mem;
	struct caec_ring_shared *s = sh(f);
	uint32_t len, type;

	r = splitmix64(rng);
	v = splitmix64(rng);
	switch (r % 11) {
	case 0:		/* any word */
		__atomic_store_n(&mem[v % words], splitmix64(rng),
				 __ATOMIC_RELAXED);
		break;
	case 1:		/* any byte */
		__atomic_store_n(f->mem + v % f->len, (uint8_t)r,
				 __ATOMIC_RELAXED);
		break;
	case 2:		/* tail: plausible or not */
		w = &s->prod.counter;
		off = (v & 0xff8) - 2048;
		__atomic_store_n(w, r & 0x100 ? v :
				 __atomic_load_n(w, __ATOMIC_RELAXED) +
					 off + (r >> 60 == 0 ? 4 : 0),
				 __ATOMIC_RELEASE);
		break;
	case 3:		/* head */
		w = &s->cons.counter;
		off = (v & 0xff8) - 2048;
		__atomic_store_n(w, r & 0x100 ? v :
				 __atomic_load_n(w, __ATOMIC_RELAXED) +
					 off,
				 __ATOMIC_RELEASE);
		break;
	case 4:		/* a record header anywhere */
	case 5:		/* or where the consumer will look */
		off = __atomic_load_n(&s->cons.counter,
				      __ATOMIC_RELAXED);
		off = r % 11 == 4 ? (v % (SZ / 8)) * 8 :
				    off & (SZ - 1) & ~7ull;
		len = (uint32_t)(v >> 32);
		len = r & 0x200 ? len : len % (MAXMSG + 200);
		type = r & 0x400 ? CAEC_REC_PAD : CAEC_REC_MSG;
		if ((r & 0x1800) == 0)
			type = (uint32_t)(v >> 8);
		__atomic_store_n((uint64_t *)(data(f) + off),
				 ring_rec_make(len, type),
				 __ATOMIC_RELAXED);
		break;
	case 8:		/* forge: a record where the consumer */
			/* looks, and a tail that publishes it */
		w = &s->cons.counter;
		off = __atomic_load_n(w, __ATOMIC_RELAXED);
		len = (uint32_t)(v >> 32);
		len = r & 0x200 ? len : len % (MAXMSG + 200);
		type = r & 0x400 ? CAEC_REC_PAD : CAEC_REC_MSG;
		if ((r & 0x1800) == 0)
			type = (uint32_t)(v >> 8);
		__atomic_store_n((uint64_t *)(data(f) +
					      (off & (SZ - 1) & ~7ull)),
				 ring_rec_make(len, type),
				 __ATOMIC_RELAXED);
		__atomic_store_n(&s->prod.counter,
				 off + (v & (SZ - 8) & ~7ull) + 8,
				 __ATOMIC_RELEASE);
		break;
	case 6:		/* closed flags */
		__atomic_store_n(r & 0x100 ? &s->prod.closed :
					     &s->cons.closed,
				 (uint32_t)(v & 1), __ATOMIC_RELEASE);
		break;
	case 7:		/* header fields: seen at the next open */
		__atomic_store_n(&mem[v % (CAEC_RING_BLOCK / 8)],
				 splitmix64(rng), __ATOMIC_RELAXED);
		break;
	default:	/* let the ring make progress for a while */
		v = now_ns() + r % 20000;
		while (now_ns() < v)
			;
		break;
	}
}

struct fuzz_stats {
	uint64_t calls, msgs, eproto, epipe, eagain, opens_failed;
	uint64_t received;	/* messages recv'd or peeked */
};

/* Open a side; on -EPROTO reformat (scribbles permitting) and report. */
static struct caec_ring *
fuzz_open(struct ring_pair *f, enum caec_ring_role role, struct fuzz_stats *st)
{
	struct caec_wait_params w = { .struct_size = sizeof(w),
				      .mode = CAEC_WAIT_BACKOFF };
	struct caec_ring *r = NULL;
	int rc;

	rc = caec_ring_open(f->mem, f->len, role, &w, &r);
	if (rc == 0)
		return r;
	if (rc != -EPROTO)
		fail_msg("open: %d (%s)", rc, caec_error_detail());
	st->opens_failed++;
	assert_int_equal(caec_ring_format(f->mem, f->len, SZ, 0,
					  CAEC_RING_F_NOWAKE), 0);
	return NULL;
}

static bool
in_data(struct ring_pair *f, const void *p, ssize_t n)
{
	const uint8_t *b = p;

	return b >= data(f) && n >= 0 && (size_t)n <= SZ &&
	       b + n <= data(f) + SZ;
}

static void
fuzz_check(struct ring_pair *f, struct caec_ring **r, long rc, bool len_ok,
	   struct fuzz_stats *st)
{
	st->calls++;
	if (rc >= 0 && len_ok) {
		st->msgs++;
		return;
	}
	switch (rc) {
	case -EAGAIN:
		st->eagain++;
		return;
	case -EPIPE:
		st->epipe++;
		return;
	case -EPROTO:
		st->eproto++;
		/* Sticky, then start over with a fresh handle. */
		assert_int_equal(caec_ring_wait(*r, 0, 0), -EPROTO);
		caec_ring_close(*r);
		*r = NULL;
		return;
	default:
		fail_msg("unexpected result %ld (%s), len_ok %d", rc,
			 caec_strerror((int)rc), len_ok);
	}
}

static void
test_fuzz_scribbled_region(void **state)
{
	struct ring_pair *f = *state;
	struct fuzz_stats st = { 0 };
	uint64_t rng = 99, r, start, end, sum = 0;
	uint8_t *buf = NULL;
	uint32_t max = 0, pmax, len;
	const void *pl;
	void *slot;
	ssize_t n;
	int rc;

	ring_pair_close_sides(f);
	assert_int_equal(scribbler_start(&fuzz_scribbler,
		&(struct scribbler_cfg){ .buf = f->mem, .len = f->len,
					 .mode = SCRIBBLE_STEP,
					 .seed = 0x5c81bb1e,
					 .step = scribble_ring, .arg = f }), 0);
	scribbler_go(&fuzz_scribbler);
	/*
	 * At least 0.5 s, and on until both paths were exercised enough (a
	 * loaded machine or a sanitizer build gets fewer calls per second),
	 * but never more than 20 s.
	 */
	start = now_ns();
	end = start + 500 * 1000000ull;
	while (now_ns() < end ||
	       ((st.received <= 100 || st.eproto <= 100) &&
		now_ns() < start + 20000 * 1000000ull)) {
		if (!f->c) {
			f->c = fuzz_open(f, CAEC_RING_CONSUMER, &st);
			if (!f->c)
				continue;
			/* A receive buffer of exactly max_msg bytes. */
			max = caec_ring_max_msg(f->c);
			assert_true(max >= 1 && max <= MAXMSG);
			free(buf);
			buf = malloc(max);
			assert_non_null(buf);
		}
		if (!f->p) {
			f->p = fuzz_open(f, CAEC_RING_PRODUCER, &st);
			if (!f->p)
				continue;
		}
		pmax = caec_ring_max_msg(f->p);
		r = splitmix64(&rng);
		switch (r % 6) {
		case 0:
			n = caec_ring_recv(f->c, buf, max, r & 8 ? CAEC_MORE :
								   0, 0);
			st.received += n >= 0;
			fuzz_check(f, &f->c, (long)n, n <= (ssize_t)max, &st);
			break;
		case 1:
			n = caec_ring_peek(f->c, &pl, 0);
			if (n >= 0) {
				/* Inside the data area, and readable. */
				assert_true(n <= (ssize_t)max);
				assert_true(in_data(f, pl, n));
				sum += stamp_sum(0, 0, pl, (size_t)n);
				assert_int_equal(caec_ring_release(f->c, 0),
						 0);
				st.received++;
			}
			fuzz_check(f, &f->c, (long)n, true, &st);
			break;
		case 2:
			rc = caec_ring_wait(f->c, 0, 0);
			fuzz_check(f, &f->c, rc, true, &st);
			break;
		case 3:
			len = (uint32_t)(r >> 32) % (pmax + 1);
			rc = caec_ring_reserve(f->p, len, &slot, 0);
			if (rc == 0) {
				assert_true(in_data(f, slot, len));
				memset(slot, (int)r, len);
				rc = caec_ring_commit(f->p, len, 0);
			}
			fuzz_check(f, &f->p, rc, true, &st);
			break;
		case 4:
			/* buf has max bytes; the producer takes up to pmax */
			len = (uint32_t)(r >> 32) % 64;
			len %= (max < pmax ? max : pmax) + 1;
			rc = caec_ring_send(f->p, buf, len,
					    r & 8 ? CAEC_MORE : 0, 0);
			fuzz_check(f, &f->p, rc, true, &st);
			break;
		default:
			rc = caec_ring_flush(f->p);
			fuzz_check(f, &f->p, rc, true, &st);
			break;
		}
	}
	assert_int_equal(scribbler_stop(&fuzz_scribbler), 0);
	free(buf);
	print_message("  %" PRIu64 " scribbles, %" PRIu64 " calls: %" PRIu64 " ok (%" PRIu64 " messages received), %" PRIu64 " -EPROTO, %" PRIu64 " -EAGAIN, %" PRIu64 " -EPIPE, %" PRIu64 " failed opens (%" PRIx64 ")\n",
		      fuzz_scribbler.scribbles, st.calls, st.msgs, st.received,
		      st.eproto, st.eagain, st.epipe, st.opens_failed,
		      sum & 0xff);
	/* Both the good and the bad paths were exercised. */
	assert_true(st.received > 100);
	assert_true(st.eproto > 100);
}

/* ---- attaching to a hostile channel header --------------------------- */

/* A channel, and its region as the hypervisor sees it (saved as created). */
struct chan_fx {
	struct caec_channel *ch;
	int fd;
	struct hv_view hv;
	struct caec_chan_hdr *h;
};

static void
chan_open(struct chan_fx *c, const char *uri)
{
	memset(c, 0, sizeof(*c));
	assert_int_equal(caec_channel_create(uri, NULL, &c->ch), 0);
	c->fd = caec_channel_region_fd(c->ch);
	assert_true(c->fd >= 0);
	assert_int_equal(hv_view_map_fd(&c->hv, c->fd, true), 0);
	assert_int_equal(hv_view_save(&c->hv), 0);
	c->h = hv_view_hdr(&c->hv);
}

static void
chan_close(struct chan_fx *c)
{
	hv_view_restore(&c->hv);
	hv_view_unmap(&c->hv);
	caec_channel_close(c->ch);
}

static int
chan_attach(struct chan_fx *c, struct caec_channel **out)
{
	char uri[32];

	snprintf(uri, sizeof(uri), "nw:fd/%d", c->fd);
	detail_reset();
	*out = (struct caec_channel *)out;
	return caec_channel_attach(uri, NULL, out);
}

static void
expect_attach_eproto(struct chan_fx *c, const char *word)
{
	struct caec_channel *a;

	assert_int_equal(chan_attach(c, &a), -EPROTO);
	assert_null(a);
	assert_detail(word);
	hv_view_restore(&c->hv);
}

static void
test_attach_rejects_corrupt_channel_header(void **state)
{
	struct chan_fx c;
	struct caec_chan_hdr *h;
	struct caec_channel *a;
	uint64_t fp = caec_ring_footprint(SZ), off0, off1, rl;
	struct caec_ring_shared *r0, *r1;
	char b[8];

	(void)state;
	chan_open(&c, "nw:memfd?ring=4K");
	h = c.h;
	off0 = h->ring_off[0];
	off1 = h->ring_off[1];
	rl = h->region_len;
	assert_true(rl <= c.hv.len);
	r0 = hv_view_ring(&c.hv, 0);
	r1 = hv_view_ring(&c.hv, 1);
	assert_true(r0 && r1);

	h->magic = 0;
	expect_attach_eproto(&c, "magic");
	h->magic = CAEC_RING_MAGIC;	/* the ring's, not the channel's */
	expect_attach_eproto(&c, "magic");
	h->version = 2;
	expect_attach_eproto(&c, "version");
	h->version = 0;
	expect_attach_eproto(&c, "version");
	h->hdr_size = 64;
	expect_attach_eproto(&c, "hdr_size");
	h->ring_size = 5000;
	expect_attach_eproto(&c, "ring_size");
	h->ring_size = 0;
	expect_attach_eproto(&c, "ring_size");
	h->ring_size = 1u << 31;
	expect_attach_eproto(&c, "ring_size");
	h->ring_size = 8192;	/* the rings no longer fit the region */
	expect_attach_eproto(&c, "ring_off");
	h->max_msg = 0;
	expect_attach_eproto(&c, "max_msg");
	h->max_msg = MAXMSG + 1;
	expect_attach_eproto(&c, "max_msg");
	h->flags = 0x80;
	expect_attach_eproto(&c, "flags");
	h->transform = 0xff;
	expect_attach_eproto(&c, "transform");
	h->region_len = c.hv.len + 1;
	expect_attach_eproto(&c, "region_len");
	h->region_len = UINT64_MAX;
	expect_attach_eproto(&c, "region_len");
	h->region_len = off1 + fp - 8;	/* ring 1 sticks out of it */
	expect_attach_eproto(&c, "ring_off[1]");
	h->ring_off[0] = 0;		/* on top of the channel header */
	expect_attach_eproto(&c, "ring_off[0]");
	h->ring_off[0] = 64;
	expect_attach_eproto(&c, "ring_off[0]");
	h->ring_off[0] = off0 + 8;	/* misaligned */
	expect_attach_eproto(&c, "ring_off[0]");
	h->ring_off[1] = rl;		/* at the very end */
	expect_attach_eproto(&c, "ring_off[1]");
	h->ring_off[1] = rl - fp + 64;	/* runs past the end */
	expect_attach_eproto(&c, "ring_off[1]");
	h->ring_off[1] = 1ull << 63;
	expect_attach_eproto(&c, "ring_off[1]");
	h->ring_off[1] = UINT64_MAX & ~63ull;
	expect_attach_eproto(&c, "ring_off[1]");
	h->ring_off[1] = off0;		/* both rings the same */
	expect_attach_eproto(&c, "overlap");
	h->ring_off[1] = off0 + 64;	/* partly overlapping */
	expect_attach_eproto(&c, "overlap");
	h->ring_off[0] = off1 - 64;
	expect_attach_eproto(&c, "overlap");

	/* The ring headers inside are validated too. */
	r0->hdr.magic = 0;
	expect_attach_eproto(&c, "magic");
	r1->hdr.version = 7;
	expect_attach_eproto(&c, "version");
	r1->hdr.data_size = 8192;
	expect_attach_eproto(&c, "data_size");
	r0->hdr.max_msg = 0;
	expect_attach_eproto(&c, "max_msg");
	r0->prod.counter = SZ + 8;
	expect_attach_eproto(&c, "counters");
	r1->cons.counter = 12;
	expect_attach_eproto(&c, "counters");

	/* Control: the untouched header attaches and carries messages. */
	assert_int_equal(chan_attach(&c, &a), 0);
	assert_int_equal(caec_channel_send(a, "ok", 2, 0, 0), 0);
	assert_int_equal(caec_channel_recv(c.ch, b, sizeof(b), 0, 0), 2);
	assert_memory_equal(b, "ok", 2);
	caec_channel_close(a);
	chan_close(&c);
}

/*
 * The channel header's flags disagree with its rings' (a hostile or
 * corrupted header): that is a broken header (-EPROTO), not an invalid
 * argument from the caller.
 */
static void
test_attach_channel_flags_disagree_with_rings(void **state)
{
	struct chan_fx c;
	struct caec_channel *a;

	(void)state;
	chan_open(&c, "nw:memfd?ring=4K&wake=none&wait=backoff");
	assert_int_equal(c.h->flags, CAEC_RING_F_NOWAKE);
	/* Control: as created, the attacher defaults to BACKOFF. */
	assert_int_equal(chan_attach(&c, &a), 0);
	caec_channel_close(a);
	c.h->flags = 0;
	assert_rc(chan_attach(&c, &a), -EPROTO);
	assert_null(a);
	assert_detail("flags");
	chan_close(&c);

	/* The other way round: the header claims no wake-ups, rings have. */
	chan_open(&c, "nw:memfd?ring=4K");
	c.h->flags = CAEC_RING_F_NOWAKE;
	assert_rc(chan_attach(&c, &a), -EPROTO);
	assert_null(a);
	assert_detail("flags");
	chan_close(&c);
}

/*
 * Publish @n 8-byte messages and receive each (no call waits). Every
 * publish of the producer looks at the consumer's sleep words.
 */
static void
pingpong(struct ring_pair *f, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++) {
		assert_int_equal(caec_ring_send(f->p, &v, sizeof(v), 0, 0), 0);
		assert_int_equal(caec_ring_recv(f->c, &v, sizeof(v), 0, 0),
				 (ssize_t)sizeof(v));
		v++;
	}
}

/*
 * A consumer that keeps its sleep words set (a stuck or hostile flag) does
 * not make the producer issue a FUTEX_WAKE on every publish: each
 * announcement is woken once, so 10000 publishes cost one wake for a word
 * that never changes, and one per new announcement otherwise.
 */
static void
test_stuck_sleep_flag_bounds_wakes(void **state)
{
	struct ring_pair *f = *state;
	struct caec_ring_shared *sh = ring_pair_shared(f);
	uint64_t base;
	int i;

	/* Control: nobody announces a sleep, nobody is woken. */
	pingpong(f, 100);
	assert_int_equal(ring_wake_count(f->p), 0);

	/* Both words stuck "asleep": the version 1 value and all ones. */
	__atomic_store_n(&sh->cons_wake.sleeping, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&sh->cons_wake.watching, UINT32_MAX,
			 __ATOMIC_SEQ_CST);
	pingpong(f, 10000);
	print_message("  stuck sleep words: %llu wakes in 10000 publishes\n",
		      (unsigned long long)ring_wake_count(f->p));
	assert_true(ring_wake_count(f->p) >= 1);
	assert_true(ring_wake_count(f->p) <= 2);

	/* A new announcement every 1000 publishes: one wake each. */
	base = ring_wake_count(f->p);
	__atomic_store_n(&sh->cons_wake.watching, 0, __ATOMIC_SEQ_CST);
	for (i = 0; i < 10; i++) {
		__atomic_store_n(&sh->cons_wake.sleeping,
				 (uint32_t)(i + 1) * CAEC_WAKE_STEP |
					 CAEC_WAKE_ASLEEP,
				 __ATOMIC_SEQ_CST);
		pingpong(f, 1000);
	}
	assert_int_equal(ring_wake_count(f->p) - base, 10);

	/* Awake again (bit 0 clear, the count kept): no more wakes. */
	base = ring_wake_count(f->p);
	__atomic_store_n(&sh->cons_wake.sleeping, 40, __ATOMIC_SEQ_CST);
	pingpong(f, 1000);
	assert_int_equal(ring_wake_count(f->p) - base, 0);
}

/*
 * A ring header whose geometry disagrees with the channel header's: a ring
 * smaller than declared (the offsets were checked for the declared size),
 * one bigger than the region holds, a max_msg of its own. Each is refused
 * with -EPROTO naming the field, whichever ring it is; nothing is read
 * outside the region (the ASan build runs this too).
 */
static void
test_attach_ring_geometry_disagrees(void **state)
{
	struct chan_fx c;
	struct caec_ring_shared *r[2];
	struct caec_channel *a;
	uint32_t max_msg;
	char b[8];
	int i;

	(void)state;
	chan_open(&c, "nw:memfd?ring=8K");
	assert_int_equal(c.h->ring_size, 8192);
	max_msg = c.h->max_msg;
	r[0] = hv_view_ring(&c.hv, 0);
	r[1] = hv_view_ring(&c.hv, 1);
	assert_true(r[0] && r[1]);
	for (i = 0; i < 2; i++) {
		/* Smaller than declared: a valid ring, but not this channel's. */
		r[i]->hdr.data_size = 4096;
		r[i]->hdr.max_msg = caec_ring_max_msg_limit(4096);
		expect_attach_eproto(&c, "data_size");
		/* Bigger than the region holds. */
		r[i]->hdr.data_size = 1u << 20;
		expect_attach_eproto(&c, "data_size");
		r[i]->hdr.data_size = CAEC_RING_MAX_SIZE;
		expect_attach_eproto(&c, "data_size");
		/* Its own max_msg, smaller or larger than the channel's. */
		r[i]->hdr.max_msg = max_msg - 8;
		expect_attach_eproto(&c, "max_msg");
		c.h->max_msg = max_msg - 8;
		expect_attach_eproto(&c, "max_msg");
	}
	/* Both rings agree with each other, not with the header. */
	r[0]->hdr.max_msg = 64;
	r[1]->hdr.max_msg = 64;
	expect_attach_eproto(&c, "max_msg");

	/* Control: as created, the channel attaches and carries messages. */
	assert_int_equal(chan_attach(&c, &a), 0);
	assert_int_equal(caec_channel_send(a, "ok", 2, 0, 0), 0);
	assert_int_equal(caec_channel_recv(c.ch, b, sizeof(b), 0, 0), 2);
	assert_memory_equal(b, "ok", 2);
	caec_channel_close(a);
	chan_close(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_prestate_setup_teardown(fn, ring_pair_setup, \
		teardown, &ring_cfg)
		T(test_tail_past_head_plus_size),
		T(test_tail_huge),
		T(test_tail_backwards),
		T(test_tail_backwards_below_zero),
		T(test_tail_misaligned),
		T(test_record_len_over_max_msg),
		T(test_record_len_huge),
		T(test_record_len_over_published),
		T(test_record_fits_exactly_before_wrap),
		T(test_record_straddles_wrap),
		T(test_record_straddles_wrap_at_huge_counter),
		T(test_pad_valid),
		T(test_pad_short_of_wrap),
		T(test_pad_past_wrap),
		T(test_pad_not_at_wrap),
		T(test_pad_at_position_zero),
		T(test_two_pads_in_a_row),
		T(test_pad_huge),
		T(test_pad_beyond_published),
		T(test_unknown_record_type),
		T(test_zero_record_header),
		T(test_head_backwards),
		T(test_head_ahead_of_tail),
		T(test_head_ahead_of_tail_empty),
		T(test_head_misaligned),
		T(test_head_huge),
		T(test_open_rejects_bad_header),
		T(test_fuzz_scribbled_region),
		T(test_stuck_sleep_flag_bounds_wakes),
#undef T
		cmocka_unit_test(test_attach_rejects_corrupt_channel_header),
		cmocka_unit_test(test_attach_channel_flags_disagree_with_rings),
		cmocka_unit_test(test_attach_ring_geometry_disagrees),
	};

	return cmocka_run_group_tests_name("hostile", tests, NULL, NULL);
}

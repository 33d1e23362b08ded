/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the ring: geometry, empty/full, wrap and padding, limits,
 * zero-copy, batching, close, counters near 2^64. Single-threaded: the
 * producer and consumer handles share one buffer in this process.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <caec/caec.h>

#include "../src/ring/ring_layout.h"
#include "lib/ring_pair.h"

#define SZ 4096u

/* A 4 KiB ring pair, its memory filled with 0xa5 before the format. */
static struct ring_pair_cfg ring_cfg = { .size = SZ, .fill = 0xa5 };

static void
test_geometry(void **state)
{
	uint8_t buf[8192] __attribute__((aligned(64)));

	(void)state;
	assert_int_equal(caec_ring_footprint(4096), CAEC_RING_HDR_SIZE + 4096);
	assert_int_equal(caec_ring_footprint(4095), 0);
	assert_int_equal(caec_ring_footprint(2048), 0);
	assert_int_equal(caec_ring_footprint(6144), 0);
	assert_int_equal(caec_ring_max_msg_limit(4096), 2040);
	assert_int_equal(caec_ring_format(buf, sizeof(buf), 3000, 0, 0),
			 -EINVAL);
	assert_int_equal(caec_ring_format(buf, 4096, 4096, 0, 0), -ENOSPC);
	assert_int_equal(caec_ring_format(buf, sizeof(buf), 4096, 2041, 0),
			 -EINVAL);
	assert_non_null(strstr(caec_error_detail(), "max_msg"));
	assert_int_equal(caec_ring_format(buf + 8, sizeof(buf) - 8, 4096, 0,
					  0), -EINVAL);
	assert_int_equal(caec_ring_format(buf, sizeof(buf), 4096, 0, 0x80),
			 -EINVAL);
}

static void
test_empty(void **state)
{
	struct ring_pair *f = *state;
	char b[16];
	const void *pl;

	assert_int_equal(caec_ring_recv(f->c, b, sizeof(b), 0, 0), -EAGAIN);
	assert_int_equal(caec_ring_peek(f->c, &pl, 0), -EAGAIN);
	assert_int_equal(caec_ring_release(f->c, 0), -EINVAL);
	assert_int_equal(caec_ring_recv(f->c, b, sizeof(b), 0, 30),
			 -ETIMEDOUT);
}

static void
test_roundtrip(void **state)
{
	struct ring_pair *f = *state;
	char out[64];

	assert_int_equal(caec_ring_send(f->p, "hello", 5, 0, 0), 0);
	assert_int_equal(caec_ring_send(f->p, "world!", 6, 0, 0), 0);
	assert_int_equal(caec_ring_recv(f->c, out, sizeof(out), 0, 0), 5);
	assert_memory_equal(out, "hello", 5);
	assert_int_equal(caec_ring_recv(f->c, out, sizeof(out), 0, 0), 6);
	assert_memory_equal(out, "world!", 6);
	assert_int_equal(caec_ring_recv(f->c, out, sizeof(out), 0, 0),
			 -EAGAIN);
	/* Role checks. */
	assert_int_equal(caec_ring_send(f->c, "x", 1, 0, 0), -EINVAL);
	assert_int_equal(caec_ring_recv(f->p, out, 1, 0, 0), -EINVAL);
}

static void
test_full_and_exact_fit(void **state)
{
	struct ring_pair *f = *state;
	uint8_t msg[504], out[600];
	int i, n = 0;

	/* 504 payload + 8 header = 512-byte records: exactly 8 fill 4096. */
	for (i = 0; i < 8; i++) {
		memset(msg, i, sizeof(msg));
		assert_int_equal(caec_ring_send(f->p, msg, sizeof(msg), 0, 0),
				 0);
		n++;
	}
	assert_int_equal(caec_ring_send(f->p, msg, 0, 0, 0), -EAGAIN);
	assert_int_equal(caec_ring_send(f->p, msg, 1, 0, 20), -ETIMEDOUT);
	assert_int_equal(caec_ring_recv(f->c, out, sizeof(out), 0, 0), 504);
	assert_int_equal(out[0], 0);
	/* Freed exactly one record: one more fits, a second does not. */
	assert_int_equal(caec_ring_send(f->p, msg, sizeof(msg), 0, 0), 0);
	assert_int_equal(caec_ring_send(f->p, msg, 0, 0, 0), -EAGAIN);
	for (i = 1; i <= 8; i++) {
		assert_int_equal(caec_ring_recv(f->c, out, sizeof(out), 0, 0),
				 504);
		assert_int_equal(out[503], i == 8 ? 7 : i);
	}
	(void)n;
}

static void
test_wrap_padding(void **state)
{
	struct ring_pair *f = *state;
	struct caec_ring_shared *sh = ring_pair_shared(f);
	uint8_t *data = ring_pair_data(f);
	uint8_t msg[2000], out[2040];
	uint64_t w;
	size_t i;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7);
	/* 3 x 1000-byte messages put the tail at 3 * 1008 = 3024. */
	for (i = 0; i < 3; i++) {
		assert_int_equal(caec_ring_send(f->p, msg, 1000, 0, 0), 0);
		assert_int_equal(caec_ring_recv(f->c, out, sizeof(out), 0, 0),
				 1000);
	}
	/* 2000-byte record (2008) does not fit in the last 1072 bytes. */
	assert_int_equal(caec_ring_send(f->p, msg, 2000, 0, 0), 0);
	memcpy(&w, data + 3024, 8);
	assert_int_equal((uint32_t)(w >> 32), CAEC_REC_PAD);
	assert_int_equal((uint32_t)w, 4096 - 3024 - 8);
	memcpy(&w, data, 8);
	assert_int_equal((uint32_t)(w >> 32), CAEC_REC_MSG);
	assert_int_equal((uint32_t)w, 2000);
	assert_int_equal(sh->prod.counter, 4096 + 2008);
	assert_int_equal(caec_ring_recv(f->c, out, sizeof(out), 0, 0), 2000);
	assert_memory_equal(out, msg, 2000);
	assert_int_equal(sh->cons.counter, 4096 + 2008);
}

static void
test_max_and_oversize(void **state)
{
	struct ring_pair *f = *state;
	uint32_t max = caec_ring_max_msg(f->p);
	uint8_t *msg = calloc(1, max + 1), *out = calloc(1, max + 1);
	int i;

	assert_int_equal(max, SZ / 2 - 8);
	memset(msg, 0x3c, max);
	assert_int_equal(caec_ring_send(f->p, msg, max + 1, 0, 0), -EMSGSIZE);
	assert_non_null(strstr(caec_error_detail(), "max_msg"));
	/* A max-size message fits from every alignment of the counters. */
	for (i = 0; i < 64; i++) {
		assert_int_equal(caec_ring_send(f->p, msg, 8 + i * 24, 0, 0),
				 0);
		assert_int_equal(caec_ring_recv(f->c, out, max, 0, 0),
				 8 + i * 24);
		assert_int_equal(caec_ring_send(f->p, msg, max, 0, 0), 0);
		assert_int_equal(caec_ring_recv(f->c, out, max, 0, 0), max);
		assert_memory_equal(out, msg, max);
	}
	free(msg);
	free(out);
}

static void
test_zero_length(void **state)
{
	struct ring_pair *f = *state;
	char out[4];

	assert_int_equal(caec_ring_send(f->p, NULL, 0, 0, 0), 0);
	assert_int_equal(caec_ring_send(f->p, NULL, 1, 0, 0), -EINVAL);
	assert_int_equal(caec_ring_recv(f->c, out, sizeof(out), 0, 0), 0);
	assert_int_equal(caec_ring_recv(f->c, NULL, 0, 0, 0), -EAGAIN);
}

static void
test_small_buffer_keeps_message(void **state)
{
	struct ring_pair *f = *state;
	char out[16];

	assert_int_equal(caec_ring_send(f->p, "0123456789", 10, 0, 0), 0);
	assert_int_equal(caec_ring_recv(f->c, out, 4, 0, 0), -EMSGSIZE);
	assert_non_null(strstr(caec_error_detail(), "10 bytes"));
	assert_int_equal(caec_ring_recv(f->c, out, sizeof(out), 0, 0), 10);
	assert_memory_equal(out, "0123456789", 10);
}

static void
test_reserve_commit_zeroes_padding(void **state)
{
	struct ring_pair *f = *state;
	uint8_t *data = ring_pair_data(f);
	const void *pl;
	void *slot;
	int i;

	/* The data area was filled with 0xa5 before format. */
	assert_int_equal(caec_ring_reserve(f->p, 100, &slot, 0), 0);
	assert_ptr_equal(slot, data + 8);
	assert_int_equal(caec_ring_reserve(f->p, 10, &slot, 0), -EINVAL);
	/* No send, short or mid-size, while a reservation is open. */
	assert_int_equal(caec_ring_send(f->p, "x", 1, 0, 0), -EINVAL);
	assert_int_equal(caec_ring_send(f->p, data, 1500, 0, 0), -EINVAL);
	memcpy(slot, "abc", 3);
	/* A commit longer than the loan fails and keeps the reservation. */
	assert_int_equal(caec_ring_commit(f->p, 101, 0), -EINVAL);
	assert_int_equal(caec_ring_commit(f->p, 3, 0), 0);
	assert_int_equal(caec_ring_commit(f->p, 3, 0), -EINVAL);
	for (i = 3; i < 8; i++)
		assert_int_equal(data[8 + i], 0);
	assert_int_equal(caec_ring_peek(f->c, &pl, 0), 3);
	assert_int_equal(caec_ring_peek(f->c, &pl, 0), 3);
	assert_memory_equal(pl, "abc", 3);
	assert_int_equal(caec_ring_release(f->c, 0), 0);
	assert_int_equal(caec_ring_release(f->c, 0), -EINVAL);
	assert_int_equal(caec_ring_peek(f->c, &pl, 0), -EAGAIN);
	/* The commit reopened the send path. */
	assert_int_equal(caec_ring_send(f->p, "xy", 2, 0, 0), 0);
	assert_int_equal(caec_ring_peek(f->c, &pl, 0), 2);
}

/*
 * The send fast path writes records with its own aligned stores (16 bytes
 * at a time, the header sharing the first store when the record starts
 * 16-aligned), on x86-64 with ERMS from 1 KiB to 2 KiB with line-aligned
 * stores and rep movsb, and with memcpy above. For every length around those cases and every 8-byte start inside
 * a cache line: the header, the payload and the zeroed alignment tail are
 * exactly right, nothing after the record is touched, nothing beyond the
 * sender's buffer is read and nothing beyond the receiver's is written
 * (each is a heap block of exactly the payload's size, which ASan guards).
 */
static void
test_record_bytes_every_alignment(void **state)
{
	enum { BIG = 16384 };
	static const uint32_t extra[] = { 1016, 1022, 1023, 1024, 1025, 1031,
					  1032, 1033, 1100, 1537, 2032, 2039,
					  2040, 2041, 2047, 2048, 2049, 2056,
					  2100, 4000, 4096, 8183 };
	struct ring_pair rp;
	uint8_t *data, *out, *src, *exact;
	struct caec_ring *p, *c;
	uint32_t n, i, shift, k;
	uint64_t w;

	(void)state;
	assert_int_equal(ring_pair_open(&rp, &(struct ring_pair_cfg){
		.size = BIG, .fill = 0xa5 }), 0);
	out = malloc(BIG);
	assert_non_null(out);
	data = ring_pair_data(&rp);
	for (i = 0; i < 300 + sizeof(extra) / sizeof(extra[0]); i++) {
		n = i < 300 ? i : extra[i - 300];
		src = malloc(n ? n : 1);
		assert_non_null(src);
		for (k = 0; k < n; k++)
			src[k] = (uint8_t)(k * 7 + n + 1) | 1;	/* never 0 */
		for (shift = 0; shift < 64; shift += 8) {
			/* Both sides anew on a freshly filled ring. */
			ring_pair_close_sides(&rp);
			memset(rp.mem, 0xa5, rp.len);
			assert_int_equal(ring_pair_reset(&rp, 0), 0);
			p = rp.p;
			c = rp.c;
			/* A filler record of exactly @shift bytes first. */
			if (shift) {
				memset(out, 0, shift);
				assert_int_equal(caec_ring_send(p, out,
					shift - CAEC_REC_HDR, 0, 0), 0);
				assert_int_equal(caec_ring_recv(c, out, BIG, 0,
					0), shift - CAEC_REC_HDR);
			}
			assert_int_equal(caec_ring_send(p, src, n, 0, 0), 0);
			memcpy(&w, data + shift, sizeof(w));
			assert_true(w == ring_rec_make(n, CAEC_REC_MSG));
			if (n)
				assert_memory_equal(data + shift + CAEC_REC_HDR,
						    src, n);
			for (k = n; k < ring_rec_size(n) - CAEC_REC_HDR; k++)
				assert_int_equal(
					data[shift + CAEC_REC_HDR + k], 0);
			for (k = 0; k < 16; k++)
				assert_int_equal(
					data[shift + ring_rec_size(n) + k], 0xa5);
			/* Into a buffer of exactly n bytes (ASan: no write past). */
			exact = malloc(n ? n : 1);
			assert_non_null(exact);
			assert_int_equal(caec_ring_recv(c, exact, n, 0, 0), n);
			if (n)
				assert_memory_equal(exact, src, n);
			free(exact);
		}
		free(src);
	}
	free(out);
	ring_pair_close(&rp);
}

static void
test_batching(void **state)
{
	struct ring_pair *f = *state;
	struct caec_ring_shared *sh = ring_pair_shared(f);
	char out[8];
	int i;

	for (i = 0; i < 5; i++)
		assert_int_equal(caec_ring_send(f->p, "m", 1, CAEC_MORE, 0),
				 0);
	assert_int_equal(sh->prod.counter, 0);
	assert_int_equal(caec_ring_recv(f->c, out, sizeof(out), 0, 0),
			 -EAGAIN);
	assert_int_equal(caec_ring_flush(f->p), 0);
	assert_int_equal(sh->prod.counter, 5 * 16);
	for (i = 0; i < 5; i++)
		assert_int_equal(caec_ring_recv(f->c, out, sizeof(out),
						CAEC_MORE, 0), 1);
	assert_int_equal(sh->cons.counter, 0);
	/* An empty poll publishes the consumed space. */
	assert_int_equal(caec_ring_recv(f->c, out, sizeof(out), 0, 0),
			 -EAGAIN);
	assert_int_equal(sh->cons.counter, 5 * 16);
}

static void
test_batch_publishes_when_full(void **state)
{
	struct ring_pair *f = *state;
	uint8_t msg[504];
	int i;

	memset(msg, 1, sizeof(msg));
	for (i = 0; i < 8; i++)
		assert_int_equal(caec_ring_send(f->p, msg, sizeof(msg),
						CAEC_MORE, 0), 0);
	assert_int_equal(ring_pair_shared(f)->prod.counter, 0);
	assert_int_equal(caec_ring_send(f->p, msg, 1, CAEC_MORE, 0), -EAGAIN);
	/* Full: the batch was published so the consumer can drain it. */
	assert_int_equal(ring_pair_shared(f)->prod.counter, 4096);
}

static void
test_close_drain_then_epipe(void **state)
{
	struct ring_pair *f = *state;
	char out[8];

	assert_int_equal(caec_ring_send(f->p, "a", 1, 0, 0), 0);
	assert_int_equal(caec_ring_send(f->p, "b", 1, CAEC_MORE, 0), 0);
	caec_ring_close(f->p);
	f->p = NULL;
	assert_int_equal(caec_ring_recv(f->c, out, sizeof(out), 0, 0), 1);
	assert_int_equal(out[0], 'a');
	assert_int_equal(caec_ring_recv(f->c, out, sizeof(out), 0, 0), 1);
	assert_int_equal(out[0], 'b');
	assert_int_equal(caec_ring_recv(f->c, out, sizeof(out), 0, 0), -EPIPE);
	assert_int_equal(caec_ring_recv(f->c, out, sizeof(out), 0,
					CAEC_FOREVER), -EPIPE);
}

static void
test_consumer_close_epipe(void **state)
{
	struct ring_pair *f = *state;
	uint8_t msg[504];
	int i, rc = 0;

	memset(msg, 0, sizeof(msg));
	caec_ring_close(f->c);
	f->c = NULL;
	/* Seen at the latest when the producer reloads the consumer's head. */
	for (i = 0; i < 9 && rc == 0; i++)
		rc = caec_ring_send(f->p, msg, sizeof(msg), 0, CAEC_FOREVER);
	assert_int_equal(rc, -EPIPE);
}

static void
test_counters_near_wrap(void **state)
{
	struct ring_pair *f = *state;
	struct caec_ring_shared *sh = ring_pair_shared(f);
	const uint64_t start = UINT64_MAX - 4096 * 3 + 1 - 7;
	uint8_t msg[700], out[700];
	uint64_t k;

	assert_int_equal(ring_pair_reset(f, start & ~7ull), 0);
	for (k = 0; k < 100; k++) {
		size_t n = (size_t)(k * 37 % sizeof(msg));

		memset(msg, (int)k, n);
		assert_int_equal(caec_ring_send(f->p, msg, n, 0, 0), 0);
		assert_int_equal(caec_ring_recv(f->c, out, sizeof(out), 0, 0),
				 (ssize_t)n);
		assert_memory_equal(out, msg, n);
	}
	/* The counters wrapped through 2^64. */
	assert_true(sh->prod.counter < 4096 * 100);
	assert_int_equal(sh->prod.counter, sh->cons.counter);
}

static void
test_open_validates(void **state)
{
	struct ring_pair *f = *state;
	struct caec_ring_shared *sh = ring_pair_shared(f);
	struct caec_ring *r;

	sh->hdr.version = 9;
	assert_int_equal(caec_ring_open(f->mem, f->len, CAEC_RING_CONSUMER,
					NULL, &r), -EPROTO);
	assert_non_null(strstr(caec_error_detail(), "version"));
	sh->hdr.version = CAEC_RING_VERSION;
	sh->hdr.data_size = 8192;
	assert_int_equal(caec_ring_open(f->mem, f->len, CAEC_RING_CONSUMER,
					NULL, &r), -EPROTO);
	assert_non_null(strstr(caec_error_detail(), "data_size"));
	sh->hdr.data_size = SZ;
	sh->hdr.magic = 0;
	assert_int_equal(caec_ring_open(f->mem, f->len, CAEC_RING_CONSUMER,
					NULL, &r), -EPROTO);
	assert_non_null(strstr(caec_error_detail(), "magic"));
	sh->hdr.magic = CAEC_RING_MAGIC;
	assert_int_equal(caec_ring_open(f->mem, 100, CAEC_RING_CONSUMER,
					NULL, &r), -EPROTO);
	assert_int_equal(caec_ring_open(f->mem, f->len, CAEC_RING_CONSUMER,
					NULL, &r), 0);
	caec_ring_close(r);
}

/*
 * caec_ring_open(): "a side can reopen a ring it closed". The reopened side
 * must not still look closed to its peer.
 */
static void
test_reopened_consumer_is_not_closed(void **state)
{
	struct ring_pair *f = *state;
	uint8_t msg[504], out[600];
	int i;

	memset(msg, 0x11, sizeof(msg));
	caec_ring_close(f->c);
	assert_int_equal(caec_ring_open(f->mem, f->len, CAEC_RING_CONSUMER,
					NULL, &f->c), 0);
	/* Three ring-fulls: the producer reloads head and must go on. */
	for (i = 0; i < 24; i++) {
		assert_int_equal(caec_ring_send(f->p, msg, sizeof(msg), 0, 0),
				 0);
		assert_int_equal(caec_ring_recv(f->c, out, sizeof(out), 0, 0),
				 504);
	}
}

static void
test_reopened_producer_is_not_closed(void **state)
{
	struct ring_pair *f = *state;
	char out[8];

	assert_int_equal(caec_ring_send(f->p, "a", 1, 0, 0), 0);
	caec_ring_close(f->p);
	assert_int_equal(caec_ring_open(f->mem, f->len, CAEC_RING_PRODUCER,
					NULL, &f->p), 0);
	assert_int_equal(caec_ring_recv(f->c, out, sizeof(out), 0, 0), 1);
	/* Drained, and the producer is back: empty, not closed. */
	assert_int_equal(caec_ring_recv(f->c, out, sizeof(out), 0, 0),
			 -EAGAIN);
	assert_int_equal(caec_ring_send(f->p, "b", 1, 0, 0), 0);
	assert_int_equal(caec_ring_recv(f->c, out, sizeof(out), 0, 0), 1);
	assert_int_equal(out[0], 'b');
}

static void
test_nowake_rejects_adaptive(void **state)
{
	struct ring_pair *f = *state;
	struct caec_wait_params w = { .struct_size = sizeof(w),
				      .mode = CAEC_WAIT_ADAPTIVE };
	struct caec_ring *r;

	assert_int_equal(caec_ring_format(f->mem, f->len, SZ, 0,
					  CAEC_RING_F_NOWAKE), 0);
	assert_int_equal(caec_ring_open(f->mem, f->len, CAEC_RING_CONSUMER,
					&w, &r), -EINVAL);
	w.mode = CAEC_WAIT_BACKOFF;
	assert_int_equal(caec_ring_open(f->mem, f->len, CAEC_RING_CONSUMER,
					&w, &r), 0);
	caec_ring_close(r);
}

static void
test_strerror(void **state)
{
	(void)state;
	assert_string_equal(caec_strerror(0), "success");
	assert_non_null(strstr(caec_strerror(-EPROTO), "protocol"));
	assert_string_equal(caec_strerror(EPIPE), caec_strerror(-EPIPE));
	assert_string_equal(caec_strerror(-12345), "unknown error");
	assert_string_equal(caec_version(), "0.1.0");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_prestate_setup_teardown(fn, ring_pair_setup, \
		ring_pair_teardown, &ring_cfg)
		cmocka_unit_test(test_geometry),
		cmocka_unit_test(test_strerror),
		T(test_empty),
		T(test_roundtrip),
		T(test_full_and_exact_fit),
		T(test_wrap_padding),
		T(test_max_and_oversize),
		T(test_zero_length),
		T(test_small_buffer_keeps_message),
		T(test_reserve_commit_zeroes_padding),
		cmocka_unit_test(test_record_bytes_every_alignment),
		T(test_batching),
		T(test_batch_publishes_when_full),
		T(test_close_drain_then_epipe),
		T(test_consumer_close_epipe),
		T(test_counters_near_wrap),
		T(test_open_validates),
		T(test_nowake_rejects_adaptive),
		T(test_reopened_consumer_is_not_closed),
		T(test_reopened_producer_is_not_closed),
#undef T
	};

	return cmocka_run_group_tests_name("ring", tests, NULL, NULL);
}

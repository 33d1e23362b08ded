/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Threaded stress: producer and consumer threads on rings in this process's
 * memory, a fan-in of several producers to one consumer thread, and duplex
 * channels driven by one thread per end. Messages carry a producer id and a
 * sequence number (tests/lib/stream.h) and are checked for loss, duplication,
 * reordering and corruption, mixing copy, zero-copy and batching, under
 * each wait strategy.
 *
 * Runs under ThreadSanitizer in CI: every shared datum crosses threads only
 * through the library's acquire/release protocol (or pthread_create/join).
 * Message counts scale with CAEC_TEST_SCALE.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>

#include <caec/caec.h>

#include "lib/clock.h"
#include "lib/rand.h"
#include "lib/ring_pair.h"
#include "lib/scale.h"
#include "lib/stream.h"

#define TIMEOUT_MS 20000

static const struct caec_wait_params w_adaptive = {
	sizeof(struct caec_wait_params), CAEC_WAIT_ADAPTIVE, 0, 0, 0
};
static const struct caec_wait_params w_adaptive_tiny = {
	sizeof(struct caec_wait_params), CAEC_WAIT_ADAPTIVE, 1, 0, 0
};
static const struct caec_wait_params w_spin = {
	sizeof(struct caec_wait_params), CAEC_WAIT_SPIN, 0, 0, 0
};
static const struct caec_wait_params w_backoff = {
	sizeof(struct caec_wait_params), CAEC_WAIT_BACKOFF, 2000, 1000, 50000
};
static const struct caec_wait_params w_backoff_default = {
	sizeof(struct caec_wait_params), CAEC_WAIT_BACKOFF, 0, 0, 0
};

/* One ring in heap memory, and a thread on each side. */
struct pair {
	struct ring_pair rp;
	struct stream tx;
	struct stream rx;
	pthread_t pt, ct;
};

static void *
producer_main(void *arg)
{
	struct pair *x = arg;
	struct ep e = ep_rings(x->rp.p, NULL);

	stream_send(&e, &x->tx);
	/* The consumer drains the rest, then sees -EPIPE. */
	caec_ring_close(x->rp.p);
	x->rp.p = NULL;
	return NULL;
}

static void *
consumer_main(void *arg)
{
	struct pair *x = arg;
	struct ep e = ep_rings(NULL, x->rp.c);

	stream_recv(&e, &x->rx);
	return NULL;
}

static void
pair_open(struct pair *x, uint32_t size, uint32_t flags,
	  const struct caec_wait_params *pw,
	  const struct caec_wait_params *cw, uint32_t id, uint64_t n,
	  unsigned int ops)
{
	memset(x, 0, sizeof(*x));
	assert_int_equal(ring_pair_open(&x->rp, &(struct ring_pair_cfg){
		.size = size, .flags = flags, .pw = pw, .cw = cw }), 0);
	stream_init(&x->tx, id, n, 0xabc0 + id + n, ops, TIMEOUT_MS);
	x->rx = x->tx;
}

static void
pair_check_close(struct pair *x)
{
	if (x->tx.rc)
		fail_msg("producer: %s", x->tx.why);
	if (x->rx.rc)
		fail_msg("consumer: %s", x->rx.why);
	assert_int_equal(x->tx.done, x->tx.count);
	assert_int_equal(x->rx.done, x->rx.count);
	assert_int_equal(x->rx.bytes, x->tx.bytes);
	ring_pair_close(&x->rp);
}

static void
run_pair(const char *what, uint32_t size, uint32_t flags,
	 const struct caec_wait_params *pw, const struct caec_wait_params *cw,
	 uint64_t n, unsigned int ops)
{
	struct pair x;
	uint64_t t0 = now_ns();

	pair_open(&x, size, flags, pw, cw, 1, n, ops);
	assert_int_equal(pthread_create(&x.ct, NULL, consumer_main, &x), 0);
	assert_int_equal(pthread_create(&x.pt, NULL, producer_main, &x), 0);
	pthread_join(x.pt, NULL);
	pthread_join(x.ct, NULL);
	print_message("  %s: %" PRIu64 " messages, %.1f MB, %.2f s\n", what,
		      n, (double)x.rx.bytes / 1e6,
		      (double)(now_ns() - t0) / 1e9);
	pair_check_close(&x);
}

static void
test_ring_adaptive(void **state)
{
	(void)state;
	run_pair("adaptive, 64 KiB", 65536, 0, &w_adaptive, &w_adaptive,
		 test_scaled(400000, 10000), OP_ALL);
}

static void
test_ring_adaptive_tiny_spin(void **state)
{
	(void)state;
	/* 1 ns of spinning: both sides sleep on the futex all the time. */
	run_pair("adaptive 1 ns spin, 4 KiB", 4096, 0, &w_adaptive_tiny,
		 &w_adaptive_tiny, test_scaled(200000, 10000), OP_ALL);
}

static void
test_ring_spin(void **state)
{
	(void)state;
	/* Spinning threads suffer most when the cores are shared: fewer. */
	run_pair("spin, 16 KiB", 16384, 0, &w_spin, &w_spin,
		 test_scaled(150000, 5000), OP_ALL);
}

static void
test_ring_backoff_nowake(void **state)
{
	(void)state;
	run_pair("backoff, nowake, 8 KiB", 8192, CAEC_RING_F_NOWAKE,
		 &w_backoff, &w_backoff, test_scaled(200000, 10000), OP_ALL);
	run_pair("backoff defaults, nowake, 64 KiB", 65536,
		 CAEC_RING_F_NOWAKE, &w_backoff_default, &w_backoff_default,
		 test_scaled(50000, 5000), OP_ALL);
}

static void
test_ring_mixed_modes(void **state)
{
	(void)state;
	run_pair("spin producer, adaptive consumer", 8192, 0, &w_spin,
		 &w_adaptive_tiny, test_scaled(200000, 10000), OP_ALL);
	run_pair("adaptive producer, backoff consumer", 8192, 0,
		 &w_adaptive_tiny, &w_backoff, test_scaled(200000, 10000),
		 OP_ALL);
	run_pair("copy only, adaptive", 8192, 0, &w_adaptive, &w_adaptive,
		 test_scaled(100000, 5000), OP_COPY);
	run_pair("zero-copy batched, adaptive", 8192, 0, &w_adaptive,
		 &w_adaptive, test_scaled(100000, 5000), OP_ZC | OP_BATCH);
}

/* ---- fan-in: several producers, one consumer thread ------------------ */

#define FAN 3

static void
test_fan_in(void **state)
{
	uint64_t n = test_scaled(100000, 5000), t0 = now_ns(), stall;
	struct pair x[FAN];
	bool fin[FAN] = { false };
	uint32_t max = 0;
	uint8_t *buf;
	int k, left = FAN, turn = 0, rc;
	bool progress;
	ssize_t m;

	(void)state;
	for (k = 0; k < FAN; k++) {
		pair_open(&x[k], 8192, 0, &w_adaptive, &w_adaptive,
			  (uint32_t)k + 1, n, OP_ALL);
		if (caec_ring_max_msg(x[k].rp.c) > max)
			max = caec_ring_max_msg(x[k].rp.c);
	}
	buf = malloc(max);
	assert_non_null(buf);
	for (k = 0; k < FAN; k++)
		assert_int_equal(pthread_create(&x[k].pt, NULL, producer_main,
						&x[k]), 0);
	stall = now_ns();
	/* Poll every ring; when none has anything, wait on one of them. */
	while (left) {
		progress = false;
		for (k = 0; k < FAN; k++) {
			struct stream *s = &x[k].rx;

			if (fin[k] || s->rc)
				continue;
			m = caec_ring_recv(x[k].rp.c, buf, max,
					   s->done & 1 ? CAEC_MORE : 0, 0);
			if (m >= 0) {
				if (s->done == s->count)
					stream_fail(s, -EPROTO,
						    "message after the last");
				else if (!stream_verify(s, buf, m, max))
					s->done++;
				progress = true;
			} else if (m == -EPIPE) {
				if (s->done != s->count)
					stream_fail(s, -EPIPE, "early -EPIPE");
				fin[k] = true;
				progress = true;
			} else if (m != -EAGAIN) {
				stream_fail(s, (int)m, "recv: %s",
					    caec_strerror((int)m));
			}
			if (s->rc)
				fin[k] = true;
			left -= fin[k];
		}
		if (progress) {
			stall = now_ns();
			continue;
		}
		if (now_ns() - stall > (uint64_t)TIMEOUT_MS * 1000000u)
			break;
		turn = (turn + 1) % FAN;
		if (!fin[turn]) {
			rc = caec_ring_wait(x[turn].rp.c, 0, 1);
			if (rc && rc != -ETIMEDOUT && rc != -EPIPE)
				stream_fail(&x[turn].rx, rc, "wait: %s",
					    caec_strerror(rc));
		}
	}
	for (k = 0; k < FAN; k++)
		pthread_join(x[k].pt, NULL);
	free(buf);
	print_message("  fan-in of %d producers: %" PRIu64 " messages, %.2f s\n",
		      FAN, FAN * n, (double)(now_ns() - t0) / 1e9);
	assert_int_equal(left, 0);
	for (k = 0; k < FAN; k++)
		pair_check_close(&x[k]);
}

/* ---- duplex channels: one thread per end, both directions ------------ */

struct end {
	struct caec_channel *ch;
	struct stream tx;
	struct stream rx;
	pthread_t t;
};

/*
 * Send tx->count messages and receive rx->count, interleaved and
 * non-blocking; when neither moves, flush and wait briefly on one ring.
 */
static int
duplex_run(struct end *d)
{
	struct ep e = ep_channel(d->ch);
	struct stream *tx = &d->tx, *rx = &d->rx;
	uint32_t max_tx = caec_channel_max_msg(d->ch);
	uint32_t max_rx = caec_ring_max_msg(caec_channel_rx(d->ch));
	uint8_t *sbuf = malloc(max_tx), *rbuf = malloc(max_rx);
	uint64_t trng = tx->seed, rrng = rx->seed ^ 0x77, r = 0, stall;
	uint32_t len = 0;
	bool have = false, progress, waited_rx = false;
	const void *pl;
	void *slot;
	ssize_t n;
	int rc;

	if (!sbuf || !rbuf) {
		free(sbuf);
		free(rbuf);
		return stream_fail(tx, -ENOMEM, "malloc");
	}
	tx->done = rx->done = 0;
	stall = now_ns();
	while (!tx->rc && !rx->rc &&
	       (tx->done < tx->count || rx->done < rx->count)) {
		progress = false;
		if (tx->done < tx->count) {
			uint64_t seq = stamp_seq(tx->id, tx->done);
			unsigned int fl;

			if (!have) {
				len = stamp_pick_len(&trng, max_tx);
				r = splitmix64(&trng);
				have = true;
			}
			fl = r & 1 ? CAEC_MORE : 0;
			if (r & 2) {
				rc = ep_reserve(&e, len, &slot, 0);
				if (!rc) {
					stamp_fill(slot, len, seq);
					rc = ep_commit(&e, len, fl);
				}
			} else {
				stamp_fill(sbuf, len, seq);
				rc = ep_send(&e, sbuf, len, fl, 0);
			}
			if (!rc) {
				tx->bytes += len;
				tx->done++;
				have = false;
				progress = true;
			} else if (rc != -EAGAIN) {
				stream_fail(tx, rc, "send: %s",
					    caec_strerror(rc));
			}
		}
		if (rx->done < rx->count) {
			uint64_t q = splitmix64(&rrng);

			if (q & 2) {
				n = ep_peek(&e, &pl, 0);
				if (n >= 0 && !stream_verify(rx, pl, n, max_rx))
					rc = ep_release(&e, q & 1 ? CAEC_MORE :
								    0);
				else
					rc = 0;
				if (rc)
					stream_fail(rx, rc, "release: %s",
						    caec_strerror(rc));
			} else {
				n = ep_recv(&e, rbuf, max_rx,
					    q & 1 ? CAEC_MORE : 0, 0);
				if (n >= 0)
					stream_verify(rx, rbuf, n, max_rx);
			}
			if (n >= 0 && !rx->rc) {
				rx->done++;
				progress = true;
			} else if (n < 0 && n != -EAGAIN) {
				stream_fail(rx, (int)n, "recv: %s",
					    caec_strerror((int)n));
			}
		}
		if (progress) {
			stall = now_ns();
			continue;
		}
		if (now_ns() - stall > (uint64_t)TIMEOUT_MS * 1000000u) {
			stream_fail(tx, -ETIMEDOUT,
				    "no progress for %d ms (received %" PRIu64
				    ")", TIMEOUT_MS, rx->done);
			break;
		}
		/* Publish our batch before waiting for the peer. */
		ep_flush(&e);
		waited_rx = rx->done < rx->count &&
			    (tx->done == tx->count || !waited_rx);
		rc = waited_rx ? caec_ring_wait(caec_channel_rx(d->ch), 0, 1) :
				 caec_ring_wait(caec_channel_tx(d->ch), len, 1);
		if (rc && rc != -ETIMEDOUT)
			stream_fail(tx, rc, "wait: %s", caec_strerror(rc));
	}
	ep_flush(&e);
	free(sbuf);
	free(rbuf);
	return tx->rc || rx->rc ? -1 : 0;
}

static void *
end_main(void *arg)
{
	duplex_run(arg);
	return NULL;
}

static void
run_duplex(const char *what, const char *uri,
	   const struct caec_wait_params *wa, const struct caec_wait_params *wb,
	   uint64_t n)
{
	struct caec_channel_params p;
	struct end a, b;
	char att[64];
	uint64_t t0 = now_ns();
	int fd;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	caec_channel_params_init(&p);
	p.wait = *wa;
	assert_int_equal(caec_channel_create(uri, &p, &a.ch), 0);
	fd = caec_channel_region_fd(a.ch);
	assert_true(fd >= 0);
	snprintf(att, sizeof(att), "nw:fd/%d", fd);
	p.wait = *wb;
	assert_int_equal(caec_channel_attach(att, &p, &b.ch), 0);
	stream_init(&a.tx, 1, n, 101, OP_ALL, TIMEOUT_MS);
	stream_init(&b.tx, 2, n, 202, OP_ALL, TIMEOUT_MS);
	a.rx = b.tx;
	b.rx = a.tx;
	assert_int_equal(pthread_create(&a.t, NULL, end_main, &a), 0);
	assert_int_equal(pthread_create(&b.t, NULL, end_main, &b), 0);
	pthread_join(a.t, NULL);
	pthread_join(b.t, NULL);
	print_message("  %s: 2 x %" PRIu64 " messages, %.2f s\n", what, n,
		      (double)(now_ns() - t0) / 1e9);
	if (a.tx.rc || a.rx.rc)
		fail_msg("end A: %s %s", a.tx.why, a.rx.why);
	if (b.tx.rc || b.rx.rc)
		fail_msg("end B: %s %s", b.tx.why, b.rx.why);
	assert_int_equal(a.rx.done, n);
	assert_int_equal(b.rx.done, n);
	assert_int_equal(a.rx.bytes, b.tx.bytes);
	assert_int_equal(b.rx.bytes, a.tx.bytes);
	/* Exactly n each way: nothing left over; then close, -EPIPE. */
	assert_int_equal(caec_channel_recv(a.ch, NULL, 0, 0, 0), -EAGAIN);
	caec_channel_close(b.ch);
	assert_int_equal(caec_channel_recv(a.ch, NULL, 0, 0, 0), -EPIPE);
	caec_channel_close(a.ch);
}

static void
test_duplex_adaptive_backoff(void **state)
{
	(void)state;
	run_duplex("duplex adaptive / backoff, 16 KiB", "nw:memfd?ring=16K",
		   &w_adaptive_tiny, &w_backoff, test_scaled(200000, 10000));
}

static void
test_duplex_spin(void **state)
{
	(void)state;
	run_duplex("duplex spin / spin, 4 KiB", "nw:memfd?ring=4K", &w_spin,
		   &w_spin, test_scaled(60000, 5000));
}

static void
test_duplex_nowake(void **state)
{
	(void)state;
	run_duplex("duplex nowake backoff / spin, 8 KiB",
		   "nw:memfd?ring=8K&wake=none", &w_backoff, &w_spin,
		   test_scaled(100000, 5000));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_adaptive),
		cmocka_unit_test(test_ring_adaptive_tiny_spin),
		cmocka_unit_test(test_ring_spin),
		cmocka_unit_test(test_ring_backoff_nowake),
		cmocka_unit_test(test_ring_mixed_modes),
		cmocka_unit_test(test_fan_in),
		cmocka_unit_test(test_duplex_adaptive_backoff),
		cmocka_unit_test(test_duplex_spin),
		cmocka_unit_test(test_duplex_nowake),
	};

	return cmocka_run_group_tests_name("stress", tests, NULL, NULL);
}

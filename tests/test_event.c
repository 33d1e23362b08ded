/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The consumer's pollable event descriptor: readable exactly when a message
 * (or a close) is pending, re-armed by the receive that finds the ring empty,
 * including across processes and for data sent before the fd existed.
 */
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <caec/caec.h>

#include "../src/ring/ring_layout.h"
#include "lib/ring_pair.h"

static int
readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n = poll(&p, 1, ms);

	assert_true(n >= 0);
	return n == 1 && (p.revents & POLLIN);
}

/* A 4 KiB ring pair in this process. */
static struct ring_pair_cfg ring_cfg = { .size = 4096 };

static void
test_level_and_rearm(void **state)
{
	struct ring_pair *f = *state;
	char buf[16];
	int fd, i;

	fd = caec_ring_event_fd(f->c);
	assert_true(fd >= 0);
	assert_int_equal(caec_ring_event_fd(f->c), fd);
	assert_int_equal(caec_ring_event_fd(f->p), -EINVAL);
	assert_false(readable(fd, 100));

	for (i = 0; i < 3; i++) {
		assert_int_equal(caec_ring_send(f->p, "ev", 2, 0, 0), 0);
		assert_true(readable(fd, 5000));
		assert_int_equal(caec_ring_recv(f->c, buf, sizeof(buf), 0, 0),
				 2);
		/* Not drained yet: still readable. */
		assert_true(readable(fd, 0));
		assert_int_equal(caec_ring_recv(f->c, buf, sizeof(buf), 0, 0),
				 -EAGAIN);
		assert_false(readable(fd, 50));
	}
}

static void
test_data_before_fd(void **state)
{
	struct ring_pair *f = *state;
	int fd;

	assert_int_equal(caec_ring_send(f->p, "early", 5, 0, 0), 0);
	fd = caec_ring_event_fd(f->c);
	assert_true(fd >= 0);
	assert_true(readable(fd, 5000));
}

static void
test_close_is_readable(void **state)
{
	struct ring_pair *f = *state;
	char buf[4];
	int fd = caec_ring_event_fd(f->c);

	assert_true(fd >= 0);
	assert_false(readable(fd, 50));
	caec_ring_close(f->p);
	f->p = NULL;
	assert_true(readable(fd, 5000));
	assert_int_equal(caec_ring_recv(f->c, buf, sizeof(buf), 0, 0), -EPIPE);
}

/*
 * A hostile producer writes the consumer's shared counter (head) to the
 * tail it is about to publish, just before publishing a message. A watcher
 * that compared tail with that shared counter would see "empty" and sleep
 * through the message; it compares with the consumer's private head, so
 * the descriptor becomes readable and the message is received. Every round
 * starts with the watcher asleep (ARMED, after a drain).
 */
static void
test_scribbled_head_cannot_hide_message(void **state)
{
	struct ring_pair *f = *state;
	struct caec_ring_shared *sh = ring_pair_shared(f);
	uint64_t tail = 0;
	char buf[16];
	int fd, i;

	fd = caec_ring_event_fd(f->c);
	assert_true(fd >= 0);
	for (i = 0; i < 4; i++) {
		/* The watcher has had the time to go to sleep. */
		assert_false(readable(fd, 50));
		tail += CAEC_REC_HDR + 8;
		__atomic_store_n(&sh->cons.counter, tail, __ATOMIC_SEQ_CST);
		assert_int_equal(caec_ring_send(f->p, "hide", 4, 0, 0), 0);
		assert_true(readable(fd, 5000));
		assert_int_equal(caec_ring_recv(f->c, buf, sizeof(buf), 0, 0),
				 4);
		assert_memory_equal(buf, "hide", 4);
		assert_int_equal(caec_ring_recv(f->c, buf, sizeof(buf), 0, 0),
				 -EAGAIN);
	}
}

static void
test_nowake_ring(void **state)
{
	struct ring_pair *f = *state;
	struct caec_wait_params w = { .struct_size = sizeof(w),
				      .mode = CAEC_WAIT_SPIN };
	struct caec_ring *c;

	ring_pair_close_sides(f);
	assert_int_equal(caec_ring_format(f->mem, f->len, 4096, 0,
					  CAEC_RING_F_NOWAKE), 0);
	assert_int_equal(caec_ring_open(f->mem, f->len, CAEC_RING_CONSUMER,
					&w, &c), 0);
	assert_int_equal(caec_ring_event_fd(c), -ENOTSUP);
	caec_ring_close(c);
}

/* A producer in another process wakes an event loop in this one. */
static void
test_cross_process(void **state)
{
	struct caec_channel *ch, *peer;
	char uri[32], buf[64];
	pid_t pid;
	int fd, st, i;

	(void)state;
	assert_int_equal(caec_channel_create("nw:memfd", NULL, &ch), 0);
	fd = caec_channel_event_fd(ch);
	assert_true(fd >= 0);
	snprintf(uri, sizeof(uri), "nw:fd/%d", caec_channel_region_fd(ch));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (caec_channel_attach(uri, NULL, &peer))
			_exit(1);
		for (i = 0; i < 5; i++) {
			usleep(20000);
			if (caec_channel_send(peer, "tick", 4, 0, 5000))
				_exit(2);
		}
		caec_channel_close(peer);
		_exit(0);
	}
	for (i = 0; i < 5;) {
		assert_true(readable(fd, 10000));
		while (caec_channel_recv(ch, buf, sizeof(buf), 0, 0) == 4)
			i++;
	}
	assert_true(readable(fd, 10000));
	assert_int_equal(caec_channel_recv(ch, buf, sizeof(buf), 0, 0),
			 -EPIPE);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	caec_channel_close(ch);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_prestate_setup_teardown(fn, ring_pair_setup, \
		ring_pair_teardown, &ring_cfg)
		T(test_level_and_rearm),
		T(test_data_before_fd),
		T(test_close_is_readable),
		T(test_nowake_ring),
		T(test_scribbled_head_cannot_hide_message),
#undef T
		cmocka_unit_test(test_cross_process),
	};

	return cmocka_run_group_tests_name("event", tests, NULL, NULL);
}

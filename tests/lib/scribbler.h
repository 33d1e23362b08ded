/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A scribbler: a hostile writer thread that keeps changing shared bytes
 * behind the back of the code under test, the way the hypervisor or a
 * hostile peer can at any moment, while this thread keeps calling that
 * code. One implementation with these modes:
 *
 *   SCRIBBLE_ZERO   store 0 into every byte, pass after pass
 *   SCRIBBLE_FLIP   xor 0x01 into every byte, pass after pass
 *   SCRIBBLE_BITS   flip one pseudo-random bit at a time anywhere in the
 *                   bytes, with a 10 us pause every 256 flips or so
 *   SCRIBBLE_WATCH  write nothing: count the places where @needle stands,
 *                   pass after pass (a watcher that looks for plaintext)
 *   SCRIBBLE_STEP   call @step once per scribble (a writer that knows the
 *                   layout, e.g. ring counters and record headers); it
 *                   draws from s->rng with splitmix64() and finds its
 *                   context in s->cfg.arg
 *
 * Lifecycle: scribbler_start() creates the thread, parked; scribbler_go()
 * returns once it is scribbling; scribbler_pause() returns once it is
 * parked again (no write in flight, the counters stable); scribbler_stop()
 * pauses, ends and joins it, and does nothing for a scribbler that is not
 * running (a zeroed one, or one stopped already), so a teardown can always
 * call it. The thread only writes between go and pause: stop it before an
 * assertion can end the test and free the memory under it.
 *
 * Nothing here uses cmocka: the calls return 0 or an errno value.
 */
#ifndef CAEC_TEST_SCRIBBLER_H
#define CAEC_TEST_SCRIBBLER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum scribble_mode {
	SCRIBBLE_ZERO,
	SCRIBBLE_FLIP,
	SCRIBBLE_BITS,
	SCRIBBLE_WATCH,
	SCRIBBLE_STEP,
};

struct scribbler;

struct scribbler_cfg {
	void *buf;		/* the shared bytes */
	size_t len;
	enum scribble_mode mode;
	uint64_t seed;		/* s->rng at the start */
	const char *needle;	/* SCRIBBLE_WATCH: strlen(needle) bytes */
	void (*step)(struct scribbler *s);	/* SCRIBBLE_STEP */
	void *arg;		/* for @step */
};

struct scribbler {
	struct scribbler_cfg cfg;
	uint64_t rng;		/* splitmix64 state (BITS, STEP) */
	/* Read these while the scribbler is paused or stopped. */
	uint64_t scribbles;	/* passes, flips or steps done */
	uint64_t hits;		/* SCRIBBLE_WATCH: needles seen */
	/* private */
	pthread_t th;
	bool started;
	int run, parked, quit;	/* __atomic builtins */
};

/*
 * Start the thread, parked. RETURN VALUE: 0, or pthread_create()'s error
 * (nothing started).
 */
int scribbler_start(struct scribbler *s, const struct scribbler_cfg *cfg);

/* Let it scribble; returns once it does. */
void scribbler_go(struct scribbler *s);

/* Make it stop scribbling; returns once it has. */
void scribbler_pause(struct scribbler *s);

/*
 * Pause, end and join the thread (nothing when it is not running).
 * RETURN VALUE: 0, or pthread_join()'s error.
 */
int scribbler_stop(struct scribbler *s);

#endif /* CAEC_TEST_SCRIBBLER_H */

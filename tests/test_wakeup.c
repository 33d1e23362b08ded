/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Integration tests of waiting and waking, between a parent and a forked
 * child attached to the parent's nw:memfd channel with nw:fd/N:
 *
 *   - ADAPTIVE (spin, then futex): a child blocked 1 s in recv uses almost
 *     no CPU and wakes promptly on the first message;
 *   - no lost wake-up: ping-pong and a tight stream where both sides spin
 *     for 1 ns only, so they sleep on the futex every time, with a finite
 *     timeout on every call (a lost wake-up shows as -ETIMEDOUT);
 *   - the producer sleeping for space behind a slow consumer;
 *   - BACKOFF on a wake=none region (the futex words are never touched);
 *   - SPIN (never announces sleep, burns CPU while waiting).
 *
 * The tests read the wake blocks of the region (src/ring/ring_layout.h)
 * through their own mapping to check who announced sleep and who woke whom.
 * Timing-sensitive: registered with is_parallel : false.
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
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <caec/caec.h>

#include "../src/ring/ring_layout.h"
#include "lib/clock.h"
#include "lib/hv_view.h"
#include "lib/rand.h"
#include "lib/scale.h"
#include "lib/stream.h"

#define MS 1000000ull

/* What the child reports through a pipe. */
struct cres {
	int64_t rc;		/* 0, or the failing call's code */
	int64_t first;		/* return value of the first (timed) recv */
	uint64_t cpu_ns;	/* process CPU time spent in that recv */
	uint64_t wait_ns;	/* wall time spent in it */
	uint64_t wake_ns;	/* from the parent's send to the return */
	uint64_t rounds;	/* ping-pong rounds completed */
	uint64_t nvcsw;		/* voluntary context switches */
	char why[160];
};

struct fx {
	struct caec_channel *ch;
	pid_t child;
	int pipe[2];
	struct hv_view hv;	/* our own view of the region */
	struct caec_ring_shared *ring[2];	/* 0: parent -> child */
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->child = -1;
	assert_int_equal(pipe(f->pipe), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	if (f->child > 0) {
		kill(f->child, SIGKILL);
		waitpid(f->child, NULL, 0);
	}
	caec_channel_close(f->ch);
	hv_view_unmap(&f->hv);
	close(f->pipe[0]);
	close(f->pipe[1]);
	free(f);
	return 0;
}

/* Create @uri with @p, and map the region a second time for inspection. */
static int
create(struct fx *f, const char *uri, const struct caec_channel_params *p)
{
	int rc, fd, i;

	rc = caec_channel_create(uri, p, &f->ch);
	if (rc)
		fail_msg("create %s: %s (%s)", uri, caec_strerror(rc),
			 caec_error_detail());
	fd = caec_channel_region_fd(f->ch);
	assert_true(fd >= 0);
	assert_int_equal(hv_view_map_fd(&f->hv, fd, false), 0);
	for (i = 0; i < 2; i++) {
		f->ring[i] = hv_view_ring(&f->hv, i);
		assert_non_null(f->ring[i]);
	}
	return fd;
}

static uint32_t
wake_seq(const struct caec_ring_wake *w)
{
	return __atomic_load_n(&w->seq, __ATOMIC_ACQUIRE);
}

/* Is the side announced asleep (bit 0 of its sleep word, ring_layout.h)? */
static uint32_t
wake_sleeping(const struct caec_ring_wake *w)
{
	return __atomic_load_n(&w->sleeping, __ATOMIC_ACQUIRE) &
	       CAEC_WAKE_ASLEEP;
}

static void __attribute__((noreturn))
child_done(int wfd, struct cres *r, struct caec_channel *ch, int code)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	r->nvcsw = (uint64_t)ru.ru_nvcsw;
	if (write(wfd, r, sizeof(*r)) != (ssize_t)sizeof(*r))
		code = 5;
	caec_channel_close(ch);
	_exit(code);
}

/*
 * Busy-wait a pseudo-random 0..40 us: replies then land in every phase of
 * the peer's wait (spinning, announcing its sleep, re-checking, asleep).
 */
static void
jitter(uint64_t *rng)
{
	uint64_t end = now_ns() + splitmix64(rng) % 40000;

	while (now_ns() < end)
		;
}

/*
 * The child: attach, say "ready", block in one recv (timed), then answer
 * @rounds ping-pongs (after a jitter when @jit). Never returns.
 */
static void __attribute__((noreturn))
child_main(struct fx *f, int fd, const char *query,
	   const struct caec_channel_params *p, uint64_t rounds, bool jit)
{
	struct caec_channel *ch = NULL;
	struct cres r;
	uint64_t c0, w0, w1, stamp, v, rng = 2;
	char uri[64];
	ssize_t n;
	int rc;

	memset(&r, 0, sizeof(r));
	close(f->pipe[0]);
	snprintf(uri, sizeof(uri), "nw:fd/%d%s", fd, query);
	rc = caec_channel_attach(uri, p, &ch);
	if (rc) {
		r.rc = rc;
		snprintf(r.why, sizeof(r.why), "attach: %s",
			 caec_error_detail());
		child_done(f->pipe[1], &r, ch, 3);
	}
	rc = caec_channel_send(ch, "r", 1, 0, 5000);
	if (rc) {
		r.rc = rc;
		snprintf(r.why, sizeof(r.why), "ready: %s",
			 caec_strerror(rc));
		child_done(f->pipe[1], &r, ch, 1);
	}
	c0 = cpu_ns(CLOCK_PROCESS_CPUTIME_ID);
	w0 = now_ns();
	n = caec_channel_recv(ch, &stamp, sizeof(stamp), 0, 10000);
	w1 = now_ns();
	r.cpu_ns = cpu_ns(CLOCK_PROCESS_CPUTIME_ID) - c0;
	r.wait_ns = w1 - w0;
	r.first = n;
	if (n != sizeof(stamp)) {
		r.rc = n < 0 ? n : -EPROTO;
		snprintf(r.why, sizeof(r.why), "first recv: %zd", n);
		child_done(f->pipe[1], &r, ch, 1);
	}
	r.wake_ns = w1 - stamp;
	for (r.rounds = 0; r.rounds < rounds; r.rounds++) {
		n = caec_channel_recv(ch, &v, sizeof(v), 0, 5000);
		if (n != sizeof(v) || v != r.rounds) {
			r.rc = n < 0 ? n : -EPROTO;
			snprintf(r.why, sizeof(r.why),
				 "round %" PRIu64 ": recv %zd (%s) value %"
				 PRIu64, r.rounds, n,
				 n < 0 ? caec_strerror((int)n) : "",
				 n == sizeof(v) ? v : 0);
			child_done(f->pipe[1], &r, ch, 1);
		}
		if (jit)
			jitter(&rng);
		rc = caec_channel_send(ch, &v, sizeof(v), 0, 5000);
		if (rc) {
			r.rc = rc;
			snprintf(r.why, sizeof(r.why),
				 "round %" PRIu64 ": send %s", r.rounds,
				 caec_strerror(rc));
			child_done(f->pipe[1], &r, ch, 1);
		}
	}
	child_done(f->pipe[1], &r, ch, 0);
}

static void
start_child(struct fx *f, int fd, const char *query,
	    const struct caec_channel_params *p, uint64_t rounds, bool jit)
{
	f->child = fork();
	assert_true(f->child >= 0);
	if (f->child == 0)
		child_main(f, fd, query, p, rounds, jit);
	close(f->pipe[1]);
	f->pipe[1] = -1;
}

/* The parent's half: wait for "ready", stay idle, send the stamp. */
static void
parent_idle_then_stamp(struct fx *f, unsigned int idle_ms)
{
	uint64_t stamp;
	char b[4];

	assert_int_equal(caec_channel_recv(f->ch, b, sizeof(b), 0, 10000), 1);
	assert_int_equal(b[0], 'r');
	if (idle_ms)
		sleep_ms(idle_ms);
	stamp = now_ns();
	assert_int_equal(caec_channel_send(f->ch, &stamp, sizeof(stamp), 0,
					   5000), 0);
}

/*
 * Ping-pong @rounds times (with a jitter before each ping when @jit);
 * returns the slowest round trip in ns.
 */
static uint64_t
parent_pingpong(struct fx *f, uint64_t rounds, bool jit)
{
	uint64_t i, v, t, worst = 0, rng = 1;
	ssize_t n;
	int rc;

	for (i = 0; i < rounds; i++) {
		if (jit)
			jitter(&rng);
		t = now_ns();
		rc = caec_channel_send(f->ch, &i, sizeof(i), 0, 5000);
		if (rc)
			fail_msg("round %" PRIu64 ": send: %s", i,
				 caec_strerror(rc));
		n = caec_channel_recv(f->ch, &v, sizeof(v), 0, 5000);
		if (n != sizeof(v))
			fail_msg("round %" PRIu64 ": recv: %zd (%s)", i, n,
				 n < 0 ? caec_strerror((int)n) : "");
		assert_int_equal(v, i);
		t = now_ns() - t;
		if (t > worst)
			worst = t;
	}
	return worst;
}

static uint64_t
rusage_cpu_ns(const struct rusage *ru)
{
	uint64_t s = (uint64_t)ru->ru_utime.tv_sec +
		     (uint64_t)ru->ru_stime.tv_sec;
	uint64_t us = (uint64_t)ru->ru_utime.tv_usec +
		      (uint64_t)ru->ru_stime.tv_usec;

	return s * 1000000000ull + us * 1000ull;
}

/* Collect the child's report and exit status (status 0 required). */
static void
child_result(struct fx *f, struct cres *r, uint64_t *child_cpu)
{
	struct rusage before, after;
	struct pollfd pfd = { .fd = f->pipe[0], .events = POLLIN };
	int status;

	memset(r, 0, sizeof(*r));
	if (poll(&pfd, 1, 60000) != 1)
		fail_msg("no report from the child in 60 s");
	assert_int_equal(read(f->pipe[0], r, sizeof(*r)), sizeof(*r));
	getrusage(RUSAGE_CHILDREN, &before);
	assert_int_equal(waitpid(f->child, &status, 0), f->child);
	getrusage(RUSAGE_CHILDREN, &after);
	f->child = -1;
	if (r->rc)
		fail_msg("child: %s (%s)", r->why,
			 caec_strerror((int)r->rc));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	if (child_cpu)
		*child_cpu = rusage_cpu_ns(&after) - rusage_cpu_ns(&before);
}

/*
 * Default ADAPTIVE wait (20 us spin, then futex): 1 s blocked in recv costs
 * almost no CPU, and the first message wakes the sleeper at once.
 */
static void
test_adaptive_idle_sleeps(void **state)
{
	struct fx *f = *state;
	uint64_t child_cpu;
	struct cres r;
	int fd;

	fd = create(f, "nw:memfd", NULL);
	start_child(f, fd, "", NULL, 0, false);
	parent_idle_then_stamp(f, 1000);
	child_result(f, &r, &child_cpu);
	print_message("  waited %.0f ms, %.2f ms CPU (whole child %.2f ms), woke after %.3f ms\n",
		      (double)r.wait_ns / 1e6, (double)r.cpu_ns / 1e6,
		      (double)child_cpu / 1e6, (double)r.wake_ns / 1e6);
	assert_int_equal(r.first, 8);
	assert_true(r.wait_ns >= 900 * MS);
	assert_true(r.cpu_ns < 100 * MS);
	assert_true(child_cpu < 300 * MS);
	assert_true(r.wake_ns < 500 * MS);
	/*
	 * The child announced its sleep, so publishing the stamp issued
	 * exactly one wake-up (ring 0, producer's seq); nothing else did.
	 */
	assert_int_equal(wake_seq(&f->ring[0]->prod_wake), 1);
	assert_int_equal(wake_sleeping(&f->ring[0]->cons_wake), 0);
}

static void
params_tiny_spin(struct caec_channel_params *p)
{
	caec_channel_params_init(p);
	p->wait.mode = CAEC_WAIT_ADAPTIVE;
	p->wait.spin_ns = 1;
}

/*
 * Ping-pong with both sides spinning 1 ns, and a random 0..40 us pause
 * before each reply: the waiting side goes to sleep on the futex in most
 * rounds, and the reply hits every phase of going to sleep. Every call has
 * a 5 s timeout: a lost wake-up would stall a round until -ETIMEDOUT.
 */
static void
test_adaptive_pingpong_no_lost_wakeup(void **state)
{
	struct fx *f = *state;
	const uint64_t rounds = 20000;
	struct caec_channel_params p;
	uint64_t worst, t0, woke_child, woke_parent;
	struct cres r;
	int fd;

	params_tiny_spin(&p);
	fd = create(f, "nw:memfd?ring=4K", &p);
	start_child(f, fd, "", &p, rounds, true);
	parent_idle_then_stamp(f, 0);
	t0 = now_ns();
	worst = parent_pingpong(f, rounds, true);
	t0 = now_ns() - t0;
	child_result(f, &r, NULL);
	assert_int_equal(r.rounds, rounds);
	woke_child = wake_seq(&f->ring[0]->prod_wake);
	woke_parent = wake_seq(&f->ring[1]->prod_wake);
	print_message("  %" PRIu64 " rounds, %.1f us per round trip, worst %.2f ms; wake-ups issued: %" PRIu64 " to the child, %" PRIu64 " to the parent; child voluntary switches %" PRIu64 "\n",
		      rounds, (double)t0 / 1e3 / (double)rounds,
		      (double)worst / 1e6, woke_child, woke_parent, r.nvcsw);
	/* The test is only meaningful if the sides really slept. */
	assert_true(woke_child >= rounds / 4);
	assert_true(woke_parent >= rounds / 4);
	assert_true(r.nvcsw >= rounds / 4);
}

/*
 * A tight stream through a 4 KiB ring, both sides spinning 1 ns: the
 * producer sleeps for space and the consumer for data, over and over.
 */
static void
test_adaptive_stream_no_lost_wakeup(void **state)
{
	struct fx *f = *state;
	uint64_t n = test_scaled(100000, 20000), woke_cons, woke_prod;
	struct caec_channel_params p;
	struct stream tx, rx;
	struct caec_channel *ch;
	char uri[32];
	struct ep e;
	int fd, rc;

	params_tiny_spin(&p);
	fd = create(f, "nw:memfd?ring=4K", &p);
	stream_init(&tx, 1, n, 1, OP_ALL, 5000);
	rx = tx;
	f->child = fork();
	assert_true(f->child >= 0);
	if (f->child == 0) {
		snprintf(uri, sizeof(uri), "nw:fd/%d", fd);
		if (caec_channel_attach(uri, &p, &ch))
			_exit(3);
		e = ep_channel(ch);
		rc = stream_recv(&e, &rx);
		if (rc)
			fprintf(stderr, "child: %s\n", rx.why);
		caec_channel_close(ch);
		_exit(rc ? 1 : 0);
	}
	e = ep_channel(f->ch);
	stream_send(&e, &tx);
	if (tx.rc)
		fail_msg("%s", tx.why);
	woke_cons = wake_seq(&f->ring[0]->prod_wake);
	woke_prod = wake_seq(&f->ring[0]->cons_wake);
	caec_channel_close(f->ch);
	f->ch = NULL;
	assert_int_equal(waitpid(f->child, &rc, 0), f->child);
	f->child = -1;
	assert_true(WIFEXITED(rc));
	assert_int_equal(WEXITSTATUS(rc), 0);
	print_message("  %" PRIu64 " messages; wake-ups: %" PRIu64 " to the consumer, %" PRIu64 " to the producer\n",
		      n, woke_cons, woke_prod);
	/*
	 * Both sleeping paths were taken, many times (how often depends on
	 * which side is faster; test_adaptive_producer_waits_for_space makes
	 * the producer sleep deterministically).
	 */
	assert_true(woke_cons >= 20);
	assert_true(woke_prod >= 20);
}

/*
 * The producer blocks for space behind a slow consumer: it sleeps (little
 * CPU), the consumer's head updates wake it, and every message arrives.
 */
static void
test_adaptive_producer_waits_for_space(void **state)
{
	struct fx *f = *state;
	const uint32_t msgs = 200, len = 1000;
	uint8_t buf[1000];
	uint64_t c0, w0, cpu, wall, woke_prod;
	struct caec_channel *ch;
	char uri[32];
	uint32_t i;
	ssize_t n;
	int fd, rc, status;

	fd = create(f, "nw:memfd?ring=4K", NULL);
	f->child = fork();
	assert_true(f->child >= 0);
	if (f->child == 0) {
		snprintf(uri, sizeof(uri), "nw:fd/%d", fd);
		if (caec_channel_attach(uri, NULL, &ch))
			_exit(3);
		sleep_ms(100);
		for (i = 0; i < msgs; i++) {
			n = caec_channel_recv(ch, buf, sizeof(buf), 0, 5000);
			if (n != len || stamp_check(buf, len, i)) {
				fprintf(stderr, "child: message %u: %zd\n", i,
					n);
				_exit(1);
			}
			sleep_ms(3);
		}
		caec_channel_close(ch);
		_exit(0);
	}
	c0 = cpu_ns(CLOCK_THREAD_CPUTIME_ID);
	w0 = now_ns();
	for (i = 0; i < msgs; i++) {
		stamp_fill(buf, len, i);
		rc = caec_channel_send(f->ch, buf, len, 0, 5000);
		if (rc)
			fail_msg("message %u: %s", i, caec_strerror(rc));
	}
	cpu = cpu_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
	wall = now_ns() - w0;
	woke_prod = wake_seq(&f->ring[0]->cons_wake);
	assert_int_equal(waitpid(f->child, &status, 0), f->child);
	f->child = -1;
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	print_message("  producer blocked %.0f ms using %.2f ms CPU; the consumer woke it %" PRIu64 " times\n",
		      (double)wall / 1e6, (double)cpu / 1e6, woke_prod);
	/* Four 1008-byte records fill the ring: the rest waited. */
	assert_true(wall >= 500 * MS);
	assert_true(cpu < 100 * MS);
	assert_true(woke_prod >= msgs / 2);
}

/*
 * wake=none: ADAPTIVE is refused, the attacher defaults to BACKOFF, an idle
 * wait costs little CPU, and no side ever touches the futex words.
 */
static void
test_backoff_on_nowake_region(void **state)
{
	struct fx *f = *state;
	struct caec_channel *bad;
	uint64_t child_cpu, worst;
	struct cres r;
	char uri[64];
	int fd, i, k;

	fd = create(f, "nw:memfd?wake=none&wait=backoff", NULL);
	snprintf(uri, sizeof(uri), "nw:fd/%d?wait=adaptive", fd);
	assert_int_equal(caec_channel_attach(uri, NULL, &bad), -EINVAL);
	assert_non_null(strstr(caec_error_detail(), "adaptive"));
	/* NULL params: the attacher picks BACKOFF by itself. */
	start_child(f, fd, "", NULL, 2000, false);
	parent_idle_then_stamp(f, 1000);
	worst = parent_pingpong(f, 2000, false);
	child_result(f, &r, &child_cpu);
	print_message("  waited %.0f ms, %.2f ms CPU (whole child %.2f ms), woke after %.3f ms; 2000 rounds, worst %.2f ms\n",
		      (double)r.wait_ns / 1e6, (double)r.cpu_ns / 1e6,
		      (double)child_cpu / 1e6, (double)r.wake_ns / 1e6,
		      (double)worst / 1e6);
	assert_true(r.wait_ns >= 900 * MS);
	assert_true(r.cpu_ns < 100 * MS);
	/* Back-off sleeps are capped at 1 ms by default. */
	assert_true(r.wake_ns < 100 * MS);
	caec_channel_close(f->ch);
	f->ch = NULL;
	for (i = 0; i < 2; i++) {
		const struct caec_ring_wake *w[2] = { &f->ring[i]->prod_wake,
						      &f->ring[i]->cons_wake };

		for (k = 0; k < 2; k++) {
			assert_int_equal(wake_seq(w[k]), 0);
			assert_int_equal(wake_sleeping(w[k]), 0);
		}
		assert_int_equal(f->ring[i]->hdr.flags, CAEC_RING_F_NOWAKE);
	}
}

/*
 * SPIN: ping-pong works and nobody ever announces sleep (no wake-up is
 * issued); a timed wait burns CPU until the timeout.
 */
static void
test_spin_mode(void **state)
{
	struct fx *f = *state;
	uint64_t worst, c0, w0, cpu, wall;
	struct cres r;
	char b[8];
	int fd;

	fd = create(f, "nw:memfd?wait=spin", NULL);
	start_child(f, fd, "?wait=spin", NULL, 5000, false);
	parent_idle_then_stamp(f, 0);
	worst = parent_pingpong(f, 5000, false);
	child_result(f, &r, NULL);
	assert_true(r.wake_ns < 500 * MS);
	/* Neither side slept: the publishers never had to wake anybody. */
	assert_int_equal(wake_seq(&f->ring[0]->prod_wake), 0);
	assert_int_equal(wake_seq(&f->ring[1]->cons_wake), 0);

	/* The child closed its side: drain nothing, get -EPIPE at once. */
	assert_int_equal(caec_channel_recv(f->ch, b, sizeof(b), 0, 100),
			 -EPIPE);
	caec_channel_close(f->ch);
	f->ch = NULL;
	assert_int_equal(caec_channel_create("nw:memfd?wait=spin", NULL,
					     &f->ch), 0);
	c0 = cpu_ns(CLOCK_THREAD_CPUTIME_ID);
	w0 = now_ns();
	assert_int_equal(caec_channel_recv(f->ch, b, sizeof(b), 0, 200),
			 -ETIMEDOUT);
	cpu = cpu_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
	wall = now_ns() - w0;
	print_message("  5000 rounds, worst %.3f ms; a 200 ms spin wait took %.0f ms wall, %.0f ms CPU\n",
		      (double)worst / 1e6, (double)wall / 1e6,
		      (double)cpu / 1e6);
	assert_true(wall >= 200 * MS && wall < 2000 * MS);
	/* Spinning, not sleeping (a futex sleep would cost ~0). */
	assert_true(cpu >= wall / 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_adaptive_idle_sleeps,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_adaptive_pingpong_no_lost_wakeup, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_adaptive_stream_no_lost_wakeup, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_adaptive_producer_waits_for_space, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_backoff_on_nowake_region,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_spin_mode, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("wakeup", tests, NULL, NULL);
}

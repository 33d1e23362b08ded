/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Integration tests: two processes exchange stamped streams
 * (tests/lib/stream.h) over a channel and check that nothing is lost,
 * duplicated, reordered or corrupted.
 *
 *   fork:  the parent creates nw:memfd, the child attaches with nw:fd/N
 *   exec:  the parent creates nw:shm/NAME (or nw:memfd), and spawns the
 *          ipc_peer helper (path in $CAEC_IPC_PEER) which attaches by URI
 *
 * The streams mix copy, zero-copy and batching on both sides; the duplex
 * tests run both directions at once. Message counts scale with
 * CAEC_TEST_SCALE (the big stream is 10^6 messages at scale 1).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <caec/caec.h>

#include "lib/clock.h"
#include "lib/scale.h"
#include "lib/stream.h"

#define TIMEOUT_MS 30000
#define CHILD_WAIT_MS 120000
#define HELLO "ipc_peer attached"

extern char **environ;

static int skipped;

struct fx {
	char name[64];		/* shm object name, without the '/' */
	struct caec_channel *ch;
	pid_t child;
};

static int
setup(void **state)
{
	static unsigned int seq;
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->name, sizeof(f->name), "caec-test-ipc-%d-%u",
		 (int)getpid(), seq++);
	f->child = -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char path[80];

	if (f->child > 0) {
		kill(f->child, SIGKILL);
		waitpid(f->child, NULL, 0);
	}
	caec_channel_close(f->ch);
	snprintf(path, sizeof(path), "/%s", f->name);
	shm_unlink(path);
	free(f);
	return 0;
}

/* Wait for the child; kill it after @timeout_ms. Asserts exit @want. */
static void
expect_child_exit(struct fx *f, int want)
{
	uint64_t deadline = now_ns() + (uint64_t)CHILD_WAIT_MS * 1000000u;
	int status = 0;
	pid_t p;

	for (;;) {
		p = waitpid(f->child, &status, WNOHANG);
		if (p == f->child)
			break;
		assert_int_equal(p, 0);
		if (now_ns() > deadline) {
			kill(f->child, SIGKILL);
			waitpid(f->child, NULL, 0);
			f->child = -1;
			fail_msg("child did not finish in %d ms", CHILD_WAIT_MS);
		}
		sleep_ms(2);
	}
	f->child = -1;
	if (WIFSIGNALED(status))
		fail_msg("child killed by signal %d", WTERMSIG(status));
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) != want)
		fail_msg("child exit status %d, expected %d",
			 WEXITSTATUS(status), want);
}

static void
create(struct fx *f, const char *uri)
{
	int rc = caec_channel_create(uri, NULL, &f->ch);

	if (rc)
		fail_msg("create %s: %s (%s)", uri, caec_strerror(rc),
			 caec_error_detail());
}

/* nw:shm/<the fixture's name><query> */
static void
create_shm(struct fx *f, const char *query)
{
	char uri[160];

	snprintf(uri, sizeof(uri), "nw:shm/%s%s", f->name, query);
	create(f, uri);
}

static void
assert_stream_ok(const struct stream *s)
{
	if (s->rc)
		fail_msg("%s", s->why);
	assert_int_equal(s->done, s->count);
}

/* Close f->ch (the child then sees -EPIPE); the child must exit @want. */
static void
close_then_expect_exit(struct fx *f, int want)
{
	caec_channel_close(f->ch);
	f->ch = NULL;
	expect_child_exit(f, want);
}

/* Send @tx on f->ch, close it, and expect the child to exit 0. */
static void
send_then_close(struct fx *f, struct stream *tx)
{
	struct ep e = ep_channel(f->ch);

	stream_send(&e, tx);
	assert_stream_ok(tx);
	/* The child drains what is left, then sees -EPIPE. */
	close_then_expect_exit(f, 0);
}

/*
 * After a duplex run: the child sent exactly what we received, nothing more
 * is queued; then close, and the child must exit 0.
 */
static void
drained_then_close(struct fx *f)
{
	char b[8];

	assert_int_equal(caec_channel_recv(f->ch, b, sizeof(b), 0, 0),
			 -EAGAIN);
	close_then_expect_exit(f, 0);
}

static void
report(const char *what, uint64_t msgs, uint64_t bytes, uint64_t t0)
{
	double secs = (double)(now_ns() - t0) / 1e9;

	print_message("  %s: %" PRIu64 " messages, %.1f MB in %.2f s\n", what,
		      msgs, (double)bytes / 1e6, secs);
}

/* ---- fork over nw:memfd -------------------------------------------- */

/* The child side: attach by inherited descriptor. Never returns. */
static void __attribute__((noreturn))
child_run(int fd, int (*fn)(struct ep *, struct stream *), struct stream *s)
{
	struct caec_channel *ch;
	char uri[32];
	struct ep e;
	int rc;

	snprintf(uri, sizeof(uri), "nw:fd/%d", fd);
	rc = caec_channel_attach(uri, NULL, &ch);
	if (rc) {
		fprintf(stderr, "child: attach %s: %s (%s)\n", uri,
			caec_strerror(rc), caec_error_detail());
		_exit(3);
	}
	e = ep_channel(ch);
	rc = fn(&e, s);
	if (rc)
		fprintf(stderr, "child: %s\n", s->why);
	caec_channel_close(ch);
	_exit(rc ? 1 : 0);
}

static void
fork_stream(struct fx *f, const char *uri, uint64_t n, unsigned int ops)
{
	struct stream tx, rx;
	uint64_t t0;
	int fd;

	create(f, uri);
	fd = caec_channel_region_fd(f->ch);
	assert_true(fd >= 0);
	stream_init(&tx, 1, n, 0x1234 + n, ops, TIMEOUT_MS);
	rx = tx;
	f->child = fork();
	assert_true(f->child >= 0);
	if (f->child == 0)
		child_run(fd, stream_recv, &rx);
	t0 = now_ns();
	send_then_close(f, &tx);
	report(uri, n, tx.bytes, t0);
}

static void
test_fork_stream(void **state)
{
	fork_stream(*state, "nw:memfd", test_scaled(1000000, 20000), OP_ALL);
}

static void
test_fork_stream_small_ring(void **state)
{
	/* 4 KiB ring, messages up to its 2040-byte limit: constant wrap. */
	fork_stream(*state, "nw:memfd?ring=4K", test_scaled(200000, 5000),
		    OP_ALL);
}

static void
test_fork_stream_copy_only(void **state)
{
	/* The creator spins: kept short, the cores may be shared. */
	fork_stream(*state, "nw:memfd?ring=16K&wait=spin",
		    test_scaled(50000, 5000), OP_COPY);
}

static void
test_fork_stream_zero_copy_batched(void **state)
{
	fork_stream(*state, "nw:memfd?ring=32K&wait=backoff",
		    test_scaled(100000, 5000), OP_ZC | OP_BATCH);
}

/*
 * The parent's half of a duplex run on f->ch: @tx from a thread, @rx in
 * this one; both streams must end intact.
 */
static void
duplex_parent(struct fx *f, struct stream *tx, struct stream *rx)
{
	struct ep e = ep_channel(f->ch);

	stream_duplex(&e, tx, rx);
	assert_stream_ok(tx);
	assert_stream_ok(rx);
}

/*
 * Both directions at once: each process sends its own stream from a thread
 * and receives the peer's in the main thread.
 */
static void
test_fork_duplex(void **state)
{
	struct fx *f = *state;
	uint64_t n = test_scaled(200000, 5000), t0;
	struct stream tx, rx;
	char b[8];
	int fd;

	create(f, "nw:memfd?ring=16K");
	fd = caec_channel_region_fd(f->ch);
	assert_true(fd >= 0);
	stream_init(&tx, 1, n, 11, OP_ALL, TIMEOUT_MS);
	stream_init(&rx, 2, n, 22, OP_ALL, TIMEOUT_MS);
	rx.end_epipe = false;
	f->child = fork();
	assert_true(f->child >= 0);
	if (f->child == 0) {
		struct stream c_tx, c_rx;
		struct caec_channel *ch;
		char uri[32];
		struct ep e;
		int rc;

		/* Child: sends stream 2, receives stream 1, then -EPIPE. */
		stream_init(&c_tx, 2, n, 22, OP_ALL, TIMEOUT_MS);
		stream_init(&c_rx, 1, n, 11, OP_ALL, TIMEOUT_MS);
		c_rx.end_epipe = false;
		snprintf(uri, sizeof(uri), "nw:fd/%d", fd);
		if (caec_channel_attach(uri, NULL, &ch))
			_exit(3);
		e = ep_channel(ch);
		rc = stream_duplex(&e, &c_tx, &c_rx);
		if (rc)
			fprintf(stderr, "child: %s | %s\n", c_rx.why,
				c_tx.why);
		if (!rc &&
		    caec_channel_recv(ch, b, sizeof(b), 0, TIMEOUT_MS) !=
			    -EPIPE) {
			fprintf(stderr, "child: no -EPIPE after the stream\n");
			rc = -1;
		}
		caec_channel_close(ch);
		_exit(rc ? 1 : 0);
	}
	t0 = now_ns();
	duplex_parent(f, &tx, &rx);
	/* The child sent exactly n. */
	drained_then_close(f);
	report("duplex", 2 * n, tx.bytes + rx.bytes, t0);
}

/* ---- exec'd helper --------------------------------------------------- */

static const char *
peer_path(void)
{
	const char *p = getenv("CAEC_IPC_PEER");

	if (!p || access(p, X_OK)) {
		skipped++;
		print_message("CAEC_IPC_PEER does not name the ipc_peer helper\n");
		skip();
	}
	return p;
}

static void
spawn_peer(struct fx *f, const char *uri, const char *mode, uint64_t count,
	   uint64_t seed, unsigned int ops)
{
	const char *peer = peer_path();
	/* Cross builds run the helper through the emulator (qemu-user). */
	const char *wrap = getenv("CAEC_EXEC_WRAPPER");
	char cnt[24], sd[24], op[8];
	char *argv[] = { (char *)wrap, (char *)peer, (char *)uri, (char *)mode,
			 cnt, sd, op, NULL };
	char **args = wrap && *wrap ? argv : argv + 1;
	char b[64];
	ssize_t n;

	snprintf(cnt, sizeof(cnt), "%" PRIu64, count);
	snprintf(sd, sizeof(sd), "%" PRIu64, seed);
	snprintf(op, sizeof(op), "%u", ops);
	assert_int_equal(posix_spawnp(&f->child, args[0], NULL, NULL, args,
				      environ), 0);
	/* The helper's first message says it is attached. */
	n = caec_channel_recv(f->ch, b, sizeof(b), 0, TIMEOUT_MS);
	if (n < 0)
		fail_msg("no hello from ipc_peer: %s", caec_strerror((int)n));
	assert_int_equal(n, sizeof(HELLO));
	assert_string_equal(b, HELLO);
}

/*
 * Create nw:shm/<name>@create_query and spawn ipc_peer on
 * nw:shm/<name>@attach_query in @mode, for @count messages from @seed.
 */
static void
spawn_shm_peer(struct fx *f, const char *create_query,
	       const char *attach_query, const char *mode, uint64_t count,
	       uint64_t seed)
{
	char uri[160];

	peer_path();	/* skip before creating anything */
	create_shm(f, create_query);
	snprintf(uri, sizeof(uri), "nw:shm/%s%s", f->name, attach_query);
	spawn_peer(f, uri, mode, count, seed, OP_ALL);
}

static void
test_exec_consume(void **state)
{
	struct fx *f = *state;
	uint64_t n = test_scaled(200000, 5000), t0;
	struct stream tx;

	spawn_shm_peer(f, "", "", "consume", n, 77);
	t0 = now_ns();
	stream_init(&tx, 1, n, 77, OP_ALL, TIMEOUT_MS);
	send_then_close(f, &tx);
	report("exec consume", n, tx.bytes, t0);
}

static void
test_exec_produce(void **state)
{
	struct fx *f = *state;
	uint64_t n = test_scaled(100000, 5000), t0;
	struct stream rx;
	struct ep e;

	/* The helper spins while the ring is full; this side adapts. */
	spawn_shm_peer(f, "?ring=8K", "?wait=spin", "produce", n, 99);
	t0 = now_ns();
	stream_init(&rx, 2, n, 99 ^ 0x7a11, OP_ALL, TIMEOUT_MS);
	e = ep_channel(f->ch);
	stream_recv(&e, &rx);
	assert_stream_ok(&rx);
	expect_child_exit(f, 0);
	report("exec produce", n, rx.bytes, t0);
}

static void
test_exec_duplex(void **state)
{
	struct fx *f = *state;
	uint64_t n = test_scaled(100000, 5000), t0;
	struct stream tx, rx;

	spawn_shm_peer(f, "?ring=32K", "", "duplex", n, 5);
	t0 = now_ns();
	stream_init(&tx, 1, n, 5, OP_ALL, TIMEOUT_MS);
	stream_init(&rx, 2, n, 5 ^ 0x7a11, OP_ALL, TIMEOUT_MS);
	/* The helper closes once it has all of ours: -EPIPE ends rx. */
	duplex_parent(f, &tx, &rx);
	expect_child_exit(f, 0);
	report("exec duplex", 2 * n, tx.bytes + rx.bytes, t0);
}

static void
test_exec_echo(void **state)
{
	struct fx *f = *state;
	uint64_t n = test_scaled(100000, 5000), t0;
	struct stream tx, rx;

	spawn_shm_peer(f, "?ring=16K", "?wait=backoff", "echo", 0, 0);
	t0 = now_ns();
	stream_init(&tx, 1, n, 3, OP_ALL, TIMEOUT_MS);
	rx = tx;
	rx.end_epipe = false;
	duplex_parent(f, &tx, &rx);
	/* The helper echoed exactly ours, sees -EPIPE and exits 0. */
	drained_then_close(f);
	report("exec echo", 2 * n, tx.bytes + rx.bytes, t0);
}

/*
 * An exec'd program attaches to an inherited memfd by number. The channel's
 * own descriptor is close-on-exec (no program the process runs inherits a
 * region by accident), so the parent hands over a dup() of it on purpose.
 */
static void
test_exec_inherited_memfd(void **state)
{
	struct fx *f = *state;
	uint64_t n = test_scaled(20000, 2000);
	struct stream tx;
	char uri[32];
	int fd, pass;

	peer_path();
	create(f, "nw:memfd?ring=8K");
	fd = caec_channel_region_fd(f->ch);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	pass = dup(fd);
	assert_true(pass >= 0);
	assert_int_equal(fcntl(pass, F_GETFD) & FD_CLOEXEC, 0);
	snprintf(uri, sizeof(uri), "nw:fd/%d", pass);
	spawn_peer(f, uri, "consume", n, 8, OP_ALL);
	close(pass);
	stream_init(&tx, 1, n, 8, OP_ALL, TIMEOUT_MS);
	send_then_close(f, &tx);
}

/*
 * A program the process execs without meaning to hand it the region must
 * not inherit it: spawn a shell that reports whether the channel's
 * descriptor number is open in it.
 */
static void
test_memfd_not_inherited_by_exec(void **state)
{
	struct fx *f = *state;
	char cmd[64];
	char *argv[] = { "sh", "-c", cmd, NULL };
	pid_t pid;
	int fd, st;

	create(f, "nw:memfd?ring=8K");
	fd = caec_channel_region_fd(f->ch);
	assert_true(fd >= 0);
	/* Exit 0 when the descriptor is closed in the exec'd program. */
	snprintf(cmd, sizeof(cmd), "! true 2>/dev/null <&%d", fd);
	assert_int_equal(posix_spawnp(&pid, "sh", NULL, NULL, argv, environ),
			 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/*
 * The verifier is what makes the other tests mean something: a stream with
 * one corrupted, lost, duplicated or reordered message must make the
 * consuming helper fail (exit 1).
 */
static void
test_exec_peer_detects_faults(void **state)
{
	static const enum stream_fault faults[] = { FAULT_FLIP, FAULT_SKIP,
						    FAULT_DUP, FAULT_SWAP };
	struct fx *f = *state;
	struct stream tx;
	struct ep e;
	size_t i;

	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		snprintf(f->name, sizeof(f->name), "caec-test-ipc-%d-fault%zu",
			 (int)getpid(), i);
		spawn_shm_peer(f, "?ring=8K", "", "consume", 3000, 42);
		stream_init(&tx, 1, 3000, 42, OP_ALL, TIMEOUT_MS);
		tx.fault = faults[i];
		tx.fault_at = 1500;
		e = ep_channel(f->ch);
		stream_send(&e, &tx);
		/* The helper may have closed first: then -EPIPE here. */
		if (tx.rc && tx.rc != -EPIPE)
			fail_msg("fault %d: %s", faults[i], tx.why);
		close_then_expect_exit(f, 1);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fork_stream, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fork_stream_small_ring,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_fork_stream_copy_only,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fork_stream_zero_copy_batched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fork_duplex, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_exec_consume, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_exec_produce, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_exec_duplex, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_exec_echo, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_exec_inherited_memfd,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_memfd_not_inherited_by_exec,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_peer_detects_faults,
						setup, teardown),
	};
	int failed = cmocka_run_group_tests_name("ipc", tests, NULL, NULL);

	return failed ? failed : skipped ? 77 : 0;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One client cannot stall or starve caec-rmmd (src/rmmd/rmmd_limits.c,
 * rmmd_measure.c). Hostile clients play each attack while an honest realm
 * (this process, speaking the protocol itself) makes calls that must each
 * complete within 1 s; the worst latency is printed.
 *
 *   sparse     an executable with a 64 GiB sparse tail: refused at once by
 *              --max-exe-mib; allowed (a huge limit), it is hashed off the
 *              event loop, the honest realm's calls are not delayed, and
 *              the hash stops when its client goes
 *   quota      one realm's regions stop at --realm-max-regions and
 *              --realm-pool-mib (-EDQUOT); another realm still creates
 *   per uid    connections of one uid stop at --max-clients-per-uid, those
 *              of another uid (root only) still connect
 *   no fds     with descriptors exhausted the daemon refuses connections
 *              without spinning (its CPU time over a second of pending
 *              connections stays low) and serves again once they are back
 *   at once    all of these together (but the exhaustion, which refuses
 *              everyone), the honest realm's calls still within 1 s
 *   slow close a client passes a descriptor whose last close blocks (a TCP
 *              socket lingering 5 s on data its peer never reads): it gets
 *              -EPROTO, and the close blocks a thread of its own, not the
 *              honest realm's calls
 *
 * A file system whose server never answers (FUSE) needs /dev/fuse and a
 * server; the sparse executable plays the same slow read without them.
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
#include <signal.h>
#include <stdio.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/exe_copy.h"
#include "lib/rmmd_daemon.h"
#include "lib/rmmd_raw.h"
#include "lib/uid.h"
#include "../src/proto/rmmd_wire.h"

#define HONEST_BOUND_NS 1000000000ull

static const char *peer;
static char dir[64];

static uint64_t worst_ns;

/* One honest round: connect, HELLO, CREATE 64 KiB, DESTROY; each call
 * timed. RETURN VALUE: 0, or the step that failed. */
static int
honest_round(const char *sock)
{
	struct rmmd_req_create cr = { 64u << 10 };
	struct rmmd_req_destroy de;
	struct raw_reply rr;
	uint64_t t0, t;
	int fd, rc = 0;

	t0 = now_ns();
	fd = raw_connect(sock);
	if (fd < 0)
		return 1;
	if (raw_hello(fd, NULL))
		rc = 2;
	t = now_ns() - t0;
	if (t > worst_ns)
		worst_ns = t;
	t0 = now_ns();
	if (!rc && raw_call(fd, RMMD_T_CREATE, &cr, sizeof(cr), &rr))
		rc = 3;
	t = now_ns() - t0;
	if (t > worst_ns)
		worst_ns = t;
	if (!rc) {
		if (rr.fd >= 0)
			close(rr.fd);
		de.csm_id = rr.r.val[0];
		t0 = now_ns();
		if (raw_call(fd, RMMD_T_DESTROY, &de, sizeof(de), NULL))
			rc = 4;
		t = now_ns() - t0;
		if (t > worst_ns)
			worst_ns = t;
	}
	close(fd);
	return rc;
}

static void
honest_rounds(const char *sock, int n)
{
	int i;

	worst_ns = 0;
	for (i = 0; i < n; i++)
		assert_int_equal(honest_round(sock), 0);
	printf("honest realm: worst call %.1f ms over %d rounds\n",
	       (double)worst_ns / 1e6, n);
	assert_true(worst_ns < HONEST_BOUND_NS);
}

/* Start @exe hello SOCK in the background. */
static pid_t
spawn_hello(const char *exe, const char *sock)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		execl(exe, exe, "hello", sock, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static int
wait_status(pid_t pid)
{
	int st;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The daemon's CPU time (user + system), ns. */
static uint64_t
daemon_cpu_ns(pid_t pid)
{
	unsigned long long ut, st;
	char path[64], buf[1024], *p;
	int fd, i;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n > 0);
	buf[n] = 0;
	p = strrchr(buf, ')');
	assert_non_null(p);
	/* Fields after the command: state is 3rd; utime, stime 14th, 15th. */
	for (i = 0; i < 12 && p; i++)
		p = strchr(p + 1, ' ');
	assert_non_null(p);
	assert_int_equal(sscanf(p + 1, "%llu %llu", &ut, &st), 2);
	return (ut + st) * (1000000000ull / (uint64_t)sysconf(_SC_CLK_TCK));
}

static void
make_sparse_copy(char *path, size_t cap)
{
	snprintf(path, cap, "%s/sparse", dir);
	assert_int_equal(exe_copy(peer, path), 0);
	assert_int_equal(truncate(path, 64ll << 30), 0);
}

static void
test_sparse_executable_refused(void **state)
{
	struct rmmd_daemon dm;
	char path[128];
	uint64_t t0;

	(void)state;
	make_sparse_copy(path, sizeof(path));
	assert_int_equal(rmmd_daemon_start(&dm, NULL), 0);
	t0 = now_ns();
	/* Refused without reading it: its HELLO finds the connection gone. */
	assert_int_not_equal(wait_status(spawn_hello(path, dm.sock)), 0);
	assert_true(now_ns() - t0 < 4000000000ull);
	honest_rounds(dm.sock, 20);
	assert_int_equal(rmmd_daemon_stop(&dm), 0);
	unlink(path);
}

static void
test_sparse_executable_hashed_off_loop(void **state)
{
	const char *args[] = { "--max-exe-mib", "1048576", NULL };
	struct rmmd_daemon dm;
	uint64_t c0, c1;
	char path[128];
	pid_t big;

	(void)state;
	make_sparse_copy(path, sizeof(path));
	assert_int_equal(rmmd_daemon_start(&dm, args), 0);
	big = spawn_hello(path, dm.sock);
	usleep(200000);		/* it is connected and being hashed */
	honest_rounds(dm.sock, 50);
	kill(big, SIGKILL);
	(void)wait_status(big);	/* killed, or it gave up on its HELLO */
	/* Its client gone, the hash stops: the daemon goes quiet. */
	usleep(300000);
	c0 = daemon_cpu_ns(dm.pid);
	usleep(500000);
	c1 = daemon_cpu_ns(dm.pid);
	printf("daemon CPU after the client left: %.0f ms in 500 ms\n",
	       (double)(c1 - c0) / 1e6);
	assert_true(c1 - c0 < 150000000ull);
	assert_int_equal(rmmd_daemon_stop(&dm), 0);
	unlink(path);
}

static void
test_realm_quota(void **state)
{
	const char *args[] = { "--realm-pool-mib", "8", "--realm-max-regions",
			       "3", NULL };
	struct rmmd_req_create four = { 4u << 20 }, one = { 1u << 20 };
	struct rmmd_daemon dm;
	struct raw_reply rr;
	int a, b, i;

	(void)state;
	assert_int_equal(rmmd_daemon_start(&dm, args), 0);
	a = raw_connect(dm.sock);
	b = raw_connect(dm.sock);
	assert_true(a >= 0 && b >= 0);
	assert_int_equal(raw_hello(a, NULL), 0);
	assert_int_equal(raw_hello(b, NULL), 0);
	/* Bytes: 4 + 4 MiB fit in 8, a third 4 MiB does not. */
	for (i = 0; i < 2; i++) {
		assert_int_equal(raw_call(a, RMMD_T_CREATE, &four, sizeof(four),
					  &rr), 0);
		close(rr.fd);
	}
	assert_int_equal(raw_call(a, RMMD_T_CREATE, &four, sizeof(four), NULL),
			 -EDQUOT);
	/* Count: a third region of any size is refused past 3. */
	assert_int_equal(raw_call(b, RMMD_T_CREATE, &one, sizeof(one), &rr), 0);
	close(rr.fd);
	assert_int_equal(raw_call(b, RMMD_T_CREATE, &one, sizeof(one), &rr), 0);
	close(rr.fd);
	assert_int_equal(raw_call(b, RMMD_T_CREATE, &one, sizeof(one), &rr), 0);
	close(rr.fd);
	assert_int_equal(raw_call(b, RMMD_T_CREATE, &one, sizeof(one), NULL),
			 -EDQUOT);
	/* Another realm is not starved. */
	honest_rounds(dm.sock, 5);
	close(a);
	close(b);
	assert_int_equal(rmmd_daemon_stop(&dm), 0);
}

static void
test_connections_per_uid(void **state)
{
	const char *args[] = { "--max-clients-per-uid", "4", NULL };
	struct rmmd_daemon dm;
	int fds[6], i, ok = 0, st;
	pid_t pid;

	(void)state;
	assert_int_equal(rmmd_daemon_start(&dm, args), 0);
	for (i = 0; i < 6; i++) {
		fds[i] = raw_connect(dm.sock);
		assert_true(fds[i] >= 0);
		ok += raw_hello(fds[i], NULL) == 0;
	}
	assert_int_equal(ok, 4);
	if (test_uids_available()) {
		/* Another uid still connects. */
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			int fd;

			if (test_become(TEST_UID(50)))
				_exit(3);
			fd = raw_connect(dm.sock);
			_exit(fd >= 0 && raw_hello(fd, NULL) == 0 ? 0 : 4);
		}
		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 0);
	}
	/* One of ours leaves: one more comes in. */
	for (i = 0; i < 6; i++)
		close(fds[i]);
	usleep(100000);
	honest_rounds(dm.sock, 5);
	assert_int_equal(rmmd_daemon_stop(&dm), 0);
}

static void
test_descriptors_exhausted_no_spin(void **state)
{
	const char *args[] = { "--max-clients-per-uid", "1000",
			       "--max-clients", "1000", NULL };
	struct rlimit low = { 64, 64 };
	struct rmmd_daemon dm;
	int fds[200], n = 0, i, hello_ok = 0;
	uint64_t c0, c1;

	(void)state;
	assert_int_equal(rmmd_daemon_start(&dm, args), 0);
	/* The running daemon gets 64 descriptors at most (soft and hard). */
	assert_int_equal(prlimit(dm.pid, RLIMIT_NOFILE, &low, NULL), 0);
	for (i = 0; i < 200; i++) {
		fds[n] = raw_connect(dm.sock);
		if (fds[n] < 0)
			break;
		hello_ok += raw_hello(fds[n], NULL) == 0;
		n++;
	}
	printf("%d realms connected under 64 descriptors; %d more refused\n",
	       hello_ok, n - hello_ok);
	assert_true(hello_ok > 4 && hello_ok < n);
	/* Connections keep arriving while none can be served. */
	c0 = daemon_cpu_ns(dm.pid);
	for (i = 0; i < 20; i++) {
		int fd = raw_connect(dm.sock);

		usleep(50000);
		if (fd >= 0)
			close(fd);
	}
	c1 = daemon_cpu_ns(dm.pid);
	printf("daemon CPU over 1 s of refused connections: %.0f ms\n",
	       (double)(c1 - c0) / 1e6);
	assert_true(c1 - c0 < 300000000ull);
	for (i = 0; i < n; i++)
		close(fds[i]);
	usleep(200000);
	honest_rounds(dm.sock, 5);
	assert_int_equal(rmmd_daemon_stop(&dm), 0);
}

/*
 * A TCP connection over loopback whose peer never reads, its send queue
 * full, SO_LINGER 5 s: its last close() blocks until the linger runs out.
 */
static int
lingering_socket(int *listener)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct linger lg = { 1, 5 };
	socklen_t len = sizeof(sa);
	static char junk[65536];
	int s, l;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(l >= 0);
	assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(l, 1), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&sa, &len), 0);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	assert_true(s >= 0);
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)))
		assert_int_equal(errno, EINPROGRESS);
	usleep(100000);
	while (send(s, junk, sizeof(junk), MSG_NOSIGNAL) > 0)
		;
	assert_int_equal(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
	*listener = l;
	return s;
}

static void
test_slow_close_of_passed_descriptor(void **state)
{
	struct rmmd_req_hello h = { RMMD_VERSION, RMMD_VERSION, 0 };
	struct rmmd_daemon dm;
	struct raw_reply rr;
	uint8_t pkt[RMMD_MSG_MAX];
	int fd, s, l;
	size_t n;

	(void)state;
	assert_int_equal(rmmd_daemon_start(&dm, NULL), 0);
	fd = raw_connect(dm.sock);
	assert_true(fd >= 0);
	s = lingering_socket(&l);
	n = rmmd_pack(pkt, RMMD_T_HELLO, 1, &h, sizeof(h));
	assert_int_equal(rmmd_send(fd, pkt, n, s, 0), (ssize_t)n);
	close(s);		/* the daemon holds the last reference */
	assert_int_equal(raw_next(fd, &rr, 5000), 0);
	assert_int_equal(rr.r.status, -EPROTO);
	/* Its close is lingering now; the daemon serves on. */
	honest_rounds(dm.sock, 20);
	close(fd);
	close(l);
	assert_int_equal(rmmd_daemon_stop(&dm), 0);
}

/* Every attack above at once, while the honest realm works. */
static void
test_all_attacks_at_once(void **state)
{
	const char *args[] = { "--max-exe-mib", "1048576", "--realm-pool-mib",
			       "8", NULL };
	struct rmmd_req_hello h = { RMMD_VERSION, RMMD_VERSION, 0 };
	struct rmmd_req_create four = { 4u << 20 };
	uint8_t pkt[RMMD_MSG_MAX];
	struct rmmd_daemon dm;
	struct raw_reply rr;
	int q, fd, s, l, idle[20], i;
	char path[128];
	pid_t big;
	size_t n;

	(void)state;
	make_sparse_copy(path, sizeof(path));
	assert_int_equal(rmmd_daemon_start(&dm, args), 0);
	big = spawn_hello(path, dm.sock);		/* hashed for ages */
	fd = raw_connect(dm.sock);			/* a lingering close */
	assert_true(fd >= 0);
	s = lingering_socket(&l);
	n = rmmd_pack(pkt, RMMD_T_HELLO, 1, &h, sizeof(h));
	assert_int_equal(rmmd_send(fd, pkt, n, s, 0), (ssize_t)n);
	close(s);
	q = raw_connect(dm.sock);			/* a realm at its quota */
	assert_true(q >= 0);
	assert_int_equal(raw_hello(q, NULL), 0);
	for (i = 0; i < 2; i++) {
		assert_int_equal(raw_call(q, RMMD_T_CREATE, &four, sizeof(four),
					  &rr), 0);
		close(rr.fd);
	}
	assert_int_equal(raw_call(q, RMMD_T_CREATE, &four, sizeof(four), NULL),
			 -EDQUOT);
	for (i = 0; i < 20; i++)			/* idle connections */
		idle[i] = raw_connect(dm.sock);
	honest_rounds(dm.sock, 50);
	for (i = 0; i < 20; i++)
		if (idle[i] >= 0)
			close(idle[i]);
	kill(big, SIGKILL);	/* or it gave up waiting for its HELLO */
	(void)wait_status(big);
	close(q);
	close(fd);
	close(l);
	assert_int_equal(rmmd_daemon_stop(&dm), 0);
	unlink(path);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/caec-starve-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	rmdir(dir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sparse_executable_refused),
		cmocka_unit_test(test_sparse_executable_hashed_off_loop),
		cmocka_unit_test(test_realm_quota),
		cmocka_unit_test(test_connections_per_uid),
		cmocka_unit_test(test_descriptors_exhausted_no_spin),
		cmocka_unit_test(test_slow_close_of_passed_descriptor),
		cmocka_unit_test(test_all_attacks_at_once),
	};

	if (getenv("CAEC_TEST_EMULATED")) {
		printf("skipped: under qemu-user the daemon measures the emulator\n");
		return 77;
	}
	peer = getenv("CAEC_MEASURE_PEER");
	if (!peer) {
		printf("skipped: CAEC_MEASURE_PEER is not set\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}

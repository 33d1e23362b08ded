/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What caec-rmmd's measurement (the emulation's RIM) covers, against a
 * user who would forge it (src/rmmd/rmmd_measure.c):
 *
 *   rewritten   a measured executable rewritten in place with other bytes
 *               of the same size, its mtime set back, is measured again:
 *               the next run gets the new bytes' hash, never the old
 *               program's from the cache (keyed on ctime, which no user
 *               sets)
 *   exec other  a process that connected and said HELLO, then exec'd
 *               another program on the same connection, is refused a token
 *               (-EACCES) and dropped: a token would vouch for the first
 *               program while the second runs
 *   exec same   the same program exec'd again keeps its connection
 *
 * Under qemu-user the daemon would measure the emulator: skipped there.
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
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/exe_copy.h"
#include "lib/rmmd_daemon.h"
#include "lib/rmmd_raw.h"
#include "../src/attest/sha256.h"

static struct rmmd_daemon daemon_;
static char dir[64];
static const char *peer;

/* Run @argv with stdout into @out (NUL-terminated); its exit status. */
static int
run(char *const argv[], char *out, size_t cap)
{
	int p[2], st;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	while (got + 1 < cap && (n = read(p[0], out + got, cap - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = 0;
	close(p[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void
file_sha256_hex(const char *path, char hex[65])
{
	uint8_t buf[65536], d[32];
	struct sha256 s;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), i;

	assert_true(fd >= 0);
	sha256_init(&s);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sha256_update(&s, buf, (size_t)n);
	close(fd);
	sha256_final(&s, d);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

/* The measurement the daemon takes of @exe now, as 64 hex digits. */
static void
measured(const char *exe, char hex[65])
{
	char *argv[] = { (char *)exe, "hello", daemon_.sock, NULL };
	char out[128];

	assert_int_equal(run(argv, out, sizeof(out)), 0);
	assert_int_equal(strlen(out), 65);
	memcpy(hex, out, 64);
	hex[64] = 0;
}

static void
test_rewritten_executable_measured_again(void **state)
{
	static const char mark[] = "CAEC-MEASURE-PATCH-AREA:";
	char path[128], m1[65], m2[65], h1[65], h2[65];
	struct timespec times[2];
	struct stat st, st2;
	uint8_t buf[65536];
	off_t off = 0, at = -1;
	ssize_t n, i;
	char c;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/peer", dir);
	assert_int_equal(exe_copy(peer, path), 0);
	measured(path, m1);
	file_sha256_hex(path, h1);
	assert_string_equal(m1, h1);

	/* Other bytes in place: same inode, same size, mtime set back. */
	fd = open(path, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	while (at < 0 && (n = pread(fd, buf, sizeof(buf), off)) > 0) {
		for (i = 0; i + (ssize_t)sizeof(mark) <= n; i++)
			if (!memcmp(buf + i, mark, sizeof(mark) - 1)) {
				at = off + i + (off_t)sizeof(mark) - 1;
				break;
			}
		off += n - (ssize_t)sizeof(mark);
	}
	assert_true(at > 0);
	assert_int_equal(pread(fd, &c, 1, at), 1);
	c = c == '0' ? '1' : '0';
	assert_int_equal(pwrite(fd, &c, 1, at), 1);
	times[0] = st.st_atim;
	times[1] = st.st_mtim;
	assert_int_equal(futimens(fd, times), 0);
	assert_int_equal(fstat(fd, &st2), 0);
	close(fd);
	assert_int_equal(st2.st_size, st.st_size);
	assert_int_equal(st2.st_ino, st.st_ino);
	assert_true(st2.st_mtim.tv_sec == st.st_mtim.tv_sec &&
		    st2.st_mtim.tv_nsec == st.st_mtim.tv_nsec);

	measured(path, m2);
	file_sha256_hex(path, h2);
	assert_string_not_equal(h1, h2);
	assert_string_equal(m2, h2);	/* the bytes that run */
	unlink(path);
}

/*
 * A child connects, says HELLO (so it is measured and a realm), then
 * exec's @exe with the connection; what the exec'd program's TOKEN
 * request got.
 */
static int
token_after_exec(const char *exe)
{
	char fdtext[16], out[64];
	int p[2], fd, st;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fd = raw_connect(daemon_.sock);
		if (fd < 0 || raw_hello(fd, NULL) || fcntl(fd, F_SETFD, 0))
			_exit(3);
		snprintf(fdtext, sizeof(fdtext), "%d", fd);
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execl(exe, exe, "token", fdtext, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	n = read(p[0], out, sizeof(out) - 1);
	close(p[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_true(n > 0);
	out[n] = 0;
	return atoi(out);
}

static void
test_exec_other_program_refused(void **state)
{
	char self[4096];
	ssize_t n;

	(void)state;
	/* The child is this test program when it connects; it then runs
	 * the peer, another program. */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(n > 0);
	self[n] = 0;
	assert_string_not_equal(self, peer);
	assert_int_equal(token_after_exec(peer), -EACCES);
}

static void
test_exec_same_program_served(void **state)
{
	char fdtext[16];
	int fd, st;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fd = raw_connect(daemon_.sock);
		if (fd < 0 || raw_hello(fd, NULL) || fcntl(fd, F_SETFD, 0))
			_exit(3);
		snprintf(fdtext, sizeof(fdtext), "%d", fd);
		/* This test program again: main() serves "token FD". */
		execl("/proc/self/exe", "test-csm-measure", "token", fdtext,
		      (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);	/* the token was served */
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/caec-measure-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	return rmmd_daemon_start(&daemon_, NULL);
}

static int
teardown(void **state)
{
	(void)state;
	rmmd_daemon_stop(&daemon_);
	rmdir(dir);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rewritten_executable_measured_again),
		cmocka_unit_test(test_exec_other_program_refused),
		cmocka_unit_test(test_exec_same_program_served),
	};
	struct rmmd_req_token q;

	/* The exec'd half of test_exec_same_program_served. */
	if (argc == 3 && !strcmp(argv[1], "token")) {
		memset(&q, 0x5c, sizeof(q));
		return raw_call(atoi(argv[2]), RMMD_T_TOKEN, &q, sizeof(q),
				NULL) == 0 ? 0 : 1;
	}
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

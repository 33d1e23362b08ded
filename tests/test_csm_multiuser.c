/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * caec-rmmd's two modes, played with realms under distinct uids (forked
 * children that setresuid to numeric uids; root only, else every test is
 * skipped) and a daemon of each test's own.
 *
 *   multi-user    daemon started as root: a RO consumer under another uid
 *                 cannot write by any path (fchmod, reopen through
 *                 /proc/self/fd, a writable mapping, mprotect, pwrite,
 *                 ftruncate), nobody of a third uid reaches the provider's,
 *                 the consumer's or the daemon's descriptors, and the API
 *                 says UID isolation
 *   same-user     daemon and realms under one ordinary uid: the API says
 *                 there is no isolation, and indeed a RO consumer can write
 *                 (fchmod + reopen) — what the mode documents
 *   not dumpable  a process of the daemon's own uid cannot open the
 *                 daemon's descriptors (the regions' read-write memfds)
 *   socket group  --socket-mode 0660 --socket-group G lets members of G in
 *                 and nobody else
 *   expected uid  $CAEC_RMMD_UID refuses a service under another uid
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <caec/caec.h>

#include "lib/check.h"
#include "lib/clock.h"
#include "lib/csm_fixture.h"
#include "lib/rmmd_daemon.h"
#include "lib/uid.h"

#define SIZE (64u * 1024)

/* Can a process of this uid open any descriptor of @pid (/proc/PID/fd/N)?
 * RETURN VALUE: how many it opened (0: none). */
static int
open_fds_of(pid_t pid)
{
	char dir[64], path[320];
	struct dirent *de;
	int n = 0, fd;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd >= 0) {
			n++;
			close(fd);
		}
	}
	if (d)
		closedir(d);
	/* opendir() itself is refused when the process is not ours. */
	return n;
}

/* Can this process open descriptor @fd of @pid for writing? */
static bool
open_rw(pid_t pid, int fd)
{
	char path[64];
	int f;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	f = open(path, O_RDWR | O_CLOEXEC);
	if (f < 0)
		return false;
	close(f);
	return true;
}

struct who {
	uid_t uid;
	pid_t daemon;
};

/* What a provider tells the others: where its memfd is. */
struct provider_msg {
	struct caec_csm_sid sid;
	pid_t pid;
	int fd;
};

static int
peer_provider(int rd, int wr, void *arg)
{
	const struct who *w = arg;
	struct provider_msg m;
	struct caec_csm_region *r;
	uint8_t *b;
	uint64_t id;
	size_t i;
	int rc, go;

	if (test_become(w->uid))
		return peer_fail(10, "setresuid", -errno);
	rc = caec_csm_create(SIZE, &r);
	if (rc)
		return peer_fail(11, "create", rc);
	b = caec_csm_base(r);
	memset(b, 0x33, SIZE);
	if (pipe_get(rd, &id, sizeof(id)))
		return 12;
	rc = caec_csm_share(r, id, CAEC_CSM_RO, &m.sid);
	if (rc)
		return peer_fail(13, "share", rc);
	m.pid = getpid();
	m.fd = find_region_fd();
	if (pipe_put(wr, &m, sizeof(m)) || pipe_get(rd, &go, sizeof(go)))
		return 14;
	for (i = 0; i < SIZE; i++)
		if (b[i] != 0x33)
			return peer_fail(15, "a RO consumer's write reached the provider",
					 (int)i);
	rc = (int)b[0];
	if (pipe_put(wr, &rc, sizeof(rc)) || pipe_get(rd, &go, sizeof(go)))
		return 16;
	return caec_csm_destroy(r) ? 17 : 0;
}

/* A RO consumer under its own uid: every way to write fails. */
static int
peer_ro(int rd, int wr, void *arg)
{
	const struct who *w = arg;
	struct caec_csm_info info = { .struct_size = sizeof(info) };
	struct caec_csm_region *r;
	struct provider_msg m;
	char path[64];
	const uint8_t *p;
	void *map;
	int rc, fd, f;

	if (test_become(w->uid))
		return peer_fail(20, "setresuid", -errno);
	rc = caec_csm_info(&info);
	if (rc || pipe_put(wr, &info.realm_id, sizeof(info.realm_id)))
		return peer_fail(21, "info", rc);
	if (info.isolation != CAEC_CSM_ISOLATION_UID || info.service_uid != 0 ||
	    info.service_pid != w->daemon)
		return peer_fail(22, "isolation, service uid or pid",
				 (int)info.isolation);
	if (pipe_get(rd, &m, sizeof(m)))
		return 23;
	rc = caec_csm_attach(&m.sid, &r);
	if (rc)
		return peer_fail(24, "attach", rc);
	p = caec_csm_data(r);
	if (!p || p[0] != 0x33)
		return peer_fail(25, "the provider's bytes", p ? p[0] : -1);
	fd = find_region_fd();
	if (fd < 0)
		return peer_fail(26, "no memfd", 0);
	/* The memfd is not this uid's: no chmod, no writable reopen. */
	if (fchmod(fd, 0600) == 0 || errno != EPERM)
		return peer_fail(27, "fchmod of the memfd", -errno);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	f = open(path, O_RDWR | O_CLOEXEC);
	if (f >= 0 || errno != EACCES)
		return peer_fail(28, "reopen read-write", -errno);
	map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map != MAP_FAILED || errno != EACCES)
		return peer_fail(29, "writable mapping", -errno);
	if (mprotect((void *)p, SIZE, PROT_READ | PROT_WRITE) == 0)
		return peer_fail(30, "mprotect", 0);
	if (pwrite(fd, "x", 1, 0) >= 0 || ftruncate(fd, 0) == 0)
		return peer_fail(31, "pwrite or ftruncate", 0);
	/* Nobody else's descriptors either: the provider's, the daemon's. */
	if (open_fds_of(m.pid) || open_rw(m.pid, m.fd))
		return peer_fail(32, "the provider's descriptors", 0);
	if (open_fds_of(w->daemon))
		return peer_fail(33, "the daemon's descriptors", 0);
	rc = getpid();
	if (pipe_put(wr, &rc, sizeof(rc)) || pipe_put(wr, &fd, sizeof(fd)) ||
	    pipe_get(rd, &rc, sizeof(rc)))
		return 34;
	return caec_csm_detach(r) ? 35 : 0;
}

/* A realm of a third uid, never granted anything. */
static int
peer_outsider(int rd, int wr, void *arg)
{
	const struct who *w = arg;
	struct caec_csm_region *r;
	struct provider_msg m;
	pid_t cpid;
	int rc, cfd;

	if (test_become(w->uid))
		return peer_fail(40, "setresuid", -errno);
	if (pipe_get(rd, &m, sizeof(m)) || pipe_get(rd, &cpid, sizeof(cpid)) ||
	    pipe_get(rd, &cfd, sizeof(cfd)))
		return 41;
	rc = caec_csm_attach(&m.sid, &r);
	if (rc != -EACCES)
		return peer_fail(42, "attach of another realm's grant", rc);
	if (open_fds_of(m.pid) || open_rw(m.pid, m.fd))
		return peer_fail(43, "the provider's descriptors", 0);
	if (open_fds_of(cpid) || open_rw(cpid, cfd))
		return peer_fail(44, "the consumer's descriptors", 0);
	if (open_fds_of(w->daemon))
		return peer_fail(45, "the daemon's descriptors", 0);
	return pipe_put(wr, &rc, sizeof(rc)) ? 46 : 0;
}

static void
test_read_only_holds_against_other_uids(void **state)
{
	struct rmmd_daemon dm;
	struct who wp, wc, wo;
	struct provider_msg m;
	struct peer p, c, o;
	uint64_t id;
	int ack, go = 1, cpid, cfd;

	(void)state;
	if (!test_uids_available())
		skip();
	assert_int_equal(rmmd_daemon_start(&dm, NULL), 0);
	wp = (struct who){ TEST_UID(11), dm.pid };
	wc = (struct who){ TEST_UID(12), dm.pid };
	wo = (struct who){ TEST_UID(13), dm.pid };
	assert_int_equal(peer_start(&p, peer_provider, &wp), 0);
	assert_int_equal(peer_start(&c, peer_ro, &wc), 0);
	assert_int_equal(peer_start(&o, peer_outsider, &wo), 0);
	assert_int_equal(pipe_get(c.rd, &id, sizeof(id)), 0);
	assert_int_equal(pipe_put(p.wr, &id, sizeof(id)), 0);
	assert_int_equal(pipe_get(p.rd, &m, sizeof(m)), 0);
	assert_int_equal(pipe_put(c.wr, &m, sizeof(m)), 0);
	assert_int_equal(pipe_get(c.rd, &cpid, sizeof(cpid)), 0);
	assert_int_equal(pipe_get(c.rd, &cfd, sizeof(cfd)), 0);
	assert_int_equal(pipe_put(o.wr, &m, sizeof(m)), 0);
	assert_int_equal(pipe_put(o.wr, &cpid, sizeof(cpid)), 0);
	assert_int_equal(pipe_put(o.wr, &cfd, sizeof(cfd)), 0);
	assert_int_equal(pipe_get(o.rd, &ack, sizeof(ack)), 0);
	expect_peer(&o, 0);
	/* The provider's bytes are what it wrote. */
	assert_int_equal(pipe_put(p.wr, &go, sizeof(go)), 0);
	assert_int_equal(pipe_get(p.rd, &ack, sizeof(ack)), 0);
	assert_int_equal(pipe_put(c.wr, &go, sizeof(go)), 0);
	expect_peer(&c, 0);
	assert_int_equal(pipe_put(p.wr, &go, sizeof(go)), 0);
	expect_peer(&p, 0);
	assert_int_equal(rmmd_daemon_stop(&dm), 0);
}

/* ---- same-user mode -------------------------------------------------------- */

/* A RO consumer of the daemon's own uid: the API says no isolation, and
 * fchmod + reopen does give it a writable mapping. */
static int
peer_same_user_ro(int rd, int wr, void *arg)
{
	const struct who *w = arg;
	struct caec_csm_info info = { .struct_size = sizeof(info) };
	struct caec_csm_region *r;
	struct provider_msg m;
	char path[64];
	uint8_t *map;
	int rc, fd, f;

	if (test_become(w->uid))
		return peer_fail(50, "setresuid", -errno);
	rc = caec_csm_info(&info);
	if (rc || pipe_put(wr, &info.realm_id, sizeof(info.realm_id)))
		return peer_fail(51, "info", rc);
	if (info.isolation != CAEC_CSM_ISOLATION_NONE ||
	    info.service_uid != w->uid)
		return peer_fail(52, "isolation or service uid",
				 (int)info.isolation);
	if (pipe_get(rd, &m, sizeof(m)))
		return 53;
	rc = caec_csm_attach(&m.sid, &r);
	if (rc)
		return peer_fail(54, "attach", rc);
	fd = find_region_fd();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (fd < 0 || fchmod(fd, 0600))
		return peer_fail(55, "fchmod (the same user owns the memfd)", -errno);
	f = open(path, O_RDWR | O_CLOEXEC);
	map = f < 0 ? MAP_FAILED : mmap(NULL, SIZE, PROT_READ | PROT_WRITE,
					 MAP_SHARED, f, 0);
	if (map == MAP_FAILED)
		return peer_fail(56, "reopen read-write", -errno);
	map[0] = 0x44;
	if (pipe_put(wr, &rc, sizeof(rc)) || pipe_get(rd, &rc, sizeof(rc)))
		return 57;
	return caec_csm_detach(r) ? 58 : 0;
}

static void
test_same_user_mode_says_so(void **state)
{
	struct rmmd_daemon dm;
	struct provider_msg m;
	struct who w;
	struct peer p, c;
	uint64_t id;
	int ack, go = 1;

	(void)state;
	if (!test_uids_available() || getenv("CAEC_TEST_EMULATED"))
		skip();
	assert_int_equal(rmmd_daemon_start_as(&dm, TEST_UID(21), NULL), 0);
	w = (struct who){ TEST_UID(21), dm.pid };
	assert_int_equal(peer_start(&p, peer_provider, &w), 0);
	assert_int_equal(peer_start(&c, peer_same_user_ro, &w), 0);
	assert_int_equal(pipe_get(c.rd, &id, sizeof(id)), 0);
	assert_int_equal(pipe_put(p.wr, &id, sizeof(id)), 0);
	assert_int_equal(pipe_get(p.rd, &m, sizeof(m)), 0);
	assert_int_equal(pipe_put(c.wr, &m, sizeof(m)), 0);
	assert_int_equal(pipe_get(c.rd, &ack, sizeof(ack)), 0);
	/* The provider finds the "read-only" consumer's byte: exit 15. */
	assert_int_equal(pipe_put(p.wr, &go, sizeof(go)), 0);
	expect_peer(&p, 15);
	assert_int_equal(pipe_put(c.wr, &go, sizeof(go)), 0);
	expect_peer(&c, 0);
	assert_int_equal(rmmd_daemon_stop(&dm), 0);
}

/* A process of the daemon's uid, not even a realm: the daemon holds every
 * region's memfd read-write, and it cannot open one of them. */
static int
peer_snoop(int rd, int wr, void *arg)
{
	const struct who *w = arg;
	int rc;

	(void)rd;
	if (test_become(w->uid))
		return peer_fail(60, "setresuid", -errno);
	rc = open_fds_of(w->daemon);
	if (rc)
		return peer_fail(61, "descriptors of the daemon opened", rc);
	return pipe_put(wr, &rc, sizeof(rc)) ? 62 : 0;
}

static void
test_daemon_not_dumpable(void **state)
{
	struct rmmd_daemon dm;
	struct peer p, s;
	struct who w;
	uint64_t id;
	int ack;

	(void)state;
	if (!test_uids_available() || getenv("CAEC_TEST_EMULATED"))
		skip();
	assert_int_equal(rmmd_daemon_start_as(&dm, TEST_UID(31), NULL), 0);
	w = (struct who){ TEST_UID(31), dm.pid };
	/* A region for the daemon to hold: a provider that waits. */
	assert_int_equal(peer_start(&p, peer_provider, &w), 0);
	id = 1;			/* no such realm: SHARE fails, exit 13 */
	sleep_ms(200);		/* the region exists */
	assert_int_equal(peer_start(&s, peer_snoop, &w), 0);
	assert_int_equal(pipe_get(s.rd, &ack, sizeof(ack)), 0);
	expect_peer(&s, 0);
	assert_int_equal(pipe_put(p.wr, &id, sizeof(id)), 0);
	expect_peer(&p, 13);
	assert_int_equal(rmmd_daemon_stop(&dm), 0);
}

/* ---- the socket ------------------------------------------------------------ */

struct ids {
	uid_t uid;
	gid_t gid;
};

static int
peer_connect(int rd, int wr, void *arg)
{
	const struct ids *i = arg;
	uint64_t id;
	int rc;

	(void)rd;
	if (test_become_ids(i->uid, i->gid))
		return peer_fail(70, "setresuid", -errno);
	rc = caec_csm_realm_id(&id);
	return pipe_put(wr, &rc, sizeof(rc)) ? 71 : 0;
}

static int
connect_as(uid_t uid, gid_t gid)
{
	struct ids i = { uid, gid };
	struct peer p;
	int rc = 1;

	assert_int_equal(peer_start(&p, peer_connect, &i), 0);
	assert_int_equal(pipe_get(p.rd, &rc, sizeof(rc)), 0);
	expect_peer(&p, 0);
	return rc;
}

static void
test_socket_group(void **state)
{
	static char gid[16];
	const char *args[] = { "--socket-mode", "0660", "--socket-group", gid,
			       NULL };
	struct rmmd_daemon dm;
	struct stat st;

	(void)state;
	if (!test_uids_available())
		skip();
	snprintf(gid, sizeof(gid), "%u", (unsigned int)TEST_UID(40));
	/* The last --socket-mode wins over the fixture's 0666. */
	assert_int_equal(rmmd_daemon_start(&dm, args), 0);
	assert_int_equal(lstat(dm.sock, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0660);
	assert_int_equal(st.st_gid, TEST_UID(40));
	assert_rc(connect_as(TEST_UID(41), TEST_UID(40)), 0);
	assert_rc(connect_as(TEST_UID(42), TEST_UID(42)), -EACCES);
	assert_int_equal(rmmd_daemon_stop(&dm), 0);
}

/* $CAEC_RMMD_UID: the library refuses a service under another uid. */
static int
peer_expect(int rd, int wr, void *arg)
{
	const char *want = arg;
	uint64_t id;
	int rc;

	(void)rd;
	setenv("CAEC_RMMD_UID", want, 1);
	rc = caec_csm_realm_id(&id);
	if (rc == -EACCES && !strstr(caec_error_detail(), "CAEC_RMMD_UID"))
		rc = -1000;
	return pipe_put(wr, &rc, sizeof(rc)) ? 80 : 0;
}

static int
expect_uid(const char *want)
{
	struct peer p;
	int rc = 1;

	assert_int_equal(peer_start(&p, peer_expect, (void *)want), 0);
	assert_int_equal(pipe_get(p.rd, &rc, sizeof(rc)), 0);
	expect_peer(&p, 0);
	return rc;
}

static void
test_expected_service_uid(void **state)
{
	struct rmmd_daemon dm;
	char mine[16];

	(void)state;
	assert_int_equal(rmmd_daemon_start(&dm, NULL), 0);
	snprintf(mine, sizeof(mine), "%u", (unsigned int)geteuid());
	assert_rc(expect_uid(mine), 0);
	assert_rc(expect_uid("4242"), -EACCES);
	assert_rc(expect_uid("x"), -EINVAL);
	assert_int_equal(rmmd_daemon_stop(&dm), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_only_holds_against_other_uids),
		cmocka_unit_test(test_same_user_mode_says_so),
		cmocka_unit_test(test_daemon_not_dumpable),
		cmocka_unit_test(test_socket_group),
		cmocka_unit_test(test_expected_service_uid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

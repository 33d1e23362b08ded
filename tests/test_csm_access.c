/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * csm: access control through the real service (a private caec-rmmd
 * running the firmware extension's handlers); every peer is its own realm.
 *
 *   unnamed       a realm the provider did not name cannot attach, not even
 *                 with the right or a guessed sharing id
 *   read-only     a RO consumer reads the provider's bytes, and the kernel
 *                 refuses every way to write (mprotect, a writable shared
 *                 mapping of the memfd, pwrite, ftruncate)
 *   revoke        the consumer's calls fail with -EACCES (one blocked at
 *                 that moment too), and it cannot attach again
 *   hypervisor    no region file exists anywhere, the service never maps a
 *                 region, and a plaintext stream leaves no trace in
 *                 /dev/shm (every nw region) or /tmp
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <caec/caec.h>

#include "lib/check.h"
#include "lib/clock.h"
#include "lib/csm_fixture.h"
#include "lib/csm_service.h"

#define MARKER "CAEC-CSM-PLAINTEXT-MARKER"

/* A realm the provider did not name: every attempt is refused. */
static int
peer_intruder(int rd, int wr, void *arg)
{
	struct caec_csm_region *r = NULL;
	struct caec_csm_sid sid, guess;
	struct caec_channel *ch = NULL;
	char uri[128];
	uint64_t id;
	int rc;

	(void)arg;
	if (caec_csm_realm_id(&id) || pipe_put(wr, &id, sizeof(id)) ||
	    pipe_get(rd, &sid, sizeof(sid)))
		return 10;
	rc = caec_csm_attach(&sid, &r);
	if (rc != -EACCES)
		return peer_fail(11, "attach of another realm's grant", rc);
	csm_attach_uri(uri, sizeof(uri), &sid);
	rc = caec_channel_attach(uri, NULL, &ch);
	if (rc != -EACCES)
		return peer_fail(12, "channel attach of another realm's grant",
				 rc);
	/* Sharing ids are not secrets: guessing the next one gains nothing. */
	guess = sid;
	guess.handle++;
	rc = caec_csm_attach(&guess, &r);
	if (rc != -EACCES)
		return peer_fail(13, "attach of a guessed sharing id", rc);
	return pipe_put(wr, &rc, sizeof(rc)) ? 14 : 0;
}

static int
peer_recv_one(int rd, int wr, void *arg)
{
	struct caec_channel *ch;
	char buf[64];
	ssize_t n;
	int rc = consume_channel(rd, wr, &ch, NULL);

	(void)arg;
	if (rc)
		return rc;
	n = caec_channel_recv(ch, buf, sizeof(buf), 0, TIMEOUT_MS);
	if (n != 5 || memcmp(buf, "hello", 5))
		return peer_fail(20, "recv", (int)n);
	caec_channel_close(ch);
	return 0;
}

static void
test_unnamed_realm_cannot_attach(void **state)
{
	struct caec_channel *ch;
	struct caec_csm_sid sid;
	struct peer named, intruder;
	uint64_t id;
	int rc;

	(void)state;
	assert_int_equal(peer_start(&named, peer_recv_one, NULL), 0);
	assert_int_equal(peer_start(&intruder, peer_intruder, NULL), 0);
	ch = provide_channel(&named, "");
	assert_rc(caec_channel_csm_sid(ch, &sid), 0);
	/* The intruder learns the sharing id but was never named. */
	assert_int_equal(pipe_get(intruder.rd, &id, sizeof(id)), 0);
	assert_int_equal(pipe_put(intruder.wr, &sid, sizeof(sid)), 0);
	assert_int_equal(pipe_get(intruder.rd, &rc, sizeof(rc)), 0);
	expect_peer(&intruder, 0);
	/* The named realm gets in. */
	assert_rc(caec_channel_send(ch, "hello", 5, 0, TIMEOUT_MS), 0);
	expect_peer(&named, 0);
	caec_channel_close(ch);
}

#define RO_SIZE (1u << 20)

static int
peer_ro(int rd, int wr, void *arg)
{
	struct caec_csm_region *r;
	struct caec_channel *ch;
	struct caec_csm_sid sid;
	const uint8_t *p;
	char uri[128], go;
	uint64_t id;
	size_t i;
	void *w;
	int rc, fd;

	(void)arg;
	if (caec_csm_realm_id(&id) || pipe_put(wr, &id, sizeof(id)) ||
	    pipe_get(rd, &sid, sizeof(sid)))
		return 10;
	/* A channel needs RW: a RO grant is refused (and left unreserved). */
	csm_attach_uri(uri, sizeof(uri), &sid);
	rc = caec_channel_attach(uri, NULL, &ch);
	if (rc != -EACCES)
		return peer_fail(11, "channel over a RO grant", rc);
	rc = caec_csm_attach(&sid, &r);
	if (rc)
		return peer_fail(12, "attach RO", rc);
	if (caec_csm_perm(r) != CAEC_CSM_RO || caec_csm_base(r) ||
	    caec_csm_size(r) != RO_SIZE)
		return peer_fail(13, "RO region shape", 0);
	p = caec_csm_data(r);
	for (i = 0; i < RO_SIZE; i++)
		if (p[i] != (uint8_t)(i * 7))
			return peer_fail(14, "provider's bytes", (int)i);
	/* The kernel refuses every way to write. */
	if (mprotect((void *)p, RO_SIZE, PROT_READ | PROT_WRITE) == 0)
		return peer_fail(15, "mprotect(PROT_WRITE) succeeded", 0);
	fd = find_region_fd();
	if (fd < 0)
		return peer_fail(16, "no memfd found", 0);
	w = mmap(NULL, RO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (w != MAP_FAILED || errno != EACCES)
		return peer_fail(17, "writable MAP_SHARED mapping", errno);
	if (pwrite(fd, "x", 1, 0) != -1 || errno != EBADF)
		return peer_fail(18, "pwrite on the region", errno);
	if (ftruncate(fd, 4096) == 0)
		return peer_fail(19, "ftruncate of the region", 0);
	/* Tell the provider; it writes, then revokes. */
	if (pipe_put(wr, &rc, sizeof(rc)) || pipe_get(rd, &go, 1))
		return 20;
	if (p[0] != 0xab)
		return peer_fail(21, "the provider's later write", p[0]);
	if (pipe_put(wr, &rc, sizeof(rc)) || pipe_get(rd, &go, 1))
		return 22;
	/* Revoked: the status says so, the memory reads as zeros. */
	for (i = 0; i < 5000 && caec_csm_status(r) == 0; i++)
		sleep_ms(1);
	if (caec_csm_status(r) != -EACCES)
		return peer_fail(23, "status after revoke", caec_csm_status(r));
	for (i = 0; i < RO_SIZE; i += 4096)
		if (p[i])
			return peer_fail(24, "revoked memory still readable",
					 (int)i);
	rc = caec_csm_detach(r);
	if (rc)
		return peer_fail(25, "detach after revoke", rc);
	return 0;
}

static void
test_read_only_consumer(void **state)
{
	struct caec_csm_region *r;
	struct caec_csm_sid sid;
	struct peer p;
	uint8_t *b;
	uint64_t id;
	size_t i;
	int ack;

	(void)state;
	assert_rc(caec_csm_create(RO_SIZE, &r), 0);
	b = caec_csm_base(r);
	assert_non_null(b);
	for (i = 0; i < RO_SIZE; i++)
		b[i] = (uint8_t)(i * 7);
	assert_int_equal(peer_start(&p, peer_ro, NULL), 0);
	assert_int_equal(pipe_get(p.rd, &id, sizeof(id)), 0);
	assert_rc(caec_csm_share(r, id, CAEC_CSM_RO, &sid), 0);
	assert_int_equal(pipe_put(p.wr, &sid, sizeof(sid)), 0);
	assert_int_equal(pipe_get(p.rd, &ack, sizeof(ack)), 0);
	b[0] = 0xab;
	assert_int_equal(pipe_put(p.wr, "g", 1), 0);
	assert_int_equal(pipe_get(p.rd, &ack, sizeof(ack)), 0);
	assert_rc(caec_csm_revoke(r, &sid), 0);
	/* Only once: the grant is gone. */
	assert_rc(caec_csm_revoke(r, &sid), -EACCES);
	assert_detail("CSM_E_UNKNOWN_SID");
	assert_int_equal(pipe_put(p.wr, "g", 1), 0);
	expect_peer(&p, 0);
	/* The provider's own mapping is untouched. */
	assert_int_equal(caec_csm_status(r), 0);
	assert_int_equal(b[1], 7);
	assert_rc(caec_csm_destroy(r), 0);
}

/* Revoked while blocked in recv: the call returns, every later call fails. */
static int
peer_revoked(int rd, int wr, void *arg)
{
	struct caec_csm_region *r = NULL;
	struct caec_channel *ch, *again = NULL;
	struct caec_csm_sid sid;
	const void *pl;
	void *slot;
	char buf[64], uri[128];
	uint64_t t0;
	ssize_t n;
	int rc;

	(void)arg;
	rc = consume_channel(rd, wr, &ch, &sid);
	if (rc)
		return rc;
	n = caec_channel_recv(ch, buf, sizeof(buf), 0, TIMEOUT_MS);
	if (n != 3)
		return peer_fail(20, "first message", (int)n);
	if (pipe_put(wr, &rc, sizeof(rc)))
		return 21;
	/* Blocks: the provider sends nothing more and revokes. */
	t0 = now_ns();
	n = caec_channel_recv(ch, buf, sizeof(buf), 0, 10000);
	if (n != -EACCES)
		return peer_fail(22, "blocked recv across the revoke", (int)n);
	if (now_ns() - t0 > 5000000000ull)
		return peer_fail(23, "the blocked recv took > 5 s", 0);
	if ((rc = caec_channel_send(ch, "x", 1, 0, 0)) != -EACCES)
		return peer_fail(24, "send after revoke", rc);
	if ((n = caec_channel_recv(ch, buf, sizeof(buf), 0, 0)) != -EACCES)
		return peer_fail(25, "recv after revoke", (int)n);
	if ((rc = caec_channel_reserve(ch, 8, &slot, 0)) != -EACCES)
		return peer_fail(26, "reserve after revoke", rc);
	if ((n = caec_channel_peek(ch, &pl, 0)) != -EACCES)
		return peer_fail(27, "peek after revoke", (int)n);
	if ((rc = caec_channel_flush(ch)) != -EACCES)
		return peer_fail(28, "flush after revoke", rc);
	/* No way back in: still reserved (revoked), then no grant at all. */
	csm_attach_uri(uri, sizeof(uri), &sid);
	rc = caec_channel_attach(uri, NULL, &again);
	if (rc >= 0)
		return peer_fail(29, "re-attach while revoked", rc);
	caec_channel_close(ch);		/* detaches the revoked range */
	rc = caec_csm_attach(&sid, &r);
	if (rc != -EACCES)
		return peer_fail(30, "attach after revoke and detach", rc);
	return 0;
}

static void
test_revoke(void **state)
{
	struct caec_channel *ch;
	struct peer p;
	int ack;

	(void)state;
	assert_int_equal(peer_start(&p, peer_revoked, NULL), 0);
	ch = provide_channel(&p, "");
	assert_rc(caec_channel_send(ch, "abc", 3, 0, TIMEOUT_MS), 0);
	assert_int_equal(pipe_get(p.rd, &ack, sizeof(ack)), 0);
	sleep_ms(100);		/* let it block */
	assert_rc(caec_channel_csm_revoke(ch), 0);
	expect_peer(&p, 0);
	assert_rc(caec_channel_csm_revoke(ch), -EACCES);
	caec_channel_close(ch);
}

/* ---- the hypervisor's view --------------------------------------------------- */

static bool
file_has(const char *path, const char *needle)
{
	size_t nl = strlen(needle), keep = nl - 1, have = 0;
	char buf[65536 + 64];
	bool found = false;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);

	if (fd < 0)
		return false;
	while (!found && (n = read(fd, buf + have, 65536)) > 0) {
		have += (size_t)n;
		found = memmem(buf, have, needle, nl) != NULL;
		if (have > keep) {
			memmove(buf, buf + have - keep, keep);
			have = keep;
		}
	}
	close(fd);
	return found;
}

/* Regular files under @dir (one level deep, at most 256 MiB each) that
 * contain @needle; the count. */
static int
scan_dir(const char *dir, const char *needle, int depth)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	int hits = 0;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode) && depth > 0)
			hits += scan_dir(path, needle, depth - 1);
		else if (S_ISREG(st.st_mode) && st.st_size <= (256 << 20) &&
			 file_has(path, needle))
			hits++;
	}
	if (d)
		closedir(d);
	return hits;
}

struct hv_arg {
	char marker[64];
	pid_t daemon;
};

/* Not a realm: looks at what the host can see. */
static int
peer_hypervisor(int rd, int wr, void *arg)
{
	struct hv_arg *a = arg;
	char path[64];
	int hits;

	(void)rd;
	(void)wr;
	hits = scan_dir("/dev/shm", a->marker, 2) + scan_dir("/tmp", a->marker, 2);
	if (hits)
		return peer_fail(10, "the plaintext marker found in files", hits);
	/* The service never maps a region: no plaintext in its memory map. */
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)a->daemon);
	if (a->daemon > 0 && file_has(path, "caec-csm"))
		return peer_fail(11, "caec-rmmd maps a region", 0);
	return 0;
}

static int
count_dir(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	while (d && (de = readdir(d)))
		n++;
	if (d)
		closedir(d);
	return n;
}

static int
peer_recv_markers(int rd, int wr, void *arg)
{
	struct hv_arg *a = arg;
	struct caec_channel *ch;
	char buf[128], go;
	ssize_t n;
	int i, rc = consume_channel(rd, wr, &ch, NULL);

	if (rc)
		return rc;
	for (i = 0; i < 1000; i++) {
		n = caec_channel_recv(ch, buf, sizeof(buf), 0, TIMEOUT_MS);
		if (n != (ssize_t)strlen(a->marker) ||
		    memcmp(buf, a->marker, (size_t)n))
			return peer_fail(20, "marker message", (int)n);
	}
	/* Stay attached while the hypervisor looks. */
	if (pipe_put(wr, &rc, sizeof(rc)) || pipe_get(rd, &go, 1))
		return 21;
	caec_channel_close(ch);
	return 0;
}

static void
test_hypervisor_sees_nothing(void **state)
{
	struct caec_channel *ch, *nw;
	struct peer p, hv;
	struct hv_arg a;
	char nwname[64], path[64], link[256];
	int before, i, ack, fd;
	ssize_t n;

	(void)state;
	snprintf(a.marker, sizeof(a.marker), MARKER "-%d", (int)getpid());
	a.daemon = caec_csm_service_pid(csm_svc);
	before = count_dir("/dev/shm");
	/* An nw region in use at the same time (it must not get the data). */
	snprintf(nwname, sizeof(nwname), "nw:shm/caec-test-csm-hv-%d",
		 (int)getpid());
	assert_rc(caec_channel_create(nwname, NULL, &nw), 0);
	assert_rc(caec_channel_send(nw, "nw traffic", 10, 0, 0), 0);

	assert_int_equal(peer_start(&p, peer_recv_markers, &a), 0);
	ch = provide_channel(&p, "");
	assert_int_equal(caec_channel_region_fd(ch), -ENOTSUP);
	for (i = 0; i < 1000; i++)
		assert_rc(caec_channel_send(ch, a.marker, strlen(a.marker), 0,
					    TIMEOUT_MS), 0);
	assert_int_equal(pipe_get(p.rd, &ack, sizeof(ack)), 0);

	/* Both realms attached: no new object in /dev/shm but the nw one. */
	assert_int_equal(count_dir("/dev/shm"), before + 1);
	/* The region is a memfd: linked nowhere. */
	fd = find_region_fd();
	assert_true(fd >= 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	assert_true(n > 0);
	link[n] = '\0';
	assert_non_null(strstr(link, "(deleted)"));
	assert_int_equal(link[0], '/');
	assert_int_equal(strncmp(link, "/memfd:", 7), 0);

	assert_int_equal(peer_start(&hv, peer_hypervisor, &a), 0);
	expect_peer(&hv, 0);
	assert_int_equal(pipe_put(p.wr, "g", 1), 0);
	expect_peer(&p, 0);
	caec_channel_close(ch);
	caec_channel_close(nw);
	assert_int_equal(count_dir("/dev/shm"), before);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unnamed_realm_cannot_attach),
		cmocka_unit_test(test_read_only_consumer),
		cmocka_unit_test(test_revoke),
		cmocka_unit_test(test_hypervisor_sees_nothing),
	};

	return cmocka_run_group_tests(tests, csm_group_setup,
				      csm_group_teardown);
}

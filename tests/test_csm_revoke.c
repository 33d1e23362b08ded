/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * csm: revocation that holds, through a caec-rmmd of the test's own. Every
 * realm is a forked process; in the _uids variants (root only, else
 * skipped) each realm runs under a uid of its own and the daemon as root.
 *
 *   library consumer   a revoked consumer that kept a dup() of its memfd,
 *                      reopened it through /proc/self/fd and mapped it
 *                      itself reads nothing written after caec_csm_revoke()
 *                      returned: its descriptors hold zero bytes, its
 *                      mappings fault, and it cannot grow the file back;
 *                      meanwhile a RW consumer writes the whole time, keeps
 *                      its access, and what it writes after the revoke
 *                      reaches the provider but not the revoked realm
 *   raw consumer       the same for a consumer that speaks the protocol
 *                      itself and never acknowledges anything (the revoke
 *                      then waits for the daemon's --ack-timeout-ms)
 *   destroy, gone      the same after caec_csm_destroy() returned, and once
 *                      a provider was killed
 *   cost               what revoking a 1 MiB and a 128 MiB region costs the
 *                      provider (printed), with every byte kept for the
 *                      provider and the remaining consumer
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
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <caec/caec.h>

#include "lib/check.h"
#include "lib/clock.h"
#include "lib/csm_fixture.h"
#include "lib/rmmd_daemon.h"
#include "lib/rmmd_raw.h"
#include "lib/uid.h"

#define SIZE (1u << 20)
#define PAGE 4096u
#define ACK_TIMEOUT_MS 500
#define M1 "M1: the provider wrote this after the revoke returned"
#define M2 "M2: the RW consumer wrote this after the revoke returned"

static struct rmmd_daemon daemon_;

static int
group_setup(void **state)
{
	static const char *const args[] = { "--ack-timeout-ms", "500", NULL };

	(void)state;
	return rmmd_daemon_start(&daemon_, args);
}

static int
group_teardown(void **state)
{
	(void)state;
	return rmmd_daemon_stop(&daemon_) ? -1 : 0;
}

enum mode { MODE_REVOKE, MODE_DESTROY, MODE_GONE };

struct realm_arg {
	uid_t uid;
	enum mode mode;
};

/* Is the page at @p out of reach? The kernel reads it for write(2): EFAULT
 * when it has no page there (no SIGBUS in a system call). */
static bool
page_gone(const void *p)
{
	int fds[2];
	bool gone;
	char c;

	if (pipe(fds))
		return false;
	gone = write(fds[1], p, 1) < 0 && errno == EFAULT;
	if (!gone)
		(void)read(fds[0], &c, 1);
	close(fds[0]);
	close(fds[1]);
	return gone;
}

static bool
has(const uint8_t *p, size_t len, const char *needle)
{
	return memmem(p, len, needle, strlen(needle)) != NULL;
}

/* ---- the provider --------------------------------------------------------- */

static int
peer_provider(int rd, int wr, void *arg)
{
	const struct realm_arg *a = arg;
	struct caec_csm_sid sid_a = { 0 }, sid_b;
	struct caec_csm_region *r;
	uint64_t id_a, id_b, t;
	uint8_t *b;
	size_t off;
	int rc, go;

	if (test_become(a->uid))
		return peer_fail(10, "setresuid", -errno);
	rc = caec_csm_create(SIZE, &r);
	if (rc)
		return peer_fail(11, "create", rc);
	b = caec_csm_base(r);
	memset(b, 0x5a, SIZE);
	if (pipe_get(rd, &id_a, sizeof(id_a)) || pipe_get(rd, &id_b, sizeof(id_b)))
		return 12;
	if (id_a && (rc = caec_csm_share(r, id_a, CAEC_CSM_RW, &sid_a)))
		return peer_fail(13, "share with A", rc);
	rc = caec_csm_share(r, id_b, CAEC_CSM_RW, &sid_b);
	if (rc)
		return peer_fail(14, "share with B", rc);
	if (pipe_put(wr, &sid_a, sizeof(sid_a)) ||
	    pipe_put(wr, &sid_b, sizeof(sid_b)) || pipe_get(rd, &go, sizeof(go)))
		return 15;
	t = now_ns();
	if (a->mode == MODE_DESTROY) {
		rc = caec_csm_destroy(r);
		if (rc)
			return peer_fail(16, "destroy", rc);
		t = now_ns() - t;
		return pipe_put(wr, &t, sizeof(t)) ? 17 : 0;
	}
	rc = caec_csm_revoke(r, &sid_b);
	if (rc)
		return peer_fail(18, "revoke", rc);
	t = now_ns() - t;
	/* Everything from here on must stay out of the revoked realm's reach. */
	for (off = 0; off < SIZE / 2; off += PAGE)
		memcpy(b + off, M1, sizeof(M1));
	if (caec_csm_status(r))
		return peer_fail(19, "provider's status", caec_csm_status(r));
	if (pipe_put(wr, &t, sizeof(t)) || pipe_get(rd, &go, sizeof(go)))
		return 20;
	/* The RW consumer was moved, not cut off: its later write is here. */
	if (id_a && !has(b + SIZE / 2, PAGE, M2))
		return peer_fail(21, "the RW consumer's write after the revoke", 0);
	for (off = SIZE / 2 + PAGE; off < SIZE; off += PAGE)
		if (has(b + off, PAGE, "B-WAS-HERE"))
			return peer_fail(22, "the revoked realm's write", (int)off);
	if (pipe_put(wr, &rc, sizeof(rc)) || pipe_get(rd, &go, sizeof(go)))
		return 23;
	rc = caec_csm_destroy(r);
	return rc ? peer_fail(24, "destroy", rc) : 0;
}

/* ---- a RW consumer that writes all the time --------------------------------- */

struct writer {
	volatile uint64_t *p;
	size_t n;
	int stop;
};

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	uint64_t v = 0;
	size_t i;

	while (!__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE))
		for (i = 0; i < w->n; i++)
			w->p[i] = ++v;
	return NULL;
}

static int
peer_writer(int rd, int wr, void *arg)
{
	const struct realm_arg *a = arg;
	struct caec_csm_region *r;
	struct caec_csm_sid sid;
	struct writer w;
	pthread_t t;
	uint8_t *b;
	uint64_t id;
	int rc, go;

	if (test_become(a->uid))
		return peer_fail(30, "setresuid", -errno);
	rc = caec_csm_realm_id(&id);
	if (rc || pipe_put(wr, &id, sizeof(id)) || pipe_get(rd, &sid, sizeof(sid)))
		return peer_fail(31, "realm id", rc);
	rc = caec_csm_attach(&sid, &r);
	if (rc)
		return peer_fail(32, "attach", rc);
	b = caec_csm_base(r);
	w.p = (volatile uint64_t *)(b + SIZE / 2);
	w.n = SIZE / 2 / sizeof(uint64_t);
	w.stop = 0;
	if (pthread_create(&t, NULL, writer_main, &w))
		return 33;
	if (pipe_put(wr, &rc, sizeof(rc)) || pipe_get(rd, &go, sizeof(go)))
		return 34;
	__atomic_store_n(&w.stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	/* Still granted, on the region's new memory. */
	if (caec_csm_status(r))
		return peer_fail(35, "the remaining consumer's status",
				 caec_csm_status(r));
	if (!has(b, PAGE, M1))
		return peer_fail(36, "the provider's write after the revoke", 0);
	memcpy(b + SIZE / 2, M2, sizeof(M2));
	if (pipe_put(wr, &rc, sizeof(rc)) || pipe_get(rd, &go, sizeof(go)))
		return 37;
	return caec_csm_detach(r) ? 38 : 0;
}

/* ---- the revoked realm ---------------------------------------------------- */

/* What a revoked realm kept: descriptors and mappings the library does not
 * know of. */
struct kept {
	int dup_fd;		/* dup() of the memfd */
	int reopen_fd;		/* open("/proc/self/fd/N") of it */
	uint8_t *map;		/* its own MAP_SHARED mapping */
};

static int
keep(int fd, struct kept *k)
{
	char path[64];

	k->dup_fd = dup(fd);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	/* Under another uid than the daemon's the kernel refuses (0400). */
	k->reopen_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (k->reopen_fd < 0 && (errno != EACCES || !getuid()))
		return peer_fail(-1, "reopen", -errno);
	k->map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (k->dup_fd < 0 || k->map == MAP_FAILED)
		return peer_fail(-1, "dup or mmap", -errno);
	/* It works, before: */
	if (k->map[0] != 0x5a)	/* (the RW consumer writes the upper half) */
		return peer_fail(-1, "the region's bytes", k->map[0]);
	return 0;
}

/*
 * Everything the realm kept reaches nothing: no bytes behind any descriptor
 * (nor a way to put them back: the memfd cannot grow), no page behind any
 * mapping of it, old or new. RETURN VALUE: 0, or the peer's exit status.
 */
static int
kept_nothing(const struct kept *k, int base)
{
	uint8_t buf[PAGE];
	struct stat st;
	size_t off;
	void *again;

	if (fstat(k->dup_fd, &st) || st.st_size != 0)
		return peer_fail(base, "the dup()ed memfd still has bytes",
				 (int)st.st_size);
	if (k->reopen_fd >= 0 && (fstat(k->reopen_fd, &st) || st.st_size != 0))
		return peer_fail(base + 1, "the reopened memfd still has bytes",
				 (int)st.st_size);
	if (pread(k->dup_fd, buf, sizeof(buf), 0) != 0 ||
	    (k->reopen_fd >= 0 && pread(k->reopen_fd, buf, sizeof(buf), 0)))
		return peer_fail(base + 2, "pread read bytes", 0);
	for (off = 0; off < SIZE; off += PAGE)
		if (!page_gone(k->map + off))
			return peer_fail(base + 3, "a kept mapping still has a page",
					 (int)off);
	/* Writing through the kept RW descriptor cannot bring pages back. */
	if (pwrite(k->dup_fd, "B-WAS-HERE", 10, SIZE / 2 + PAGE) >= 0 ||
	    ftruncate(k->dup_fd, SIZE) == 0)
		return peer_fail(base + 4, "the memfd grew back", 0);
	again = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, k->dup_fd, 0);
	if (again != MAP_FAILED) {
		if (!page_gone(again))
			return peer_fail(base + 5, "a new mapping has a page", 0);
		munmap(again, SIZE);
	}
	return 0;
}

/* A revoked realm through the library, keeping all it can besides. */
static int
peer_lib_holder(int rd, int wr, void *arg)
{
	const struct realm_arg *a = arg;
	struct caec_csm_region *r;
	struct caec_csm_sid sid;
	const uint8_t *p;
	struct kept k;
	uint64_t id;
	size_t off;
	int rc, go, fd, i;

	if (test_become(a->uid))
		return peer_fail(40, "setresuid", -errno);
	rc = caec_csm_realm_id(&id);
	if (rc || pipe_put(wr, &id, sizeof(id)) || pipe_get(rd, &sid, sizeof(sid)))
		return peer_fail(41, "realm id", rc);
	rc = caec_csm_attach(&sid, &r);
	if (rc)
		return peer_fail(42, "attach", rc);
	fd = find_region_fd();
	if (fd < 0 || keep(fd, &k))
		return peer_fail(43, "keeping the memfd", -errno);
	if (pipe_put(wr, &rc, sizeof(rc)) || pipe_get(rd, &go, sizeof(go)))
		return 44;
	/* The library's own view: lost, and nothing readable in it. */
	for (i = 0; i < 5000 && !caec_csm_status(r); i++)
		sleep_ms(1);
	if (caec_csm_status(r) != -EACCES)
		return peer_fail(45, "status", caec_csm_status(r));
	p = caec_csm_data(r);
	if (!p)
		return peer_fail(46, "no mapping", 0);
	for (off = 0; off < SIZE; off += PAGE)
		if (has(p + off, PAGE, "M1:") || has(p + off, PAGE, "M2:"))
			return peer_fail(46, "a later write in the library's mapping",
					 (int)off);
	rc = kept_nothing(&k, 47);
	if (rc)
		return rc;
	if (pipe_put(wr, &rc, sizeof(rc)) || pipe_get(rd, &go, sizeof(go)))
		return 53;
	return caec_csm_detach(r) ? 54 : 0;
}

/* A revoked realm that speaks the protocol itself: it keeps the memfd the
 * daemon passed and never reads another packet (so never acknowledges). */
static int
peer_raw_holder(int rd, int wr, void *arg)
{
	const struct realm_arg *a = arg;
	struct rmmd_req_sid q;
	struct caec_csm_sid sid;
	struct raw_reply rr;
	struct kept k;
	uint64_t id;
	int s, rc, go, i;
	struct stat st;

	if (test_become(a->uid))
		return peer_fail(60, "setresuid", -errno);
	s = raw_connect(getenv("CAEC_RMMD_SOCKET"));
	if (s < 0 || raw_hello(s, &id))
		return peer_fail(61, "raw HELLO", -errno);
	if (pipe_put(wr, &id, sizeof(id)) || pipe_get(rd, &sid, sizeof(sid)))
		return 62;
	q.provider = sid.provider;
	q.handle = sid.handle;
	q.size = sid.size;
	rc = raw_call(s, RMMD_T_RESERVE, &q, sizeof(q), NULL);
	q.size = 0;
	if (!rc)
		rc = raw_call(s, RMMD_T_ATTACH, &q, sizeof(q), &rr);
	if (rc || rr.fd < 0)
		return peer_fail(63, "raw RESERVE/ATTACH", rc);
	if (keep(rr.fd, &k))
		return peer_fail(64, "keeping the memfd", -errno);
	if (pipe_put(wr, &rc, sizeof(rc)) || pipe_get(rd, &go, sizeof(go)))
		return 65;
	/* A provider that was killed is gone once the daemon noticed. */
	for (i = 0; i < 5000 && (fstat(k.dup_fd, &st) || st.st_size); i++)
		sleep_ms(1);
	rc = kept_nothing(&k, 66);
	if (rc)
		return rc;
	if (pipe_put(wr, &rc, sizeof(rc)) || pipe_get(rd, &go, sizeof(go)))
		return 72;
	close(s);
	return 0;
}

/* ---- the plays ------------------------------------------------------------- */

static void
play(bool uids, bool raw, enum mode mode)
{
	struct realm_arg ap = { uids ? TEST_UID(1) : 0, mode };
	struct realm_arg aa = { uids ? TEST_UID(2) : 0, mode };
	struct realm_arg ab = { uids ? TEST_UID(3) : 0, mode };
	struct caec_csm_sid sid_a, sid_b;
	struct peer p, a, b;
	uint64_t id_a = 0, id_b, t;
	bool with_a = mode == MODE_REVOKE;
	int ack, go = 1;

	if (uids && !test_uids_available())
		skip();
	if (with_a)
		assert_int_equal(peer_start(&a, peer_writer, &aa), 0);
	assert_int_equal(peer_start(&b, raw ? peer_raw_holder : peer_lib_holder,
				    &ab), 0);
	assert_int_equal(peer_start(&p, peer_provider, &ap), 0);
	if (with_a)
		assert_int_equal(pipe_get(a.rd, &id_a, sizeof(id_a)), 0);
	assert_int_equal(pipe_get(b.rd, &id_b, sizeof(id_b)), 0);
	assert_int_equal(pipe_put(p.wr, &id_a, sizeof(id_a)), 0);
	assert_int_equal(pipe_put(p.wr, &id_b, sizeof(id_b)), 0);
	assert_int_equal(pipe_get(p.rd, &sid_a, sizeof(sid_a)), 0);
	assert_int_equal(pipe_get(p.rd, &sid_b, sizeof(sid_b)), 0);
	if (with_a) {
		assert_int_equal(pipe_put(a.wr, &sid_a, sizeof(sid_a)), 0);
		assert_int_equal(pipe_get(a.rd, &ack, sizeof(ack)), 0);
	}
	assert_int_equal(pipe_put(b.wr, &sid_b, sizeof(sid_b)), 0);
	assert_int_equal(pipe_get(b.rd, &ack, sizeof(ack)), 0);
	if (with_a)
		sleep_ms(20);		/* the writer is at it */
	if (mode == MODE_GONE) {
		kill(p.pid, SIGKILL);
		expect_peer(&p, 128 + SIGKILL);
	} else {
		assert_int_equal(pipe_put(p.wr, &go, sizeof(go)), 0);
		assert_int_equal(pipe_get(p.rd, &t, sizeof(t)), 0);
		print_message("  %s took %.1f ms%s\n",
			      mode == MODE_DESTROY ? "caec_csm_destroy" :
						     "caec_csm_revoke",
			      t / 1e6, raw ? " (a realm that never acknowledges)" : "");
	}
	if (with_a) {
		assert_int_equal(pipe_put(a.wr, &go, sizeof(go)), 0);
		assert_int_equal(pipe_get(a.rd, &ack, sizeof(ack)), 0);
	}
	assert_int_equal(pipe_put(b.wr, &go, sizeof(go)), 0);
	assert_int_equal(pipe_get(b.rd, &ack, sizeof(ack)), 0);
	if (mode == MODE_REVOKE) {
		/* After the revoked realm tried to write: the provider checks. */
		assert_int_equal(pipe_put(p.wr, &go, sizeof(go)), 0);
		assert_int_equal(pipe_get(p.rd, &ack, sizeof(ack)), 0);
		assert_int_equal(pipe_put(p.wr, &go, sizeof(go)), 0);
	}
	if (with_a)
		assert_int_equal(pipe_put(a.wr, &go, sizeof(go)), 0);
	assert_int_equal(pipe_put(b.wr, &go, sizeof(go)), 0);
	if (mode != MODE_GONE)
		expect_peer(&p, 0);
	if (with_a)
		expect_peer(&a, 0);
	expect_peer(&b, 0);
}

static void
test_revoked_library_consumer_keeps_nothing(void **state)
{
	(void)state;
	play(false, false, MODE_REVOKE);
}

static void
test_revoked_library_consumer_keeps_nothing_uids(void **state)
{
	(void)state;
	play(true, false, MODE_REVOKE);
}

static void
test_revoked_raw_consumer_keeps_nothing(void **state)
{
	(void)state;
	play(false, true, MODE_REVOKE);
}

static void
test_revoked_raw_consumer_keeps_nothing_uids(void **state)
{
	(void)state;
	play(true, true, MODE_REVOKE);
}

static void
test_destroyed_keeps_nothing(void **state)
{
	(void)state;
	play(false, false, MODE_DESTROY);
	play(false, true, MODE_DESTROY);
}

static void
test_destroyed_keeps_nothing_uids(void **state)
{
	(void)state;
	play(true, true, MODE_DESTROY);
}

static void
test_provider_gone_keeps_nothing(void **state)
{
	(void)state;
	play(false, true, MODE_GONE);
}

/* ---- cost ------------------------------------------------------------------ */

static uint64_t
sum(const uint8_t *p, size_t n)
{
	uint64_t s = 0;
	size_t i;

	for (i = 0; i < n; i += 8) {
		uint64_t v;

		memcpy(&v, p + i, 8);
		s = s * 31 + v;
	}
	return s;
}

/* A consumer that attaches, reports its checksum before and after. */
static int
peer_sum(int rd, int wr, void *arg)
{
	struct caec_csm_region *r;
	struct caec_csm_sid sid;
	uint64_t id, s;
	int rc, go;

	(void)arg;
	rc = caec_csm_realm_id(&id);
	if (rc || pipe_put(wr, &id, sizeof(id)) || pipe_get(rd, &sid, sizeof(sid)))
		return peer_fail(80, "realm id", rc);
	rc = caec_csm_attach(&sid, &r);
	if (rc)
		return peer_fail(81, "attach", rc);
	s = sum(caec_csm_data(r), caec_csm_size(r));
	if (pipe_put(wr, &s, sizeof(s)) || pipe_get(rd, &go, sizeof(go)))
		return 82;
	s = caec_csm_status(r) ? 0 : sum(caec_csm_data(r), caec_csm_size(r));
	if (pipe_put(wr, &s, sizeof(s)) || pipe_get(rd, &go, sizeof(go)))
		return 83;
	return caec_csm_detach(r) ? 84 : 0;
}

static void
revoke_cost(size_t size)
{
	struct caec_csm_region *r;
	struct caec_csm_sid sa, sb;
	struct peer a, b;
	uint64_t ia, ib, want, sa0, sb0, sa1, sb1, t;
	uint8_t *p;
	size_t i;
	int go = 1;

	assert_rc(caec_csm_create(size, &r), 0);
	p = caec_csm_base(r);
	for (i = 0; i < size; i += 8) {
		uint64_t v = i * 0x9e3779b97f4a7c15ull;

		memcpy(p + i, &v, 8);
	}
	want = sum(p, size);
	assert_int_equal(peer_start(&a, peer_sum, NULL), 0);
	assert_int_equal(peer_start(&b, peer_sum, NULL), 0);
	assert_int_equal(pipe_get(a.rd, &ia, sizeof(ia)), 0);
	assert_int_equal(pipe_get(b.rd, &ib, sizeof(ib)), 0);
	assert_rc(caec_csm_share(r, ia, CAEC_CSM_RO, &sa), 0);
	assert_rc(caec_csm_share(r, ib, CAEC_CSM_RO, &sb), 0);
	assert_int_equal(pipe_put(a.wr, &sa, sizeof(sa)), 0);
	assert_int_equal(pipe_put(b.wr, &sb, sizeof(sb)), 0);
	assert_int_equal(pipe_get(a.rd, &sa0, sizeof(sa0)), 0);
	assert_int_equal(pipe_get(b.rd, &sb0, sizeof(sb0)), 0);
	assert_true(sa0 == want && sb0 == want);
	t = now_ns();
	assert_rc(caec_csm_revoke(r, &sb), 0);
	t = now_ns() - t;
	print_message("  revoke of a %zu MiB region (copied for the provider and one consumer): %.1f ms\n",
		      size >> 20, t / 1e6);
	/* Every byte kept, here and for the remaining consumer. */
	assert_true(sum(p, size) == want);
	assert_int_equal(caec_csm_status(r), 0);
	assert_int_equal(pipe_put(a.wr, &go, sizeof(go)), 0);
	assert_int_equal(pipe_put(b.wr, &go, sizeof(go)), 0);
	assert_int_equal(pipe_get(a.rd, &sa1, sizeof(sa1)), 0);
	assert_int_equal(pipe_get(b.rd, &sb1, sizeof(sb1)), 0);
	assert_true(sa1 == want);
	assert_true(sb1 == 0);		/* revoked */
	assert_int_equal(pipe_put(a.wr, &go, sizeof(go)), 0);
	assert_int_equal(pipe_put(b.wr, &go, sizeof(go)), 0);
	expect_peer(&a, 0);
	expect_peer(&b, 0);
	assert_rc(caec_csm_destroy(r), 0);
}

static void
test_revoke_cost(void **state)
{
	(void)state;
	revoke_cost(1u << 20);
	revoke_cost(128u << 20);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_revoked_library_consumer_keeps_nothing),
		cmocka_unit_test(test_revoked_library_consumer_keeps_nothing_uids),
		cmocka_unit_test(test_revoked_raw_consumer_keeps_nothing),
		cmocka_unit_test(test_revoked_raw_consumer_keeps_nothing_uids),
		cmocka_unit_test(test_destroyed_keeps_nothing),
		cmocka_unit_test(test_destroyed_keeps_nothing_uids),
		cmocka_unit_test(test_provider_gone_keeps_nothing),
		cmocka_unit_test(test_revoke_cost),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

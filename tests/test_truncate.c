/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A peer that resizes the shared object under the mapping.
 *
 *   blocked      a live channel's object is truncated (to 0, to half) by
 *                another holder while the creator is blocked in recv and in
 *                send, in every nw mode: the process lives, the blocked call
 *                fails within its timeout, the channel reports -EPROTO
 *   guard        the SIGBUS guard on its own: a truncated region reads as
 *                zeros and is marked lost; a fault outside every region goes
 *                to the handler installed before; opting out
 *   race         a close racing a truncation handled in another thread: the
 *                handler never replaces a range after it was unmapped and
 *                reused
 *   memfd        nw:memfd is sealed (no holder can resize it); an inherited
 *                memfd without the seals is refused with -EPROTO
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <caec/caec.h>

#include "../src/backend/region.h"
#include "lib/check.h"

static const uint8_t key[32] = "0123456789abcdef0123456789abcdef";

static const char *const schemes[] = {
	"nw",
#ifdef CAEC_TEST_HAVE_OPENSSL
	"nw-openssl",
#endif
#ifdef CAEC_TEST_HAVE_MBEDTLS
	"nw-mbedtls",
#endif
};
#define NSCHEMES (sizeof(schemes) / sizeof(schemes[0]))

/*
 * cmocka installs its own SIGBUS handler around every test, after
 * libcaec's: the case include/caec/caec.h documents for an application with
 * a handler of its own. Its handler calls caec_sigbus_handle() first.
 */
static struct sigaction test_prev;

static void
app_sigbus(int sig, siginfo_t *info, void *uc)
{
	if (caec_sigbus_handle(sig, info, uc))
		return;
	if (test_prev.sa_flags & SA_SIGINFO)
		test_prev.sa_sigaction(sig, info, uc);
	else if (test_prev.sa_handler != SIG_DFL &&
		 test_prev.sa_handler != SIG_IGN)
		test_prev.sa_handler(sig);
	else
		signal(SIGBUS, SIG_DFL);
}

static void
app_handler_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = app_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGBUS, &sa, &test_prev), 0);
}

static long
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

struct truncator {
	char name[64];
	bool to_half;
	int delay_ms;
	int rc;
};

/* Another holder of the object: open it by name and shrink it. */
static void *
truncate_later(void *arg)
{
	struct truncator *t = arg;
	struct timespec d = { 0, (long)t->delay_ms * 1000000 };
	struct stat st;
	off_t len = 0;
	int fd;

	nanosleep(&d, NULL);
	fd = shm_open(t->name, O_RDWR, 0);
	if (fd < 0) {
		t->rc = -errno;
		return NULL;
	}
	if (t->to_half && fstat(fd, &st) == 0)
		len = (st.st_size / 2) & ~(off_t)4095;
	t->rc = ftruncate(fd, len) ? -errno : 0;
	close(fd);
	return NULL;
}

static void
blocked_case(const char *scheme, bool in_send, bool to_half)
{
	struct caec_channel_params p;
	struct caec_channel *c, *a;
	struct truncator t = { .to_half = to_half, .delay_ms = 100 };
	char uri[128], buf[256];
	pthread_t th;
	long t0, took;
	int rc, n = 0;

	caec_channel_params_init(&p);
	p.key = key;
	snprintf(t.name, sizeof(t.name), "caec-test-trunc-%d-%s-%d%d",
		 getpid(), scheme, in_send, to_half);
	snprintf(uri, sizeof(uri), "%s:shm/%s?ring=64K", scheme, t.name);
	assert_rc(caec_channel_create(uri, &p, &c), 0);
	assert_rc(caec_channel_attach(uri, &p, &a), 0);
	/* Keyed both ways, and for send: the creator's ring full. */
	assert_rc(caec_channel_send(a, "hello", 5, 0, 1000), 0);
	assert_rc(caec_channel_recv(c, buf, sizeof(buf), 0, 1000), 5);
	memset(buf, 0x5a, sizeof(buf));
	if (in_send)
		while (caec_channel_send(c, buf, sizeof(buf), 0, 0) == 0)
			n++;
	assert_int_equal(pthread_create(&th, NULL, truncate_later, &t), 0);
	t0 = now_ms();
	if (in_send)
		rc = caec_channel_send(c, buf, sizeof(buf), 0, 1000);
	else
		rc = (int)caec_channel_recv(c, buf, sizeof(buf), 0, 1000);
	took = now_ms() - t0;
	pthread_join(th, NULL);
	assert_rc(t.rc, 0);
	if (rc >= 0)
		fail_msg("%s %s, truncated to %s: the blocked call returned %d",
			 scheme, in_send ? "send" : "recv",
			 to_half ? "half" : "0", rc);
	assert_true(took < 1000 + 500);
	/* Both ends go on touching the region: no death, only errors. */
	if (!to_half) {
		rc = (int)caec_channel_recv(c, buf, sizeof(buf), 0, 0);
		assert_rc(rc, -EPROTO);
		rc = caec_channel_send(c, buf, 64, 0, 0);
		assert_rc(rc, -EPROTO);
		rc = (int)caec_channel_recv(a, buf, sizeof(buf), 0, 0);
		assert_rc(rc, -EPROTO);
	} else {
		(void)caec_channel_recv(a, buf, sizeof(buf), 0, 0);
		(void)caec_channel_send(a, buf, 64, 0, 0);
	}
	caec_channel_close(a);
	caec_channel_close(c);
	(void)n;
}

static void
test_blocked_recv_truncated_to_zero(void **state)
{
	size_t i;

	(void)state;
	app_handler_install();
	for (i = 0; i < NSCHEMES; i++)
		blocked_case(schemes[i], false, false);
}

static void
test_blocked_send_truncated_to_zero(void **state)
{
	size_t i;

	(void)state;
	app_handler_install();
	for (i = 0; i < NSCHEMES; i++)
		blocked_case(schemes[i], true, false);
}

static void
test_blocked_recv_truncated_to_half(void **state)
{
	size_t i;

	(void)state;
	app_handler_install();
	for (i = 0; i < NSCHEMES; i++)
		blocked_case(schemes[i], false, true);
}

static void
test_blocked_send_truncated_to_half(void **state)
{
	size_t i;

	(void)state;
	app_handler_install();
	for (i = 0; i < NSCHEMES; i++)
		blocked_case(schemes[i], true, true);
}

/* A truncated object under a channel in the middle of a stream. */
static void
test_stream_then_truncate(void **state)
{
	struct caec_channel *c, *a;
	char uri[128], name[64], buf[512];
	int fd, i, rc = 0;

	(void)state;
	app_handler_install();
	snprintf(name, sizeof(name), "caec-test-trunc-stream-%d", getpid());
	snprintf(uri, sizeof(uri), "nw:shm/%s?ring=16K", name);
	assert_rc(caec_channel_create(uri, NULL, &c), 0);
	assert_rc(caec_channel_attach(uri, NULL, &a), 0);
	memset(buf, 1, sizeof(buf));
	for (i = 0; i < 100; i++) {
		assert_rc(caec_channel_send(c, buf, sizeof(buf), 0, 1000), 0);
		assert_rc(caec_channel_recv(a, buf, sizeof(buf), 0, 1000),
			  sizeof(buf));
	}
	fd = shm_open(name, O_RDWR, 0);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 0), 0);
	close(fd);
	for (i = 0; i < 10 && rc >= 0; i++)
		rc = caec_channel_send(c, buf, sizeof(buf), 0, 0);
	assert_rc(rc, -EPROTO);
	assert_rc(caec_channel_recv(a, buf, sizeof(buf), 0, 0), -EPROTO);
	assert_rc(caec_channel_flush(c), -EPROTO);
	caec_channel_close(a);
	caec_channel_close(c);
}

/* ---- the guard on its own ---- */

static uint8_t *
shm_region(const char *name, size_t len, int *fd)
{
	uint8_t *p;

	*fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	assert_true(*fd >= 0);
	shm_unlink(name);
	assert_int_equal(ftruncate(*fd, (off_t)len), 0);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	assert_true(p != MAP_FAILED);
	memset(p, 0xab, len);
	return p;
}

static void
test_guard_zero_pages_and_lost(void **state)
{
	const size_t len = 4 * 4096;
	volatile uint8_t *v;
	uint8_t *p;
	int fd, id, lost = 0;
	char name[64];

	(void)state;
	app_handler_install();
	snprintf(name, sizeof(name), "caec-test-guard-%d", getpid());
	p = shm_region(name, len, &fd);
	id = region_guard_add(p, len, PROT_READ | PROT_WRITE, &lost);
	assert_true(id >= 0);
	assert_int_equal(ftruncate(fd, 4096), 0);
	v = p;
	assert_int_equal(v[3 * 4096 + 7], 0);	/* faulted, now zero */
	assert_int_equal(lost, -EPROTO);
	/* The whole region is private zeros now, also the first page. */
	assert_int_equal(v[0], 0);
	v[5] = 1;
	assert_int_equal(v[5], 1);
	region_guard_remove(id);
	munmap(p, len);
	close(fd);
}

static sigjmp_buf prev_jmp;
static volatile sig_atomic_t prev_calls;

static void
prev_handler(int sig, siginfo_t *info, void *uc)
{
	(void)sig;
	(void)info;
	(void)uc;
	prev_calls++;
	siglongjmp(prev_jmp, 1);
}

/*
 * A fault outside every guarded region reaches the handler that was there
 * before libcaec's; one inside is handled and never reaches it.
 */
static void
test_guard_chains_to_previous_handler(void **state)
{
	struct sigaction sa, old;
	struct caec_channel *ch;
	const size_t len = 2 * 4096;
	volatile uint8_t *v;
	uint8_t *p;
	char name[64];
	int fd;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = prev_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	/* Only meaningful while libcaec has not installed its handler: this
	 * test runs first in this executable. */
	assert_int_equal(sigaction(SIGBUS, &sa, &old), 0);
	snprintf(name, sizeof(name), "caec-test-chain-%d", getpid());
	assert_rc(caec_channel_create("nw:memfd", NULL, &ch), 0);
	/* An unguarded mapping of the test's own. */
	p = shm_region(name, len, &fd);
	assert_int_equal(ftruncate(fd, 0), 0);
	v = p;
	if (sigsetjmp(prev_jmp, 1) == 0) {
		(void)v[4096];
		fail_msg("no SIGBUS from a truncated mapping");
	}
	assert_int_equal(prev_calls, 1);
	munmap(p, len);
	close(fd);
	caec_channel_close(ch);
	/* libcaec's handler stays installed (it chains to prev_handler). */
	(void)old;
}

static void
test_guard_opt_out(void **state)
{
	int lost = 0;
	uint8_t buf[64];

	(void)state;
	caec_sigbus_guard(0);
	assert_int_equal(region_guard_add(buf, sizeof(buf), PROT_READ, &lost),
			 -1);
	caec_sigbus_guard(1);
}

/* ---- the close/truncate race ---- */

static volatile int hook_in;

static void
slow_hook(void)
{
	struct timespec d = { 0, 200 * 1000000 };

	hook_in = 1;
	nanosleep(&d, NULL);
}

struct faulter {
	volatile uint8_t *addr;
	uint8_t seen;
};

static void *
fault_on(void *arg)
{
	struct faulter *f = arg;

	f->seen = f->addr[0];
	return NULL;
}

/*
 * Thread B faults on a truncated region and its handler is slowed down
 * inside the window; thread A meanwhile removes the guard, unmaps, and maps
 * something new at the same address. The new mapping must survive: the
 * remover waits for the handler, so it replaces the old region, not the
 * new one.
 */
static void
test_close_races_truncate(void **state)
{
	const size_t len = 2 * 4096;
	struct faulter f;
	pthread_t th;
	uint8_t *p, *q;
	char name[64];
	int fd, id, lost = 0;
	long t0;

	(void)state;
	app_handler_install();
	snprintf(name, sizeof(name), "caec-test-race-%d", getpid());
	p = shm_region(name, len, &fd);
	id = region_guard_add(p, len, PROT_READ | PROT_WRITE, &lost);
	assert_true(id >= 0);
	assert_int_equal(ftruncate(fd, 0), 0);
	hook_in = 0;
	region_guard_test_hook = slow_hook;
	f.addr = p + 4096;
	assert_int_equal(pthread_create(&th, NULL, fault_on, &f), 0);
	while (!hook_in)
		sched_yield();
	t0 = now_ms();
	region_guard_remove(id);	/* must wait for the handler */
	assert_true(now_ms() - t0 >= 100);
	munmap(p, len);
	q = mmap(p, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	assert_true(q == p);
	memset(q, 0x77, len);
	pthread_join(th, NULL);
	region_guard_test_hook = NULL;
	assert_int_equal(q[0], 0x77);
	assert_int_equal(q[4096], 0x77);
	munmap(q, len);
	close(fd);
}

/* ---- memfd seals ---- */

static void
test_memfd_is_sealed(void **state)
{
	struct caec_channel *ch;
	int fd, seals;

	(void)state;
	assert_rc(caec_channel_create("nw:memfd", NULL, &ch), 0);
	fd = caec_channel_region_fd(ch);
	assert_true(fd >= 0);
	seals = fcntl(fd, F_GET_SEALS);
	assert_int_equal(seals & (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL),
			 F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
	assert_int_not_equal(ftruncate(fd, 0), 0);
	assert_int_equal(errno, EPERM);
	caec_channel_close(ch);
}

static void
test_unsealed_memfd_refused(void **state)
{
	struct caec_channel *ch;
	char uri[40];
	int fd;

	(void)state;
	fd = memfd_create("not-sealed", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 1 << 20), 0);
	snprintf(uri, sizeof(uri), "nw:fd/%d", fd);
	detail_reset();
	assert_rc(caec_channel_attach(uri, NULL, &ch), -EPROTO);
	assert_detail("F_SEAL_SHRINK");
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* First: it needs a SIGBUS handler installed before libcaec's. */
		cmocka_unit_test(test_guard_chains_to_previous_handler),
		cmocka_unit_test(test_blocked_recv_truncated_to_zero),
		cmocka_unit_test(test_blocked_send_truncated_to_zero),
		cmocka_unit_test(test_blocked_recv_truncated_to_half),
		cmocka_unit_test(test_blocked_send_truncated_to_half),
		cmocka_unit_test(test_stream_then_truncate),
		cmocka_unit_test(test_guard_zero_pages_and_lost),
		cmocka_unit_test(test_guard_opt_out),
		cmocka_unit_test(test_close_races_truncate),
		cmocka_unit_test(test_memfd_is_sealed),
		cmocka_unit_test(test_unsealed_memfd_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

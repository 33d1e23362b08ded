/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A peer that dies (SIGKILL) without closing its channel (channel_live.c):
 * the other side's blocked call returns -ECONNRESET, also with CAEC_FOREVER,
 * instead of waiting for ever.
 *
 *   recv       blocked in recv, nw and nw-openssl: -ECONNRESET
 *   send       blocked in send on a full ring: -ECONNRESET
 *   drained    what the dead peer sent is received first, then -ECONNRESET
 *   clean      a peer that closed, then died: -EPIPE (a clean end)
 *   half-closed an encrypted peer's closed flag without its end-of-stream
 *              frame, the peer dead: -ECONNRESET (alive, it is -EBADMSG)
 *   inherited  a creator killed while the attacher it forked (nw:fd/N, which
 *              inherited the creator's descriptors) waits: -ECONNRESET
 *   forged     rewriting the liveness words of a live peer makes nothing
 *              look dead (a wait times out); the kernel keeps the locks
 *   reclaim    nw:shm create with reclaim=1 takes over a name whose users
 *              died, refuses (-EBUSY) one a live process holds; without it
 *              -EEXIST
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <caec/caec.h>

#include "lib/check.h"
#include "../src/channel_layout.h"
#include "../src/ring/ring_api.h"

static const uint8_t key[32] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static char name[64];

static void
params(struct caec_channel_params *p)
{
	caec_channel_params_init(p);
	p->ring_size = 4096;
	p->key = key;
}

static void
uri_of(char *buf, size_t cap, const char *scheme, const char *extra)
{
	snprintf(buf, cap, "%s:shm/%s%s", scheme, name, extra);
}

/*
 * Fork a peer that attaches @uri, sends @nsend 64-byte messages, closes if
 * @close_it, says so on a pipe and then waits to be killed (or exits).
 */
static pid_t
peer_attach(const char *uri, int nsend, bool close_it, bool exit_after)
{
	struct caec_channel_params p;
	struct caec_channel *ch;
	uint8_t msg[64];
	int pfd[2], i;
	char c = 'r';
	pid_t pid;

	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(pfd[0]);
		params(&p);
		if (caec_channel_attach(uri, &p, &ch))
			_exit(3);
		for (i = 0; i < nsend; i++) {
			memset(msg, i, sizeof(msg));
			if (caec_channel_send(ch, msg, sizeof(msg), 0, 5000) < 0)
				_exit(4);
		}
		if (close_it)
			caec_channel_close(ch);
		if (write(pfd[1], &c, 1) != 1)
			_exit(5);
		if (exit_after)
			_exit(0);
		for (;;)
			pause();
	}
	close(pfd[1]);
	assert_int_equal(read(pfd[0], &c, 1), 1);
	close(pfd[0]);
	return pid;
}

struct killer {
	pid_t pid;
	unsigned int delay_ms;
};

static void *
kill_later(void *arg)
{
	struct killer *k = arg;

	usleep(k->delay_ms * 1000u);
	kill(k->pid, SIGKILL);
	return NULL;
}

static void
reap(pid_t pid)
{
	int st;

	assert_int_equal(waitpid(pid, &st, 0), pid);
}

static void
blocked_recv_sees_death(const char *scheme)
{
	struct caec_channel_params p;
	struct caec_channel *ch;
	struct killer k;
	uint8_t buf[64];
	pthread_t t;
	char uri[128];
	pid_t pid;

	uri_of(uri, sizeof(uri), scheme, "");
	params(&p);
	assert_rc(caec_channel_create(uri, &p, &ch), 0);
	pid = peer_attach(uri, 0, false, false);
	assert_int_equal(caec_channel_peer_watched(ch), 1);
	k.pid = pid;
	k.delay_ms = 200;
	assert_int_equal(pthread_create(&t, NULL, kill_later, &k), 0);
	alarm(20);		/* without detection: fail, not hang */
	assert_rc(caec_channel_recv(ch, buf, sizeof(buf), 0, CAEC_FOREVER),
		  -ECONNRESET);
	alarm(0);
	pthread_join(t, NULL);
	reap(pid);
	caec_channel_close(ch);
}

static void
test_recv_nw(void **state)
{
	(void)state;
	blocked_recv_sees_death("nw");
}

static void
test_recv_encrypted(void **state)
{
	(void)state;
#if defined(CAEC_TEST_HAVE_OPENSSL)
	blocked_recv_sees_death("nw-openssl");
#else
	skip();
#endif
}

static void
test_send_full_ring(void **state)
{
	struct caec_channel_params p;
	struct caec_channel *ch;
	uint8_t msg[256] = { 0 };
	struct killer k;
	pthread_t t;
	char uri[128];
	ssize_t rc;
	pid_t pid;

	(void)state;
	uri_of(uri, sizeof(uri), "nw", "");
	params(&p);
	assert_rc(caec_channel_create(uri, &p, &ch), 0);
	pid = peer_attach(uri, 0, false, false);
	while ((rc = caec_channel_send(ch, msg, sizeof(msg), 0, 0)) >= 0)
		;
	assert_rc(rc, -EAGAIN);
	k.pid = pid;
	k.delay_ms = 200;
	assert_int_equal(pthread_create(&t, NULL, kill_later, &k), 0);
	alarm(20);
	assert_rc(caec_channel_send(ch, msg, sizeof(msg), 0, CAEC_FOREVER),
		  -ECONNRESET);
	alarm(0);
	pthread_join(t, NULL);
	reap(pid);
	caec_channel_close(ch);
}

static void
test_dead_peer_data_drained_first(void **state)
{
	struct caec_channel_params p;
	struct caec_channel *ch;
	uint8_t buf[64];
	char uri[128];
	pid_t pid;
	int i;

	(void)state;
	uri_of(uri, sizeof(uri), "nw", "");
	params(&p);
	assert_rc(caec_channel_create(uri, &p, &ch), 0);
	pid = peer_attach(uri, 5, false, false);
	kill(pid, SIGKILL);
	reap(pid);
	for (i = 0; i < 5; i++) {
		assert_rc(caec_channel_recv(ch, buf, sizeof(buf), 0, 5000), 64);
		assert_int_equal(buf[0], i);
	}
	alarm(20);
	assert_rc(caec_channel_recv(ch, buf, sizeof(buf), 0, CAEC_FOREVER),
		  -ECONNRESET);
	alarm(0);
	caec_channel_close(ch);
}

static void
test_closed_then_dead_is_epipe(void **state)
{
	struct caec_channel_params p;
	struct caec_channel *ch;
	uint8_t buf[64];
	char uri[128];
	pid_t pid;

	(void)state;
	uri_of(uri, sizeof(uri), "nw", "");
	params(&p);
	assert_rc(caec_channel_create(uri, &p, &ch), 0);
	pid = peer_attach(uri, 1, true, true);
	reap(pid);
	assert_rc(caec_channel_recv(ch, buf, sizeof(buf), 0, 5000), 64);
	assert_rc(caec_channel_recv(ch, buf, sizeof(buf), 0, CAEC_FOREVER),
		  -EPIPE);
	caec_channel_close(ch);
}

/* Encrypted: the peer's side shows closed without an end-of-stream frame
 * (it died half-way through a close, or the host set the flag) and the
 * peer is gone: -ECONNRESET, not the forgery's -EBADMSG. */
static void
test_closed_flag_of_dead_peer(void **state)
{
	struct caec_channel_params p;
	struct caec_channel *ch;
	struct caec_chan_hdr *h;
	uint8_t buf[64];
	char uri[128];
	uint64_t off;
	void *m;
	pid_t pid;

	(void)state;
#if !defined(CAEC_TEST_HAVE_OPENSSL)
	skip();
#endif
	uri_of(uri, sizeof(uri), "nw-openssl", "");
	params(&p);
	assert_rc(caec_channel_create(uri, &p, &ch), 0);
	pid = peer_attach(uri, 0, false, false);
	kill(pid, SIGKILL);
	reap(pid);
	m = mmap(NULL, 1u << 20, PROT_READ | PROT_WRITE, MAP_SHARED,
		 caec_channel_region_fd(ch), 0);
	assert_true(m != MAP_FAILED);
	h = m;
	off = h->ring_off[1];
	ring_mem_close((uint8_t *)m + off, CAEC_RING_PRODUCER);
	assert_rc(caec_channel_recv(ch, buf, sizeof(buf), 0, 5000),
		  -ECONNRESET);
	munmap(m, 1u << 20);
	caec_channel_close(ch);
}

/*
 * A creator (nw:memfd) forks its attacher, which inherits every descriptor
 * of the creator, then is killed: the attacher's blocked recv must see it.
 */
static void
test_inherited_descriptors_do_not_hide_death(void **state)
{
	int res[2], ready[2], rc = 0;
	pid_t creator;

	(void)state;
	assert_int_equal(pipe(res), 0);
	assert_int_equal(pipe(ready), 0);
	creator = fork();
	assert_true(creator >= 0);
	if (creator == 0) {
		struct caec_channel_params p;
		struct caec_channel *ch, *at;
		char uri[64], c = 'r';
		uint8_t buf[64];
		pid_t child;
		int fd;

		params(&p);
		if (caec_channel_create("nw:memfd", &p, &ch))
			_exit(3);
		fd = caec_channel_region_fd(ch);
		child = fork();
		if (child == 0) {
			snprintf(uri, sizeof(uri), "nw:fd/%d", fd);
			if (caec_channel_attach(uri, &p, &at))
				_exit(3);
			if (write(ready[1], &c, 1) != 1)
				_exit(4);
			alarm(20);
			rc = (int)caec_channel_recv(at, buf, sizeof(buf), 0,
						    CAEC_FOREVER);
			if (write(res[1], &rc, sizeof(rc)) != sizeof(rc))
				_exit(5);
			_exit(0);
		}
		for (;;)
			pause();
	}
	close(ready[1]);
	close(res[1]);
	{
		char c;

		assert_int_equal(read(ready[0], &c, 1), 1);
	}
	usleep(200000);
	kill(creator, SIGKILL);
	reap(creator);
	assert_int_equal(read(res[0], &rc, sizeof(rc)), sizeof(rc));
	assert_rc(rc, -ECONNRESET);
	close(res[0]);
	close(ready[0]);
}

static void
test_forged_words_do_not_kill_a_live_peer(void **state)
{
	struct caec_channel_params p;
	struct caec_channel *ch;
	uint32_t forged[3] = { 0, 0xdeadbeefu, 0 };
	struct caec_chan_hdr *h;
	uint8_t buf[64];
	char uri[128];
	int fd, i;
	pid_t pid;

	(void)state;
	uri_of(uri, sizeof(uri), "nw", "");
	params(&p);
	assert_rc(caec_channel_create(uri, &p, &ch), 0);
	pid = peer_attach(uri, 0, false, false);
	fd = caec_channel_region_fd(ch);
	h = mmap(NULL, CAEC_CHAN_HDR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 fd, 0);
	assert_true(h != MAP_FAILED);
	forged[0] = h->live[1];
	for (i = 0; i < 3; i++) {
		/* The attacher's word: its own value, garbage, none. The
		 * lock, which the kernel keeps, is what counts. */
		h->live[1] = forged[i];
		assert_rc(caec_channel_recv(ch, buf, sizeof(buf), 0, 300),
			  -ETIMEDOUT);
	}
	munmap(h, CAEC_CHAN_HDR_SIZE);
	kill(pid, SIGKILL);
	reap(pid);
	caec_channel_close(ch);
}

static void
test_reclaim_stale_name(void **state)
{
	struct caec_channel_params p;
	struct caec_channel *ch, *other;
	char uri[128], again[128];
	pid_t pid;
	int st;

	(void)state;
	uri_of(uri, sizeof(uri), "nw", "");
	uri_of(again, sizeof(again), "nw", "?reclaim=1");
	params(&p);
	/* A creator that dies leaves its name behind. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (caec_channel_create(uri, &p, &ch))
			_exit(3);
		kill(getpid(), SIGKILL);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	assert_rc(caec_channel_create(uri, &p, &ch), -EEXIST);
	assert_rc(caec_channel_create(again, &p, &ch), 0);
	/* A live holder (this channel, and an attacher): never reclaimed. */
	pid = peer_attach(uri, 0, false, false);
	assert_rc(caec_channel_create(again, &p, &other), -EBUSY);
	kill(pid, SIGKILL);
	reap(pid);
	assert_rc(caec_channel_create(again, &p, &other), -EBUSY);
	caec_channel_close(ch);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(name, sizeof(name), "caec-deadpeer-%d", (int)getpid());
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_recv_nw, setup),
		cmocka_unit_test_setup(test_recv_encrypted, setup),
		cmocka_unit_test_setup(test_send_full_ring, setup),
		cmocka_unit_test_setup(test_dead_peer_data_drained_first, setup),
		cmocka_unit_test_setup(test_closed_then_dead_is_epipe, setup),
		cmocka_unit_test_setup(test_closed_flag_of_dead_peer, setup),
		cmocka_unit_test(test_inherited_descriptors_do_not_hide_death),
		cmocka_unit_test_setup(test_forged_words_do_not_kill_a_live_peer, setup),
		cmocka_unit_test_setup(test_reclaim_stale_name, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

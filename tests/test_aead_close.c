/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * How an encrypted channel (nw-openssl:, nw-mbedtls:) ends, and what it
 * refuses while it lives: the authenticated end of stream (a clean close is
 * -EPIPE after all data; a closed flag the host sets, a dropped last record,
 * an end-of-stream frame copied or altered are -EBADMSG; a full ring does
 * not keep the frame out), a record longer than the channel's (sticky
 * -EPROTO), a peer of the old record format (refused at attach), and a
 * child that inherits the channel through fork() (-ECHILD, its close leaves
 * the parent's stream alone).
 *
 * The host's moves go through the writable hypervisor view of the region
 * (lib/hv_view.h), at the offsets docs/ring-format.md gives.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <caec/caec.h>

#include "../src/channel_layout.h"
#include "../src/ring/ring_layout.h"
#include "lib/aead_pair.h"
#include "lib/check.h"
#include "lib/hv_view.h"

#define RING 16384u
#define OVERHEAD 32u
/* The ring record of a 16-byte message: header, frame, padding. */
#define REC16 (8u + ((16u + OVERHEAD + 7u) & ~7u))
/* The producer's trailer inside its ring block (docs/ring-format.md). */
#define TRAILER_OFF 64u
#define EOS_SIZE 32u

static const uint8_t key_a[32] = "0123456789abcdef0123456789abcdef";

static const char *const libs[] = {
#ifdef CAEC_HAVE_OPENSSL
	"nw-openssl",
#endif
#ifdef CAEC_HAVE_MBEDTLS
	"nw-mbedtls",
#endif
};
#define NLIBS (sizeof(libs) / sizeof(libs[0]))

static void
skip_without_crypto(void)
{
	if (NLIBS == 0)
		skip();
}

static void
open_pair(struct aead_pair *p, const char *sc, const char *sa)
{
	const struct aead_pair_cfg cfg = {
		.scheme_c = sc, .scheme_a = sa, .key_c = key_a, .key_a = key_a,
		.ring_size = RING,
	};

	assert_rc(aead_pair_open(p, &cfg), 0);
}

/* The first library creates, the last attaches (both when there are two). */
static void
open_default(struct aead_pair *p)
{
	open_pair(p, libs[0], libs[NLIBS - 1]);
}

static struct caec_ring_shared *
ring_of(const struct aead_pair *p, int i)
{
	struct caec_ring_shared *r = hv_view_ring(&p->hv, i);

	assert_non_null(r);
	return r;
}

static uint8_t *
data_of(struct caec_ring_shared *r)
{
	return (uint8_t *)r + CAEC_RING_HDR_SIZE;
}

static uint8_t *
trailer_of(struct caec_ring_shared *r)
{
	return (uint8_t *)&r->prod + TRAILER_OFF;
}

/* Close one end now (the other stays open). */
static void
close_end(struct caec_channel **ch)
{
	caec_channel_close(*ch);
	*ch = NULL;
}

/* Message @i (0 .. 99999): 16 bytes that differ from every other's. */
static void
msg16(char *m, int i)
{
	snprintf(m, 17, "message no %05u", (unsigned int)i % 100000u);
}

static void
send_msgs(struct caec_channel *ch, int from, int n)
{
	char m[17];
	int i;

	for (i = from; i < from + n; i++) {
		msg16(m, i);
		assert_rc(caec_channel_send(ch, m, 16, 0, 1000), 0);
	}
}

static void
recv_msgs(struct caec_channel *ch, int from, int n)
{
	char m[17], out[64];
	int i;

	for (i = from; i < from + n; i++) {
		msg16(m, i);
		memset(out, 0, sizeof(out));
		assert_rc(caec_channel_recv(ch, out, sizeof(out), 0, 1000), 16);
		assert_memory_equal(out, m, 16);
	}
}

/* The next receive and peek of @ch both end with @want. */
static void
expect_end(struct caec_channel *ch, int want)
{
	const void *pl;
	char out[64];

	assert_rc(caec_channel_recv(ch, out, sizeof(out), 0, 1000), want);
	assert_rc(caec_channel_peek(ch, &pl, 0), want);
}

/* The host marks ring @i's producer closed, as a plaintext flag. */
static void
host_sets_closed(struct aead_pair *p, int i)
{
	__atomic_store_n(&ring_of(p, i)->prod.closed, 1, __ATOMIC_RELEASE);
}

/*
 * A clean close: the peer gets every message, then -EPIPE, in both
 * directions, across the libraries, also from a creator that never sent
 * (it keys at close). The end is final: records the host appends after it
 * are not read, so it can neither extend the stream nor turn a clean end
 * into an error.
 */
static void
test_clean_close_after_all_data(void **state)
{
	struct caec_ring_shared *r0;
	struct aead_pair p;
	uint64_t tail;
	size_t i, j;

	(void)state;
	skip_without_crypto();
	for (i = 0; i < NLIBS; i++) {
		for (j = 0; j < NLIBS; j++) {
			open_pair(&p, libs[i], libs[j]);
			send_msgs(p.c, 0, 3);
			close_end(&p.c);
			recv_msgs(p.a, 0, 3);
			expect_end(p.a, -EPIPE);
			/* The host replays record 0 after the end. */
			r0 = ring_of(&p, 0);
			tail = r0->prod.counter;
			assert_int_equal(tail, 3 * REC16);
			memcpy(data_of(r0) + tail, data_of(r0), REC16);
			__atomic_store_n(&r0->prod.counter, tail + REC16,
					 __ATOMIC_RELEASE);
			expect_end(p.a, -EPIPE);
			aead_pair_close(&p);

			/* The attacher's direction ends the same way. */
			open_pair(&p, libs[i], libs[j]);
			send_msgs(p.a, 10, 2);
			close_end(&p.a);
			recv_msgs(p.c, 10, 2);
			expect_end(p.c, -EPIPE);
			aead_pair_close(&p);
		}
	}
	/* A creator that never made a data call. */
	open_default(&p);
	close_end(&p.c);
	expect_end(p.a, -EPIPE);
	aead_pair_close(&p);
}

/*
 * The host sets the producer's closed flag while the producer lives: the
 * receiver gets what was sent, then -EBADMSG, sticky (a real close later
 * does not replace it), and the other direction keeps working.
 */
static void
test_closed_flag_without_eos(void **state)
{
	struct aead_pair p;

	(void)state;
	skip_without_crypto();
	open_default(&p);
	send_msgs(p.c, 0, 2);
	host_sets_closed(&p, 0);
	recv_msgs(p.a, 0, 2);
	detail_reset();
	expect_end(p.a, -EBADMSG);
	assert_detail("end-of-stream");
	send_msgs(p.a, 5, 1);
	recv_msgs(p.c, 5, 1);
	send_msgs(p.c, 2, 1);
	close_end(&p.c);
	expect_end(p.a, -EBADMSG);
	aead_pair_close(&p);

	/* Set on a drained ring, while the receiver waits. */
	open_default(&p);
	send_msgs(p.c, 0, 1);
	recv_msgs(p.a, 0, 1);
	host_sets_closed(&p, 0);
	expect_end(p.a, -EBADMSG);
	aead_pair_close(&p);
}

/*
 * End-of-stream frames the host did not get from this direction's close:
 * one copied from another channel's close (same position, same key file),
 * and this channel's own with any header field or tag altered.
 */
static void
test_forged_or_replayed_eos(void **state)
{
	static const size_t offs[] = {
		0,	/* seq */
		8,	/* len */
		11,	/* len: the end-of-stream bit */
		12,	/* session id */
		16,	/* tag */
		31,	/* last tag byte */
	};
	struct aead_pair p, q;
	size_t i;

	(void)state;
	skip_without_crypto();
	open_default(&p);
	open_default(&q);
	send_msgs(p.c, 0, 1);
	send_msgs(q.c, 0, 1);
	close_end(&q.c);
	memcpy(trailer_of(ring_of(&p, 0)), trailer_of(ring_of(&q, 0)),
	       EOS_SIZE);
	host_sets_closed(&p, 0);
	recv_msgs(p.a, 0, 1);
	expect_end(p.a, -EBADMSG);
	/* q's own receiver accepts it: the copy was a valid frame. */
	recv_msgs(q.a, 0, 1);
	expect_end(q.a, -EPIPE);
	aead_pair_close(&q);
	aead_pair_close(&p);

	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		open_default(&p);
		send_msgs(p.c, 0, 1);
		close_end(&p.c);
		trailer_of(ring_of(&p, 0))[offs[i]] ^= 0x80;
		recv_msgs(p.a, 0, 1);
		expect_end(p.a, -EBADMSG);
		aead_pair_close(&p);
	}
}

/* Send 16-byte messages without waiting until the ring is full. */
static int
fill_ring(struct caec_channel *ch)
{
	char m[17];
	int n, rc;

	for (n = 0;; n++) {
		msg16(m, n);
		rc = caec_channel_send(ch, m, 16, 0, 0);
		if (rc == -EAGAIN)
			return n;
		assert_rc(rc, 0);
	}
}

/*
 * A ring the receiver never drained still takes the end-of-stream frame:
 * every message, then -EPIPE; while the same full ring with the closed
 * flag set by the host instead ends in -EBADMSG.
 */
static void
test_full_ring_delivers_eos(void **state)
{
	struct aead_pair p;
	int n;

	(void)state;
	skip_without_crypto();
	open_default(&p);
	n = fill_ring(p.c);
	assert_int_equal(n, RING / REC16);
	close_end(&p.c);
	recv_msgs(p.a, 0, n);
	expect_end(p.a, -EPIPE);
	aead_pair_close(&p);

	open_default(&p);
	n = fill_ring(p.c);
	host_sets_closed(&p, 0);
	recv_msgs(p.a, 0, n);
	expect_end(p.a, -EBADMSG);
	aead_pair_close(&p);
}

/*
 * Closing with data the peer has not read yet: it reads all of it, then
 * -EPIPE, also with a batch not yet published and a reservation left open
 * at close; but when the host drops the last record, the end is -EBADMSG.
 */
static void
test_close_with_unread_data(void **state)
{
	struct caec_ring_shared *r0;
	struct aead_pair p;
	void *slot;
	char m[17];

	(void)state;
	skip_without_crypto();
	open_default(&p);
	send_msgs(p.c, 0, 5);
	close_end(&p.c);
	recv_msgs(p.a, 0, 5);
	expect_end(p.a, -EPIPE);
	aead_pair_close(&p);

	/* A batch (CAEC_MORE) and an open reservation. */
	open_default(&p);
	msg16(m, 0);
	assert_rc(caec_channel_send(p.c, m, 16, CAEC_MORE, 0), 0);
	msg16(m, 1);
	assert_rc(caec_channel_send(p.c, m, 16, CAEC_MORE, 0), 0);
	assert_rc(caec_channel_reserve(p.c, 16, &slot, 0), 0);
	memcpy(slot, "never committed.", 16);
	close_end(&p.c);
	recv_msgs(p.a, 0, 2);
	expect_end(p.a, -EPIPE);
	aead_pair_close(&p);

	/* The host hides the last record before the receiver looks. */
	open_default(&p);
	send_msgs(p.c, 0, 5);
	close_end(&p.c);
	r0 = ring_of(&p, 0);
	__atomic_store_n(&r0->prod.counter, 4 * REC16, __ATOMIC_RELEASE);
	recv_msgs(p.a, 0, 4);
	expect_end(p.a, -EBADMSG);
	aead_pair_close(&p);
}

/*
 * A record longer than the channel's records can be is a protocol
 * violation, sticky for its direction: -EPROTO, not a -EMSGSIZE that no
 * buffer of the caller's could ever satisfy. The host raises ring 0's
 * max_msg above the channel's before the attacher opens it, then writes a
 * record of that size with a plausible frame header. (Where attach
 * compares each ring's geometry with the channel header, the raised ring is
 * refused there, with -EPROTO too.) A legitimate record larger than the
 * caller's buffer still gives -EMSGSIZE and stays.
 */
static void
test_oversize_record_sticky_eproto(void **state)
{
	const struct aead_pair_cfg cfg = {
		.scheme_c = libs[0], .scheme_a = libs[NLIBS - 1],
		.key_c = key_a, .key_a = key_a, .ring_size = RING,
		.max_msg = 1000,
	};
	const uint32_t len = 2000;
	struct caec_ring_shared *r0;
	struct aead_pair p;
	uint64_t hdr;
	uint32_t f[4];
	char out[2048];
	const void *pl;
	uint32_t cap;
	int rc;

	(void)state;
	skip_without_crypto();
	assert_rc(aead_pair_create(&p, &cfg), 0);
	r0 = ring_of(&p, 0);
	r0->hdr.max_msg = caec_ring_max_msg_limit(RING);
	rc = aead_pair_attach(&p);
	if (rc) {
		assert_rc(rc, -EPROTO);
		aead_pair_close(&p);
		return;
	}
	cap = caec_channel_max_msg(p.a);
	assert_int_equal(cap, 1000 - OVERHEAD);
	/* Ring record header, then the frame header: seq 0, len, session. */
	hdr = (uint64_t)len | (uint64_t)CAEC_REC_MSG << 32;
	memcpy(data_of(r0), &hdr, sizeof(hdr));
	f[0] = 0;
	f[1] = 0;
	f[2] = len - OVERHEAD;
	f[3] = hv_view_hdr(&p.hv)->session_id;
	memcpy(data_of(r0) + CAEC_REC_HDR, f, sizeof(f));
	__atomic_store_n(&r0->prod.counter, CAEC_REC_HDR + len,
			 __ATOMIC_RELEASE);
	detail_reset();
	assert_rc(caec_channel_recv(p.a, out, cap, 0, 1000), -EPROTO);
	assert_detail("exceeds");
	assert_rc(caec_channel_recv(p.a, out, sizeof(out), 0, 1000), -EPROTO);
	assert_rc(caec_channel_peek(p.a, &pl, 0), -EPROTO);
	aead_pair_close(&p);

	/* A legitimate record and too small a buffer. */
	open_default(&p);
	memset(out, 'x', 100);
	assert_rc(caec_channel_send(p.c, out, 100, 0, 1000), 0);
	assert_rc(caec_channel_recv(p.a, out, 10, 0, 1000), -EMSGSIZE);
	assert_rc(caec_channel_recv(p.a, out, 10, 0, 1000), -EMSGSIZE);
	assert_rc(caec_channel_recv(p.a, out, 100, 0, 1000), 100);
	aead_pair_close(&p);
}

/*
 * What a child that inherited both ends may do: nothing. Every call fails
 * with -ECHILD; its closes are local. Returns a bit per check that failed.
 */
static int
child_checks(struct aead_pair *p)
{
	char out[64];
	const void *pl;
	void *slot;
	int bad = 0;

	if (caec_channel_send(p->c, "from the child!!", 16, 0, 0) != -ECHILD)
		bad |= 1;
	if (caec_channel_send(p->a, "from the child!!", 16, 0, 0) != -ECHILD)
		bad |= 2;
	/* A message is waiting: the child must not take it. */
	if (caec_channel_recv(p->a, out, sizeof(out), 0, 0) != -ECHILD)
		bad |= 4;
	if (caec_channel_peek(p->a, &pl, 0) != -ECHILD)
		bad |= 8;
	if (caec_channel_reserve(p->c, 16, &slot, 0) != -ECHILD)
		bad |= 16;
	if (caec_channel_flush(p->c) != -ECHILD)
		bad |= 32;
	if (caec_channel_event_fd(p->a) != -ECHILD)
		bad |= 64;
	caec_channel_close(p->c);
	caec_channel_close(p->a);
	return bad;
}

static pid_t
do_fork(bool raw)
{
	/*
	 * The raw clone runs no pthread_atfork() handler: only the kernel's
	 * MADV_WIPEONFORK protects the child then. The arguments after the
	 * flags are zero, so their order (which differs between
	 * architectures) does not matter.
	 */
	if (raw)
		return (pid_t)syscall(SYS_clone, (long)SIGCHLD, 0L, 0L, 0L, 0L);
	return fork();
}

static void
fork_case(bool raw)
{
	struct caec_ring_shared *r0, *r1;
	char path[96];
	struct aead_pair p;
	pid_t pid;
	int st;

	open_default(&p);
	/* Both directions keyed and used; one message left unread. */
	send_msgs(p.a, 100, 1);
	recv_msgs(p.c, 100, 1);
	send_msgs(p.c, 0, 1);
	pid = do_fork(raw);
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_checks(&p));
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_non_null(strstr(caec_strerror(-ECHILD), "fork"));

	/* The child's close wrote nothing: no flag, no frame, the name. */
	r0 = ring_of(&p, 0);
	r1 = ring_of(&p, 1);
	assert_int_equal(r0->prod.closed | r0->cons.closed |
			 r1->prod.closed | r1->cons.closed, 0);
	snprintf(path, sizeof(path), "/dev/shm/%s", p.name);
	assert_int_equal(access(path, F_OK), 0);
	/* The parent's stream goes on, in order, both ways. */
	recv_msgs(p.a, 0, 1);
	send_msgs(p.c, 1, 2);
	recv_msgs(p.a, 1, 2);
	send_msgs(p.a, 101, 1);
	recv_msgs(p.c, 101, 1);
	{
		char out[64];

		assert_rc(caec_channel_recv(p.a, out, sizeof(out), 0, 0),
			  -EAGAIN);
	}
	/* And ends cleanly. */
	close_end(&p.c);
	expect_end(p.a, -EPIPE);
	aead_pair_close(&p);
}

/* fork(): the child gets -ECHILD, the parent's stream is intact. */
static void
test_fork_child_cannot_use(void **state)
{
	(void)state;
	skip_without_crypto();
	fork_case(false);
}

/*
 * The same through a raw clone(), which skips pthread_atfork(): the wiped
 * key page alone stops the child. qemu user mode accepts MADV_WIPEONFORK
 * and ignores it, so this runs on real kernels only.
 */
static void
test_wipeonfork_child_cannot_use(void **state)
{
	(void)state;
	skip_without_crypto();
	if (getenv("CAEC_TEST_EMULATED"))
		skip();
	fork_case(true);
}

/*
 * A channel header of another record format: the one of libraries before
 * the end-of-stream frame (no version bits), a newer one, and version bits
 * on a plaintext transform, are all refused at attach with -EPROTO.
 */
static void
test_old_format_version_refused(void **state)
{
	struct caec_chan_hdr *h;
	struct aead_pair p;
	uint32_t mine;

	(void)state;
	skip_without_crypto();
	assert_rc(aead_pair_create(&p, &(struct aead_pair_cfg){
		.scheme_c = libs[0], .scheme_a = libs[NLIBS - 1],
		.key_c = key_a, .key_a = key_a, .ring_size = RING }), 0);
	h = hv_view_hdr(&p.hv);
	mine = h->transform;
	assert_int_equal(mine & 0xffu, CAEC_CHAN_XF_AES256GCM);

	h->transform = CAEC_CHAN_XF_AES256GCM;	/* as version 1 wrote it */
	detail_reset();
	assert_rc(aead_pair_attach(&p), -EPROTO);
	assert_detail("record format version 1");
	assert_detail("older");
	h->transform = CAEC_CHAN_XF_AES256GCM | 3u << 8;
	detail_reset();
	assert_rc(aead_pair_attach(&p), -EPROTO);
	assert_detail("newer");
	h->transform = CAEC_CHAN_XF_PLAIN | 2u << 8;
	detail_reset();
	assert_rc(aead_pair_attach(&p), -EPROTO);
	assert_detail("transform");

	h->transform = mine;
	assert_rc(aead_pair_attach(&p), 0);
	send_msgs(p.c, 0, 1);
	recv_msgs(p.a, 0, 1);
	aead_pair_close(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_close_after_all_data),
		cmocka_unit_test(test_closed_flag_without_eos),
		cmocka_unit_test(test_forged_or_replayed_eos),
		cmocka_unit_test(test_full_ring_delivers_eos),
		cmocka_unit_test(test_close_with_unread_data),
		cmocka_unit_test(test_oversize_record_sticky_eproto),
		cmocka_unit_test(test_fork_child_cannot_use),
		cmocka_unit_test(test_wipeonfork_child_cannot_use),
		cmocka_unit_test(test_old_format_version_refused),
	};

	return cmocka_run_group_tests_name("aead-close", tests, NULL, NULL);
}

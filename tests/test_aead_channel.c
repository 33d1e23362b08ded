/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Encrypted channels (nw-openssl:, nw-mbedtls:) end to end over a real shared
 * region: round trips, cross-library interop, key errors, tampering, replay,
 * reordering, wrong keys, zero-copy, and a "hypervisor view" that scans the
 * region for plaintext while messages stream through it.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <caec/caec.h>

#include "../src/channel_layout.h"
#include "../src/ring/ring_layout.h"
#include "lib/aead_pair.h"
#include "lib/hv_view.h"
#include "lib/scribbler.h"

/* Offset of the first record's payload in ring 0 (creator -> attacher). */
#define REC0 (CAEC_CHAN_HDR_SIZE + CAEC_RING_HDR_SIZE + CAEC_REC_HDR)
#define OVERHEAD 32u

static const uint8_t key_a[32] = "0123456789abcdef0123456789abcdef";
static const uint8_t key_b[32] = "fedcba9876543210fedcba9876543210";

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
pair_open(struct aead_pair *p, const char *sc, const char *sa,
	  const uint8_t *kc, const uint8_t *ka)
{
	const struct aead_pair_cfg cfg = {
		.scheme_c = sc, .scheme_a = sa, .key_c = kc, .key_a = ka,
		.ring_size = 16384,
	};

	assert_int_equal(aead_pair_open(p, &cfg), 0);
}

static void
pair_close(struct aead_pair *p)
{
	aead_pair_close(p);
}

/*
 * The attacher's next receive (waiting up to @timeout_ms) fails
 * authentication, and no @frag (NULL: nothing checked) of the plaintext
 * reaches its buffer.
 */
static void
expect_rejected(struct aead_pair *p, int timeout_ms, const char *frag)
{
	char out[64];

	memset(out, 0, sizeof(out));
	assert_int_equal(caec_channel_recv(p->a, out, sizeof(out), 0,
					   timeout_ms), -EBADMSG);
	if (frag)
		assert_null(memmem(out, sizeof(out), frag, strlen(frag)));
}

static void
test_roundtrip_and_interop(void **state)
{
	char out[256];
	size_t i, j;
	int k;

	(void)state;
	skip_without_crypto();
	for (i = 0; i < NLIBS; i++) {
		for (j = 0; j < NLIBS; j++) {
			struct aead_pair p;

			pair_open(&p, libs[i], libs[j], key_a, key_a);
			for (k = 0; k < 50; k++) {
				char want[64];
				int n = snprintf(want, sizeof(want),
						 "message %d via %s", k, libs[i]);

				assert_int_equal(caec_channel_send(p.c, want,
						(size_t)n, 0, 1000), 0);
				memset(out, 0, sizeof(out));
				assert_int_equal(caec_channel_recv(p.a, out,
						sizeof(out), 0, 1000), n);
				assert_memory_equal(out, want, (size_t)n);
				/* and back */
				assert_int_equal(caec_channel_send(p.a, "ack", 3,
						0, 1000), 0);
				assert_int_equal(caec_channel_recv(p.c, out,
						sizeof(out), 0, 1000), 3);
				assert_memory_equal(out, "ack", 3);
			}
			assert_int_equal(caec_channel_max_msg(p.c),
					 caec_ring_max_msg_limit(16384) - OVERHEAD);
			pair_close(&p);
		}
	}
}

static void
test_zero_copy(void **state)
{
	struct aead_pair p;
	const void *pl;
	void *slot;

	(void)state;
	skip_without_crypto();
	pair_open(&p, libs[0], libs[NLIBS - 1], key_a, key_a);
	assert_int_equal(caec_channel_reserve(p.c, 100, &slot, 1000), 0);
	/* The slot is private memory, not the shared region. */
	assert_true((uint8_t *)slot < p.hv.map ||
		    (uint8_t *)slot >= p.hv.map + p.hv.len);
	memcpy(slot, "zero-copy secret", 16);
	assert_int_equal(caec_channel_commit(p.c, 16, 0), 0);
	assert_false(hv_view_contains(&p.hv, "zero-copy secret", 16));
	assert_int_equal(caec_channel_peek(p.a, &pl, 1000), 16);
	assert_int_equal(caec_channel_peek(p.a, &pl, 1000), 16);
	assert_memory_equal(pl, "zero-copy secret", 16);
	assert_int_equal(caec_channel_release(p.a, 0), 0);
	assert_int_equal(caec_channel_peek(p.a, &pl, 0), -EAGAIN);
	pair_close(&p);
}

static void
test_key_errors(void **state)
{
	struct caec_channel_params pp;
	struct caec_channel *ch;
	char uri[128], path[64];
	FILE *f;

	(void)state;
	skip_without_crypto();
	snprintf(uri, sizeof(uri), "%s:shm/caec-test-nokey-%d", libs[0],
		 getpid());
	assert_int_equal(caec_channel_create(uri, NULL, &ch), -EINVAL);
	assert_non_null(strstr(caec_error_detail(), "pre-shared key"));

	snprintf(uri, sizeof(uri),
		 "%s:shm/caec-test-nokey-%d?key=/nonexistent/key", libs[0],
		 getpid());
	assert_int_equal(caec_channel_create(uri, NULL, &ch), -ENOENT);
	assert_non_null(strstr(caec_error_detail(), "/nonexistent/key"));

	snprintf(path, sizeof(path), "/tmp/caec-test-key-%d", getpid());
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("short", f);
	fclose(f);
	caec_channel_params_init(&pp);
	pp.key_file = path;
	snprintf(uri, sizeof(uri), "%s:shm/caec-test-nokey-%d", libs[0],
		 getpid());
	assert_int_equal(caec_channel_create(uri, &pp, &ch), -EINVAL);
	assert_non_null(strstr(caec_error_detail(), path));
	unlink(path);
	/* Nothing was left behind by the failed creates. */
	assert_int_equal(access("/dev/shm/caec-test-nokey", F_OK), -1);
}

static void
test_scheme_mismatch(void **state)
{
	struct caec_channel_params pp;
	struct caec_channel *c, *a;
	char uri[128], name[64];

	(void)state;
	skip_without_crypto();
	caec_channel_params_init(&pp);
	pp.key = key_a;
	snprintf(name, sizeof(name), "caec-test-mix-%d", getpid());
	snprintf(uri, sizeof(uri), "%s:shm/%s", libs[0], name);
	assert_int_equal(caec_channel_create(uri, &pp, &c), 0);
	snprintf(uri, sizeof(uri), "nw:shm/%s", name);
	assert_int_equal(caec_channel_attach(uri, NULL, &a), -EACCES);
	assert_non_null(strstr(caec_error_detail(), "encrypted"));
	caec_channel_close(c);

	assert_int_equal(caec_channel_create(uri, NULL, &c), 0);
	snprintf(uri, sizeof(uri), "%s:shm/%s", libs[0], name);
	assert_int_equal(caec_channel_attach(uri, &pp, &a), -EPROTO);
	assert_non_null(strstr(caec_error_detail(), "plaintext"));
	caec_channel_close(c);
}

static void
test_wrong_key(void **state)
{
	struct aead_pair p;

	(void)state;
	skip_without_crypto();
	pair_open(&p, libs[0], libs[NLIBS - 1], key_a, key_b);
	assert_int_equal(caec_channel_send(p.c, "secret message!!", 16, 0, 0),
			 0);
	expect_rejected(&p, 1000, "secret");
	pair_close(&p);
}

/* Flip one byte of the first record at @off (from the frame start). */
static void
tamper_case(size_t off)
{
	struct aead_pair p;

	pair_open(&p, libs[0], libs[NLIBS - 1], key_a, key_a);
	assert_int_equal(caec_channel_send(p.c, "attack at dawn!!", 16, 0, 0),
			 0);
	p.hv.map[REC0 + off] ^= 0x01;
	expect_rejected(&p, 0, "dawn");
	/* Sticky: a later authentic message is refused too. */
	assert_int_equal(caec_channel_send(p.c, "attack at dusk!!", 16, 0, 0),
			 0);
	expect_rejected(&p, 0, "dusk");
	pair_close(&p);
}

static void
test_tamper(void **state)
{
	(void)state;
	skip_without_crypto();
	tamper_case(0);		/* sequence */
	tamper_case(9);		/* length */
	tamper_case(13);	/* session id */
	tamper_case(16);	/* ciphertext */
	tamper_case(16 + 15);	/* last ciphertext byte */
	tamper_case(32 + 5);	/* tag */
}

static void
test_replay_and_reorder(void **state)
{
	uint8_t rec_a[64], rec_b[64];
	const size_t rec = 8 + ((16 + OVERHEAD + 7) & ~7u);
	struct aead_pair p;
	char out[64];

	(void)state;
	skip_without_crypto();
	/* Replay: the hypervisor writes the old record 0 over record 1. */
	pair_open(&p, libs[0], libs[NLIBS - 1], key_a, key_a);
	assert_int_equal(caec_channel_send(p.c, "first message 01", 16, 0, 0),
			 0);
	assert_int_equal(caec_channel_recv(p.a, out, sizeof(out), 0, 0), 16);
	memcpy(rec_a, p.hv.map + REC0 - 8, rec);
	assert_int_equal(caec_channel_send(p.c, "second message 2", 16, 0, 0),
			 0);
	memcpy(p.hv.map + REC0 - 8 + rec, rec_a, rec);
	expect_rejected(&p, 0, NULL);
	pair_close(&p);

	/* Reorder: swap two records. */
	pair_open(&p, libs[0], libs[NLIBS - 1], key_a, key_a);
	assert_int_equal(caec_channel_send(p.c, "first message 01", 16, 0, 0),
			 0);
	assert_int_equal(caec_channel_send(p.c, "second message 2", 16, 0, 0),
			 0);
	memcpy(rec_a, p.hv.map + REC0 - 8, rec);
	memcpy(rec_b, p.hv.map + REC0 - 8 + rec, rec);
	memcpy(p.hv.map + REC0 - 8, rec_b, rec);
	memcpy(p.hv.map + REC0 - 8 + rec, rec_a, rec);
	expect_rejected(&p, 0, "message");
	pair_close(&p);
}

/*
 * One sticky error per direction: a record that fails authentication stops
 * the direction it arrived on, for good, and not the other one; a later
 * protocol violation on the same direction does not replace the first error.
 */
static void
test_sticky_per_direction(void **state)
{
	uint64_t bad_tail = 3;	/* not a multiple of 8: -EPROTO on its own */
	const void *pl;
	struct aead_pair p;
	char out[64];

	(void)state;
	skip_without_crypto();
	pair_open(&p, libs[0], libs[NLIBS - 1], key_a, key_a);
	assert_int_equal(caec_channel_send(p.c, "attack at dawn!!", 16, 0, 0),
			 0);
	p.hv.map[REC0 + 16] ^= 0x01;	/* ciphertext */
	assert_int_equal(caec_channel_recv(p.a, out, sizeof(out), 0, 0),
			 -EBADMSG);
	/* The attacher's sending direction is intact. */
	assert_int_equal(caec_channel_send(p.a, "reply from a....", 16, 0, 0),
			 0);
	assert_int_equal(caec_channel_recv(p.c, out, sizeof(out), 0, 1000), 16);
	assert_memory_equal(out, "reply from a....", 16);
	/* The first error of the receiving direction wins. */
	memcpy(p.hv.map + CAEC_CHAN_HDR_SIZE + CAEC_RING_BLOCK, &bad_tail,
	       sizeof(bad_tail));
	assert_int_equal(caec_channel_recv(p.a, out, sizeof(out), 0, 0),
			 -EBADMSG);
	assert_int_equal(caec_channel_peek(p.a, &pl, 0),
			 -EBADMSG);
	pair_close(&p);
}

/*
 * A concurrent writer (the hypervisor) scribbles on the ring while messages
 * stream: every receive returns the exact message that was sent, or fails
 * (-EBADMSG / -EPROTO, sticky); never other bytes.
 */
static void
test_scribbler_never_forges(void **state)
{
	uint8_t msg[200], out[256];
	struct scribbler sc;
	struct aead_pair p;
	int i, k, good = 0, failed = 0, forged = 0, leaked = 0;
	ssize_t n;

	(void)state;
	skip_without_crypto();
	pair_open(&p, libs[0], libs[NLIBS - 1], key_a, key_a);
	/* Flip bits anywhere in ring 0's data area, until stopped. */
	assert_int_equal(scribbler_start(&sc, &(struct scribbler_cfg){
		.buf = p.hv.map + CAEC_CHAN_HDR_SIZE + CAEC_RING_HDR_SIZE,
		.len = 16384, .mode = SCRIBBLE_BITS,
		.seed = 0x9e3779b97f4a7c15ull }), 0);
	scribbler_go(&sc);
	for (i = 0; i < 20000 && !failed; i++) {
		/* No run of equal bytes: a zeroed buffer never matches. */
		for (k = 0; k < (int)sizeof(msg); k++)
			msg[k] = (uint8_t)(i + k * 31 + 1);
		memcpy(msg, &i, sizeof(i));
		if (caec_channel_send(p.c, msg, sizeof(msg), 0, 1000))
			break;
		memset(out, 0, sizeof(out));
		n = caec_channel_recv(p.a, out, sizeof(out), 0, 1000);
		if (n == (ssize_t)sizeof(msg) && !memcmp(out, msg, sizeof(msg))) {
			good++;
		} else if (n == -EBADMSG || n == -EPROTO) {
			/* Nothing of the message in the caller's buffer. */
			leaked += memmem(out, sizeof(out), msg + 4, 16) != NULL;
			failed++;
		} else {
			forged++;
			break;
		}
	}
	/* Stop the scribbler before any assertion can end the test. */
	assert_int_equal(scribbler_stop(&sc), 0);
	assert_int_equal(forged, 0);
	assert_int_equal(leaked, 0);
	/* The scribbler must have hit something: the test can fail. */
	assert_true(failed > 0);
	print_message("scribbler: %d authentic messages, then %s\n", good,
		      failed ? "a detected forgery" : "none");
	pair_close(&p);
}

/*
 * The hypervisor's view: a third process maps the region and scans it for
 * plaintext while 10^4 known messages stream through. It must find nothing
 * for the encrypted schemes, and must find the plaintext for plain nw (which
 * shows that the scan works).
 */
static long
hypervisor_scan(const char *scheme)
{
	struct caec_channel_params pp;
	struct caec_channel *c, *a;
	char uri[128], name[64], path[96], msg[128], out[128];
	int fds[2], ready[2], i, st;
	char go;
	long hits = 0;
	pid_t pid;

	caec_channel_params_init(&pp);
	pp.key = key_a;
	snprintf(name, sizeof(name), "caec-test-hv-%d", getpid());
	snprintf(uri, sizeof(uri), "%s:shm/%s", scheme, name);
	assert_int_equal(caec_channel_create(uri, &pp, &c), 0);
	assert_int_equal(caec_channel_attach(uri, &pp, &a), 0);
	snprintf(path, sizeof(path), "/dev/shm/%s", name);
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct hv_view hv;
		char stop;

		close(fds[1]);
		if (hv_view_map_path(&hv, path, false))
			_exit(100);
		fcntl(fds[0], F_SETFL, O_NONBLOCK);
		if (write(ready[1], "r", 1) != 1)
			_exit(102);
		for (;;) {
			/* 16-byte fragment of every message. */
			if (hv_view_contains(&hv, "KNOWN-PLAINTEXT:", 16))
				hits++;
			if (read(fds[0], &stop, 1) == 1) {
				/* One last look at what the stream left. */
				if (hv_view_contains(&hv, "KNOWN-PLAINTEXT:",
						     16))
					hits++;
				break;
			}
		}
		_exit(hits > 0 ? 1 : 0);
	}
	close(fds[0]);
	/* Stream only once the observer is mapped and scanning. */
	assert_int_equal(read(ready[0], &go, 1), 1);
	close(ready[0]);
	close(ready[1]);
	for (i = 0; i < 10000; i++) {
		int n = snprintf(msg, sizeof(msg),
				 "KNOWN-PLAINTEXT:%06d:the quick brown fox", i);

		assert_int_equal(caec_channel_send(c, msg, (size_t)n, 0, 5000),
				 0);
		assert_int_equal(caec_channel_recv(a, out, sizeof(out), 0,
						   5000), n);
		assert_memory_equal(out, msg, (size_t)n);
	}
	assert_int_equal(write(fds[1], "x", 1), 1);
	close(fds[1]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_true(WEXITSTATUS(st) <= 1);
	hits = WEXITSTATUS(st);
	caec_channel_close(a);
	caec_channel_close(c);
	return hits;
}

static void
test_hypervisor_view(void **state)
{
	size_t i;

	(void)state;
	assert_int_equal(hypervisor_scan("nw"), 1);
	for (i = 0; i < NLIBS; i++)
		assert_int_equal(hypervisor_scan(libs[i]), 0);
	skip_without_crypto();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_and_interop),
		cmocka_unit_test(test_zero_copy),
		cmocka_unit_test(test_key_errors),
		cmocka_unit_test(test_scheme_mismatch),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_replay_and_reorder),
		cmocka_unit_test(test_sticky_per_direction),
		cmocka_unit_test(test_hypervisor_view),
		cmocka_unit_test(test_scribbler_never_forges),
	};

	return cmocka_run_group_tests_name("aead-channel", tests, NULL, NULL);
}

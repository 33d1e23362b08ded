/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vm_peer — one side of the two-VM test (scripts/vm-test): two arm64 guests
 * under qemu-system-aarch64 share an ivshmem BAR and run a libcaec channel
 * on it, each opening nw:file//sys/bus/pci/devices/BDF/resource2 (or one of
 * the encrypted schemes on the same location).
 *
 *   vm_peer create|attach URI LABEL NONCE MSGS SEED [expect-badmsg]
 *
 * create (guest A) formats the channel on the BAR; attach (guest B) retries
 * until A's header is there. Then, on the one channel:
 *
 *   1. hello: B sends "hello NONCE LABEL", A answers "hello-ack NONCE
 *      LABEL"; each checks the other's, so a peer from another run or mode
 *      cannot pair. The hello is single-threaded on purpose: an encrypted
 *      creator keys on its first data call, and that must not race between
 *      two threads.
 *   2. duplex: a thread sends MSGS stamped messages (tests/lib/stream.h: sizes,
 *      copy and zero-copy calls, batching; every message checksummed and
 *      sequence-numbered) while the main thread receives and verifies the
 *      peer's MSGS.
 *   3. canary: each side sends "CAEC-CANARY-NONCE-LABEL-ROLE" padded to 64
 *      bytes, as its last data message. The host looks for it in the
 *      backing file afterwards: present for nw (the hypervisor sees
 *      plaintext; also proves the guests really used that file), absent for
 *      the encrypted schemes.
 *   4. done: each side sends its counts; each checks that the peer received
 *      exactly what it sent.
 *   5. close: B closes, A sees -EPIPE, A closes.
 *
 * expect-badmsg: the negative control, run with different pre-shared keys on
 * the two sides. Both send their hello, then each must see the peer's fail
 * authentication (-EBADMSG). Passing means both rejected the other's
 * messages.
 *
 * The result is one line on stdout, which /init sends to the serial console:
 *
 *   CAEC-VM-RESULT nonce=N role=A|B mode=LABEL pass tx_msgs=.. tx_bytes=..
 *                  rx_msgs=.. rx_bytes=.. ms=..
 *   CAEC-VM-RESULT nonce=N role=A|B mode=LABEL fail reason=...
 *
 * Exit status 0 pass, 1 fail, 2 usage. No cmocka (there is no static
 * libcmocka, and the guest has nothing but busybox and this program).
 *
 * Device memory: on real hardware a sysfs resource file of a BAR is mapped
 * as Device memory (nGnRE on arm64). The ring touches its counters with
 * single aligned loads and stores only (no read-modify-write atomics, which
 * device memory does not support), but payloads move with memcpy/memset,
 * which may use unaligned accesses and DC ZVA — both fault on Device memory
 * on real Arm cores. QEMU 7.2's TCG does not model that, so this test cannot
 * see it; on hardware map the _wc variant of the resource (Normal
 * non-cacheable) or copy with aligned word loops. See tests/vm/README.md.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <caec/caec.h>

#include "../lib/clock.h"
#include "../lib/stream.h"

#define OP_MS 30000		/* every blocking data call */
#define ATTACH_MS 90000		/* the peer VM may boot later */
#define CANARY_LEN 64u
#define DONE_TAG "CAECDONE"

struct done_msg {
	char tag[8];
	uint64_t tx_msgs, tx_bytes, rx_msgs, rx_bytes;
};

static const char *role_name, *label, *nonce;
static uint64_t t_start;

static void
verdict_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
verdict_fail(const char *fmt, ...)
{
	char why[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	printf("CAEC-VM-RESULT nonce=%s role=%s mode=%s fail reason=%s\n",
	       nonce, role_name, label, why);
	fflush(stdout);
}

static int
api_fail(const char *what, int rc)
{
	verdict_fail("%s: %s (%s)", what, caec_strerror(rc),
		     caec_error_detail());
	return 1;
}

static void
canary_fill(char *buf, const char *role)
{
	memset(buf, '.', CANARY_LEN);
	snprintf(buf, CANARY_LEN, "CAEC-CANARY-%s-%s-%s", nonce, label, role);
	buf[strlen(buf)] = '.';	/* replace the NUL: fixed 64 bytes */
}

static uint64_t
ms_since(uint64_t t0)
{
	return (now_ns() - t0) / 1000000u;
}

/*
 * The negative control. An authentication failure is sticky for the whole
 * channel (sends fail too), so both sides send their hello first and only
 * then receive, and each must get -EBADMSG. B closes first; A then checks
 * that the failure stayed sticky.
 */
static int
expect_badmsg(struct caec_channel *ch, bool creator, const char *hello)
{
	char buf[256];
	ssize_t n;
	int rc;

	rc = caec_channel_send(ch, hello, strlen(hello), 0, ATTACH_MS);
	if (rc)
		return api_fail("send hello", rc);
	n = caec_channel_recv(ch, buf, sizeof(buf), 0, ATTACH_MS);
	if (n != -EBADMSG) {
		verdict_fail("peer hello under a different key: %zd (%s), "
			     "expected -EBADMSG", n,
			     n < 0 ? caec_strerror((int)n) : "accepted");
		return 1;
	}
	if (creator) {
		n = caec_channel_recv(ch, buf, sizeof(buf), 0, OP_MS);
		if (n != -EBADMSG) {
			verdict_fail("after an authentication failure: %zd, "
				     "expected -EBADMSG again", n);
			return 1;
		}
	}
	caec_channel_close(ch);
	printf("CAEC-VM-RESULT nonce=%s role=%s mode=%s pass "
	       "expected=EBADMSG total_ms=%" PRIu64 "\n", nonce, role_name,
	       label, ms_since(t_start));
	fflush(stdout);
	return 0;
}

int
main(int argc, char **argv)
{
	char want[256], got[4096], hello[256];
	struct done_msg mine, peer;
	struct caec_channel *ch = NULL;
	struct stream tx, rx;
	struct ep e;
	bool creator, badkey;
	uint64_t msgs, seed, t0;
	ssize_t n;
	int rc;

	if (argc < 7 || argc > 8 ||
	    (strcmp(argv[1], "create") && strcmp(argv[1], "attach")) ||
	    (argc == 8 && strcmp(argv[7], "expect-badmsg"))) {
		fprintf(stderr, "usage: %s create|attach URI LABEL NONCE MSGS "
			"SEED [expect-badmsg]\n", argv[0]);
		return 2;
	}
	badkey = argc == 8;
	creator = !strcmp(argv[1], "create");
	role_name = creator ? "A" : "B";
	label = argv[3];
	nonce = argv[4];
	msgs = strtoull(argv[5], NULL, 0);
	seed = strtoull(argv[6], NULL, 0);
	t_start = now_ns();

	/* 1. Open, then the hello exchange (single-threaded, see above). */
	if (creator) {
		rc = caec_channel_create(argv[2], NULL, &ch);
		if (rc)
			return api_fail("create", rc);
	} else {
		/* A zero BAR (A not there yet) reads as a bad magic. */
		t0 = now_ns();
		for (;;) {
			rc = caec_channel_attach(argv[2], NULL, &ch);
			if ((rc != -EPROTO && rc != -ENOENT) ||
			    ms_since(t0) > ATTACH_MS)
				break;
			sleep_ms(20);
		}
		if (rc)
			return api_fail("attach", rc);
	}
	snprintf(hello, sizeof(hello), "%s %s %s",
		 creator ? "hello-ack" : "hello", nonce, label);
	if (badkey)
		return expect_badmsg(ch, creator, hello);
	if (!creator) {
		rc = caec_channel_send(ch, hello, strlen(hello), 0, OP_MS);
		if (rc)
			return api_fail("send hello", rc);
	}
	n = caec_channel_recv(ch, got, sizeof(got) - 1, 0, ATTACH_MS);
	if (n < 0)
		return api_fail("recv hello", (int)n);
	got[n] = '\0';
	snprintf(want, sizeof(want), "%s %s %s",
		 creator ? "hello" : "hello-ack", nonce, label);
	if (strcmp(got, want)) {
		verdict_fail("hello: got '%.80s', expected '%s'", got, want);
		return 1;
	}
	if (creator) {
		rc = caec_channel_send(ch, hello, strlen(hello), 0, OP_MS);
		if (rc)
			return api_fail("send hello-ack", rc);
	}

	/* 2. Both directions at once. */
	e = ep_channel(ch);
	stream_init(&tx, creator ? 1 : 2, msgs, creator ? seed : seed ^ 0x7a11,
		    OP_ALL, OP_MS);
	stream_init(&rx, creator ? 2 : 1, msgs, creator ? seed ^ 0x7a11 : seed,
		    OP_ALL, OP_MS);
	/* The channel's limit (an encrypted channel's is below the ring's). */
	tx.max_len = caec_channel_max_msg(ch);
	rx.end_epipe = false;
	t0 = now_ns();
	stream_duplex(&e, &tx, &rx);
	if (tx.rc) {
		verdict_fail("send: %s", tx.why);
		return 1;
	}
	if (rx.rc) {
		verdict_fail("receive: %s", rx.why);
		return 1;
	}

	/* 3. The canary: the last data message in each direction. */
	canary_fill(want, role_name);
	rc = caec_channel_send(ch, want, CANARY_LEN, 0, OP_MS);
	if (rc)
		return api_fail("send canary", rc);
	n = caec_channel_recv(ch, got, sizeof(got), 0, OP_MS);
	if (n < 0)
		return api_fail("recv canary", (int)n);
	canary_fill(want, creator ? "B" : "A");
	if (n != CANARY_LEN || memcmp(got, want, CANARY_LEN)) {
		verdict_fail("peer canary wrong (%zd bytes)", n);
		return 1;
	}

	/* 4. Counts: each side checks the peer got exactly what it sent. */
	memset(&mine, 0, sizeof(mine));
	memcpy(mine.tag, DONE_TAG, 8);
	mine.tx_msgs = tx.done;
	mine.tx_bytes = tx.bytes;
	mine.rx_msgs = rx.done;
	mine.rx_bytes = rx.bytes;
	rc = caec_channel_send(ch, &mine, sizeof(mine), 0, OP_MS);
	if (rc)
		return api_fail("send done", rc);
	n = caec_channel_recv(ch, &peer, sizeof(peer), 0, OP_MS);
	if (n < 0)
		return api_fail("recv done", (int)n);
	if (n != sizeof(peer) || memcmp(peer.tag, DONE_TAG, 8)) {
		verdict_fail("done message malformed (%zd bytes)", n);
		return 1;
	}
	if (peer.rx_msgs != mine.tx_msgs || peer.rx_bytes != mine.tx_bytes ||
	    peer.tx_msgs != mine.rx_msgs || peer.tx_bytes != mine.rx_bytes) {
		verdict_fail("counts disagree: mine tx %" PRIu64 "/%" PRIu64
			     " rx %" PRIu64 "/%" PRIu64 ", peer tx %" PRIu64
			     "/%" PRIu64 " rx %" PRIu64 "/%" PRIu64,
			     mine.tx_msgs, mine.tx_bytes, mine.rx_msgs,
			     mine.rx_bytes, peer.tx_msgs, peer.tx_bytes,
			     peer.rx_msgs, peer.rx_bytes);
		return 1;
	}

	/* 5. B closes; A must then see the close as -EPIPE. */
	if (creator) {
		n = caec_channel_recv(ch, got, sizeof(got), 0, OP_MS);
		if (n != -EPIPE) {
			verdict_fail("after done: %zd (%s), expected -EPIPE", n,
				     n < 0 ? caec_strerror((int)n) :
					     "an extra message");
			return 1;
		}
	}
	caec_channel_close(ch);

	printf("CAEC-VM-RESULT nonce=%s role=%s mode=%s pass tx_msgs=%" PRIu64
	       " tx_bytes=%" PRIu64 " rx_msgs=%" PRIu64 " rx_bytes=%" PRIu64
	       " ms=%" PRIu64 " total_ms=%" PRIu64 "\n",
	       nonce, role_name, label, tx.done, tx.bytes, rx.done, rx.bytes,
	       ms_since(t0), ms_since(t_start));
	fflush(stdout);
	return 0;
}

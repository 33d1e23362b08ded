/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipc_peer — the far side of the exec'd integration tests (test-ipc).
 *
 *   ipc_peer URI MODE COUNT SEED [OPS]
 *
 * Attaches to the channel URI (nw:shm/NAME, nw:fd/N, ...), sends one hello
 * message so the test knows it is attached, then, by MODE:
 *
 *   consume  receive and verify COUNT stamped messages of stream 1, then
 *            expect -EPIPE (nothing extra, nothing lost)
 *   produce  send COUNT stamped messages of stream 2, then close
 *   echo     send every message back until the test closes (-EPIPE)
 *   duplex   produce stream 2 and consume stream 1 at once (two threads)
 *
 * OPS is the OP_* mix of tests/lib/stream.h (default all). Exit status:
 * 0 done and verified, 1 transfer or verification failure (reason on
 * stderr), 2 usage, 3 attach failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <caec/caec.h>

#include "lib/stream.h"

#define PEER_TIMEOUT_MS 30000
#define HELLO "ipc_peer attached"

static int
report(const char *mode, const struct stream *s)
{
	if (!s->rc)
		return 0;
	fprintf(stderr, "ipc_peer %s: %s\n", mode, s->why);
	return 1;
}

int
main(int argc, char **argv)
{
	struct stream tx, rx;
	struct caec_channel *ch;
	unsigned long long count, seed;
	unsigned int ops = OP_ALL;
	const char *mode;
	struct ep e;
	int rc, status = 0;

	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: %s URI consume|produce|echo|duplex "
			"COUNT SEED [OPS]\n", argv[0]);
		return 2;
	}
	mode = argv[2];
	count = strtoull(argv[3], NULL, 0);
	seed = strtoull(argv[4], NULL, 0);
	if (argc == 6)
		ops = (unsigned int)strtoul(argv[5], NULL, 0);

	rc = caec_channel_attach(argv[1], NULL, &ch);
	if (rc) {
		fprintf(stderr, "ipc_peer: attach %s: %s (%s)\n", argv[1],
			caec_strerror(rc), caec_error_detail());
		return 3;
	}
	e = ep_channel(ch);
	rc = caec_channel_send(ch, HELLO, sizeof(HELLO), 0, PEER_TIMEOUT_MS);
	if (rc) {
		fprintf(stderr, "ipc_peer: hello: %s\n", caec_strerror(rc));
		caec_channel_close(ch);
		return 1;
	}

	stream_init(&tx, 2, count, seed ^ 0x7a11, ops, PEER_TIMEOUT_MS);
	stream_init(&rx, 1, count, seed, ops, PEER_TIMEOUT_MS);
	if (!strcmp(mode, "consume")) {
		stream_recv(&e, &rx);
		status = report(mode, &rx);
	} else if (!strcmp(mode, "produce")) {
		stream_send(&e, &tx);
		status = report(mode, &tx);
	} else if (!strcmp(mode, "echo")) {
		stream_echo(&e, &rx);
		status = report(mode, &rx);
	} else if (!strcmp(mode, "duplex")) {
		/* The peer closes only when it has everything: no -EPIPE. */
		rx.end_epipe = false;
		stream_duplex(&e, &tx, &rx);
		status = report("duplex send", &tx) |
			 report("duplex receive", &rx);
	} else {
		fprintf(stderr, "ipc_peer: unknown mode '%s'\n", mode);
		status = 2;
	}
	caec_channel_close(ch);
	return status;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cross-architecture interop peer: one build produces, another consumes, on
 * the same file-backed region. Proves the wire format is arch-neutral.
 *
 *   interop_peer produce PATH COUNT   create the channel, send COUNT
 *                                     messages, expect the consumer's digest
 *   interop_peer consume PATH COUNT   attach, verify COUNT messages, reply
 *                                     with the digest
 *
 * Message i has length (i * 7919) % 2000 + 1 and byte j = (i * 31 + j) & 0xff,
 * with i stored little-endian in the first 4 bytes when it fits.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <caec/caec.h>

static size_t
msg_fill(uint32_t i, uint8_t *buf)
{
	size_t len = (size_t)(i * 7919u) % 2000u + 1u, j;

	for (j = 0; j < len; j++)
		buf[j] = (uint8_t)(i * 31u + j);
	if (len >= 4) {
		buf[0] = (uint8_t)i;
		buf[1] = (uint8_t)(i >> 8);
		buf[2] = (uint8_t)(i >> 16);
		buf[3] = (uint8_t)(i >> 24);
	}
	return len;
}

static uint64_t
fnv1a(uint64_t h, const uint8_t *p, size_t n)
{
	while (n--) {
		h ^= *p++;
		h *= 0x100000001b3ull;
	}
	return h;
}

static int
fail(const char *what, int rc)
{
	fprintf(stderr, "interop_peer: %s: %s (%s)\n", what, caec_strerror(rc),
		caec_error_detail());
	return 1;
}

int
main(int argc, char **argv)
{
	static uint8_t want[4096], got[4096];
	struct timespec pause = { 0, 20000000 };
	uint64_t digest = 0xcbf29ce484222325ull, peer;
	struct caec_channel *ch;
	char uri[4200];
	uint32_t i, count;
	ssize_t n;
	size_t len;
	int rc = 0, tries;

	if (argc != 4 || (strcmp(argv[1], "produce") && strcmp(argv[1], "consume"))) {
		fprintf(stderr, "usage: %s produce|consume PATH COUNT\n", argv[0]);
		return 2;
	}
	count = (uint32_t)strtoul(argv[3], NULL, 10);
	snprintf(uri, sizeof(uri), "nw:file/%s?ring=16K", argv[2]);

	if (!strcmp(argv[1], "produce")) {
		rc = caec_channel_create(uri, NULL, &ch);
		if (rc)
			return fail("create", rc);
		for (i = 0; i < count; i++) {
			len = msg_fill(i, want);
			digest = fnv1a(digest, want, len);
			rc = caec_channel_send(ch, want, len, 0, 30000);
			if (rc)
				return fail("send", rc);
		}
		n = caec_channel_recv(ch, &peer, sizeof(peer), 0, 60000);
		if (n != sizeof(peer))
			return fail("recv digest", n < 0 ? (int)n : -EPROTO);
		caec_channel_close(ch);
		if (peer != digest) {
			fprintf(stderr, "interop_peer: digest mismatch\n");
			return 1;
		}
		printf("produce: %u messages verified by the peer\n", count);
		return 0;
	}

	for (tries = 0; tries < 500; tries++) {
		rc = caec_channel_attach(uri, NULL, &ch);
		if (rc != -ENOENT && rc != -EPROTO)
			break;
		nanosleep(&pause, NULL);
	}
	if (rc)
		return fail("attach", rc);
	for (i = 0; i < count; i++) {
		n = caec_channel_recv(ch, got, sizeof(got), 0, 30000);
		if (n < 0)
			return fail("recv", (int)n);
		len = msg_fill(i, want);
		if ((size_t)n != len || memcmp(got, want, len)) {
			fprintf(stderr, "interop_peer: message %u corrupted\n", i);
			return 1;
		}
		digest = fnv1a(digest, got, len);
	}
	rc = caec_channel_send(ch, &digest, sizeof(digest), 0, 30000);
	if (rc)
		return fail("send digest", rc);
	n = caec_channel_recv(ch, got, sizeof(got), 0, 60000);
	caec_channel_close(ch);
	if (n != -EPIPE)
		return fail("wait for close", n < 0 ? (int)n : -EPROTO);
	printf("consume: %u messages verified\n", count);
	return 0;
}

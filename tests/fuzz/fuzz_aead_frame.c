/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: the AEAD record open path, frame_open()
 * (src/crypto_baseline/frame.c), as a receiver meets records a hostile
 * peer or host wrote. A sender with the same key (frame_seal()) lets the
 * input also make authentic records, then tamper with them, so the fuzzer
 * reaches the checks after the tag as well as those before it.
 *
 * INPUT
 *   0     the implementation: bits 1:0 index openssl, openssl-chacha20,
 *         mbedtls, mbedtls-chacha20 (one not built: nothing to do)
 *   1..   chunks: u16 LE length n, then n bytes:
 *         c[0] bit 0 clear: c[1..] is the record, as it is
 *                bit 0 set:  seal c[1..] as the next message (bit 2 set:
 *                            the end-of-stream frame instead), then, with
 *                            bit 1, xor the record's byte c[0] >> 3 (modulo
 *                            its size) with 0x5a
 *         the plaintext buffer is the record's payload size, one byte less
 *         when the input's chunk length is odd
 *
 * INVARIANTS: a payload opened has the record's length minus the overhead
 * and fits the buffer; an untampered record of the sender opens to its
 * plaintext while both sequences agree; a tampered one never opens.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "crypto_baseline/frame.h"

#define CHAN_ID 0x5eed1234u
#define MAX_PT 4096u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const impls[4] = {
	"openssl", "openssl-chacha20", "mbedtls", "mbedtls-chacha20",
};

static void
open_one(struct frame_state *rx, const uint8_t *rec, size_t rec_len,
	 size_t cap, const uint8_t *want, size_t want_len, bool authentic)
{
	static uint8_t pt[MAX_PT + FRAME_OVERHEAD];
	uint64_t seq = rx->seq;
	ssize_t n;

	n = frame_open(rx, rec, rec_len, pt, cap);
	if (n >= 0) {
		if ((size_t)n + FRAME_OVERHEAD != rec_len || (size_t)n > cap ||
		    rx->seq != seq + 1)
			abort();
		if (want && (!authentic || (size_t)n != want_len ||
			     memcmp(pt, want, want_len)))
			abort();
	} else if (rx->seq != seq) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t rec[MAX_PT + FRAME_OVERHEAD];
	uint8_t psk[AEAD_KEY_LEN], salt[FRAME_SALT_MAX];
	struct frame_state tx, rx;
	const struct aead_ops *ops;
	const uint8_t *c, *want;
	size_t n, len, rlen, cap;
	bool authentic, in_step;
	ssize_t got;

	if (size < 1 || aead_find(impls[data[0] & 3], &ops))
		return 0;
	memset(psk, 0x42, sizeof(psk));
	memset(salt, 0x17, sizeof(salt));
	if (frame_init(&tx, ops, psk, salt, sizeof(salt), FRAME_DIR_C2A,
		       CHAN_ID))
		return 0;
	if (frame_init(&rx, ops, psk, salt, sizeof(salt), FRAME_DIR_C2A,
		       CHAN_ID)) {
		frame_fini(&tx);
		return 0;
	}
	data++;
	size--;
	while (size >= 2) {
		n = (size_t)(data[0] | data[1] << 8);
		data += 2;
		size -= 2;
		if (n > size)
			n = size;
		c = data;
		data += n;
		size -= n;
		if (!n)
			continue;
		len = n - 1;
		if (len > MAX_PT)
			len = MAX_PT;
		want = NULL;
		authentic = false;
		if (c[0] & 1) {
			in_step = tx.seq == rx.seq;
			if (c[0] & 4)
				got = frame_seal_end(&tx, rec, sizeof(rec));
			else
				got = frame_seal(&tx, c + 1, len, rec,
						 sizeof(rec));
			if (got < 0)
				continue;
			rlen = (size_t)got;
			authentic = in_step;
			if (c[0] & 2) {
				rec[(size_t)(c[0] >> 3) % rlen] ^= 0x5a;
				authentic = false;
			}
			if (!(c[0] & 4))
				want = c + 1;
		} else {
			rlen = len;
			memcpy(rec, c + 1, rlen);
		}
		cap = rlen > FRAME_OVERHEAD ? rlen - FRAME_OVERHEAD : 0;
		if ((n & 1) && cap)
			cap--;
		if (want && cap < len)
			want = NULL;
		open_one(&rx, rec, rlen, cap, want, len, authentic);
	}
	frame_fini(&tx);
	frame_fini(&rx);
	return 0;
}

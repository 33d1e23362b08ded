/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The crypto-only reference of the encrypted modes: single-core seal-only
 * and open-only throughput of the same library, through the same framing
 * code the channel uses (header as AAD, bounce buffer), with no ring and no
 * second core. The slower of the two bounds an encrypted stream, whose sender
 * seals while its receiver opens in parallel.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <caec/caec.h>

#include "../src/crypto_baseline/aead.h"
#include "../src/crypto_baseline/frame.h"
#include "bench.h"

#define CRYPTO_REF_BYTES (16u << 20)	/* records per measurement */
#define CRYPTO_REF_MIN 256u

bool
bench_mode_encrypted(const struct bench_mode *m)
{
	return !strncmp(m->scheme, "nw-", 3);
}

/*
 * bench_crypto_ref - seal-only and open-only MB/s (10^6 payload bytes per
 * second) of @m's library for messages of @size bytes, on the calling core.
 */
void
bench_crypto_ref(const struct bench_mode *m, uint32_t size, double *seal_mbps,
		 double *open_mbps)
{
	const struct aead_ops *ops;
	struct frame_state tx, rx;
	uint8_t psk[32], salt[64], *buf, *pt, *out;
	size_t rec = frame_record_size(size), n, i;
	uint64_t t0, t1, t2;
	ssize_t r;
	int rc;

	*seal_mbps = *open_mbps = NAN;
	rc = aead_find(m->scheme + 3, &ops);
	if (rc)
		bench_die_lib("aead_find", rc);
	if (getrandom(psk, sizeof(psk), 0) != (ssize_t)sizeof(psk) ||
	    getrandom(salt, sizeof(salt), 0) != (ssize_t)sizeof(salt))
		bench_die("getrandom failed: %s", strerror(errno));
	/* One direction key on both states: rx opens what tx sealed. */
	rc = frame_init(&tx, ops, psk, salt, sizeof(salt), FRAME_DIR_C2A, 1);
	if (!rc)
		rc = frame_init(&rx, ops, psk, salt, sizeof(salt),
				FRAME_DIR_C2A, 1);
	if (rc)
		bench_die_lib("frame_init", rc);
	n = CRYPTO_REF_BYTES / rec;
	if (n < CRYPTO_REF_MIN)
		n = CRYPTO_REF_MIN;
	buf = bench_alloc(n * rec);
	pt = bench_alloc(size);
	out = bench_alloc(size);
	memset(buf, 0, n * rec);	/* fault the pages in, untimed */
	for (i = 0; i < size; i++)
		pt[i] = (uint8_t)(i * 13);

	t0 = bench_now_ns();
	for (i = 0; i < n; i++) {
		r = frame_seal(&tx, pt, size, buf + i * rec, rec);
		if (r != (ssize_t)rec)
			bench_die_lib("frame_seal", r);
	}
	t1 = bench_now_ns();
	for (i = 0; i < n; i++) {
		r = frame_open(&rx, buf + i * rec, rec, out, size);
		if (r != (ssize_t)size)
			bench_die_lib("frame_open", r);
	}
	t2 = bench_now_ns();
	if (memcmp(out, pt, size))
		bench_die("crypto reference: opened bytes differ from sealed");
	*seal_mbps = (double)n * size * 1e3 / (double)(t1 - t0);
	*open_mbps = (double)n * size * 1e3 / (double)(t2 - t1);
	frame_fini(&tx);
	frame_fini(&rx);
	free(buf);
	free(pt);
	free(out);
}

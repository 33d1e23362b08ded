/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: the CCA token verifier (src/attest/token_verify.c and what
 * it calls: the CBOR pre-scan and COSE_Sign1 of cose.c, the claims of
 * claim_map.c and token_claims.c), and token_open(), which takes a token
 * apart for printing. INPUT: the token's bytes. The trust anchor is the
 * fixed key of fuzz_iak.c, which signed the seed tokens, so mutations
 * reach the claims checks after both signatures.
 * INVARIANT: a token that verifies answers the challenge and reports
 * measurements of a length its hash algorithm has.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_iak.h"
#include "token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct token_anchors anchors;
static uint8_t challenge[TOKEN_CHALLENGE_LEN];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct token_expect x;
	struct token_claims c;
	struct token_view v;
	EVP_PKEY *iak;
	char why[256];

	if (!anchors.n) {
		iak = fuzz_iak();
		if (!iak || token_anchors_add(&anchors, iak, NULL))
			abort();
		EVP_PKEY_free(iak);
		memset(challenge, FUZZ_CHALLENGE_BYTE, sizeof(challenge));
	}
	memset(&x, 0, sizeof(x));
	x.challenge = challenge;
	if (!token_verify_with(data, size, &anchors, &x, &c, why,
			       sizeof(why))) {
		if (memcmp(c.challenge, challenge, sizeof(challenge)) ||
		    c.meas_len != (c.hash_algo == TOKEN_HASH_SHA512 ? 64u : 32u))
			abort();
		token_claims_free(&c);
	}
	if (!token_open(data, size, &v, why, sizeof(why)))
		token_view_free(&v);
	return 0;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Between the verifier's files: token_verify.c (framing, signatures, the
 * binding, the caller's expectations) and token_claims.c (what each
 * profile makes mandatory, and the shape of every claim).
 */
#ifndef CAEC_TOKEN_PRIV_H
#define CAEC_TOKEN_PRIV_H

#include <cbor.h>
#include <openssl/evp.h>

#include "token.h"

/*
 * token_platform_check - the platform claims map @m against its profile,
 * in veraison's order (profile, lifecycle, implementation id, software
 * components, challenge, instance id, verification service, config, hash
 * algorithm); fills the platform fields of @out.
 * RETURN VALUE: 0; -EBADMSG naming the claim; -ENOMEM.
 */
int token_platform_check(const cbor_item_t *m, struct token_claims *out,
			 char *why, size_t wl);

/*
 * struct token_rak - the realm attestation key a realm token carries.
 * @key:   the P-384 public key (the caller frees it)
 * @claim: claim 44237's bytes, what the key binding hashes (inside @m)
 * @bind:  the binding's hash (claim 44240), @bind_name its name there
 */
struct token_rak {
	EVP_PKEY *key;
	const uint8_t *claim;
	size_t claim_len;
	const EVP_MD *bind;
	const char *bind_name;
};

/*
 * token_realm_check - the realm claims map @m against its profile (absent,
 * or CCA_PROFILE_REALM), in veraison's order (challenge, personalization
 * value, RIM, REMs, hash algorithm, RAK, RAK hash algorithm), then the
 * firmware's claims; fills the realm fields of @out and @rak.
 * RETURN VALUE: 0; -EBADMSG naming the claim; -ENOMEM.
 */
int token_realm_check(const cbor_item_t *m, struct token_claims *out,
		      struct token_rak *rak, char *why, size_t wl);

#endif /* CAEC_TOKEN_PRIV_H */

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CCA attestation tokens as caec-rmmd issues them and libcaec/caec-attest
 * check them.
 *
 *   token    = #6.399({ 44234: bstr .cbor platform, 44241: bstr .cbor realm })
 *   platform = #6.18([ bstr .cbor {1: -35}, {}, bstr .cbor platform-claims,
 *                      bstr(96) ])  signed ES384 by the platform key (IAK)
 *   realm    = the same shape, realm-claims, signed ES384 by the RAK
 *
 *   platform-claims = { 265: profile, 10: challenge = SHA-384 of the bytes
 *     of realm claim 44237 (the key binding), 2396: implementation id,
 *     256: instance id, 2395: lifecycle, 2399: software components,
 *     2400: verification service, 2402: "sha-256" }
 *   realm-claims = { 10: the 64-byte challenge, 44235: personalization
 *     value, 44238: RIM (the client's measurement), 44239: REMs [4],
 *     44236: "sha-256", 44237: bstr .cbor COSE_Key (the RAK, P-384),
 *     44240: "sha-384", and from the firmware (csm_token_claims):
 *     -70001: realm id, -70002: CSM membership (firmware-patches/ABI.md §5) }
 *
 * The daemon generates the IAK and the RAK at start and writes the IAK's
 * public key (PEM) where verifiers read it: the trust anchor. These are
 * an emulation's keys, in an ordinary process: they attest what the
 * emulated RMM did, not a hardware root of trust.
 */
#ifndef CAEC_TOKEN_H
#define CAEC_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#define CCA_TOKEN_TAG 399
#define CCA_TOKEN_TAG_NEW 907
#define CCA_PLATFORM_TOKEN 44234
#define CCA_REALM_TOKEN 44241

#define CCA_CHALLENGE 10
#define CCA_PLAT_PROFILE 265
#define CCA_PLAT_INSTANCE_ID 256
#define CCA_PLAT_LIFECYCLE 2395
#define CCA_PLAT_IMPL_ID 2396
#define CCA_PLAT_SW_COMPONENTS 2399
#define CCA_PLAT_VERIFICATION 2400
#define CCA_PLAT_HASH_ALGO 2402
#define CCA_REALM_PERSONALIZATION 44235
#define CCA_REALM_HASH_ALGO 44236
#define CCA_REALM_PUB_KEY 44237
#define CCA_REALM_RIM 44238
#define CCA_REALM_REM 44239
#define CCA_REALM_PUB_KEY_HASH_ALGO 44240

#define TOKEN_CHALLENGE_LEN 64
#define TOKEN_RIM_LEN 32
#define TOKEN_MAX 8192

/* ---- signer (caec-rmmd) -------------------------------------------------- */

struct token_signer {
	EVP_PKEY *iak;			/* platform attestation key */
	EVP_PKEY *rak;			/* realm attestation key */
	uint8_t *platform;		/* the platform token (it never changes) */
	size_t platform_len;
	uint8_t *rak_cose;		/* claim 44237's bytes */
	size_t rak_cose_len;
};

/* Generate both keys, write the IAK's public key to @anchor (PEM, 0644,
 * replaced atomically) and sign the platform token. */
int token_signer_init(struct token_signer *t, const char *anchor);
void token_signer_free(struct token_signer *t);

/*
 * token_build - the token of a realm whose RIM is @rim and whose firmware
 * claims (CBOR map members, CSM_TOKEN_NR_CLAIMS of them) are @fw.
 * RETURN VALUE: 0 and *@len; -ENOSPC (@cap too small), -ENOMEM, -EIO.
 */
int token_build(const struct token_signer *t,
		const uint8_t challenge[TOKEN_CHALLENGE_LEN],
		const uint8_t rim[TOKEN_RIM_LEN], const uint8_t *fw,
		size_t fw_len, unsigned int fw_count, uint8_t *out, size_t cap,
		size_t *len);

/* ---- verifier (libcaec, caec-attest) --------------------------------------- */

struct token_claims {
	uint8_t challenge[TOKEN_CHALLENGE_LEN];
	uint8_t rim[TOKEN_RIM_LEN];
	bool has_realm_id;
	uint64_t realm_id;
	uint8_t *membership;		/* CBOR of claim -70002, malloc()ed */
	size_t membership_len;
};

/*
 * token_verify - check @tok against the trust anchor @iak: both COSE_Sign1
 * signatures (ES384, raw r||s, protected header exactly {1: -35}), the
 * key binding (platform challenge = hash of the RAK claim), the challenge
 * (@challenge, required) and, if @rim is not NULL, the measurement.
 * RETURN VALUE: 0 and @out (free with token_claims_free()); -EBADMSG
 * (malformed or a signature or binding fails), -EACCES (challenge or
 * measurement differ), -ENOMEM; @why (may be NULL) says which check.
 */
int token_verify(const uint8_t *tok, size_t len, EVP_PKEY *iak,
		 const uint8_t challenge[TOKEN_CHALLENGE_LEN],
		 const uint8_t *rim, struct token_claims *out, char *why,
		 size_t why_len);
void token_claims_free(struct token_claims *c);

/* A trust anchor from a PEM public-key file: 0, -ENOENT, -EBADMSG. */
int token_anchor_load(const char *path, EVP_PKEY **iak);

#endif /* CAEC_TOKEN_H */

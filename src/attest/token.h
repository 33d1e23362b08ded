/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CCA attestation tokens (draft-ffm-rats-cca-token, RMM spec A7): the
 * shapes real RMMs emit, as libcaec and caec-attest check them, and the
 * shape caec-rmmd issues.
 *
 *   token    = #6.399({ 44234: bstr .cbor platform, 44241: bstr .cbor realm })
 *            / #6.907({ 44234: [263, bstr .cbor platform],     (CMW
 *                       44241: [263, bstr .cbor realm] })        collection)
 *   platform = #6.18([ bstr .cbor {1: -35}, {...}, bstr .cbor
 *                      platform-claims, bstr(96) ])   ES384 by the platform key
 *   realm    = the same shape, realm-claims, ES384 by the RAK
 *
 *   platform-claims, profile "http://arm.com/CCA-SSD/1.0.0" or
 *   "tag:arm.com,2023:cca_platform#1.0.0", every claim mandatory but 2400:
 *     265 profile, 10 challenge = hash of the realm's claim 44237 (the key
 *     binding; 32, 48 or 64 bytes), 2396 implementation id (32), 256
 *     instance id (33, 0x01 first), 2401 config, 2395 lifecycle, 2399
 *     software components [+ {1: type, 2: measurement, 4: version,
 *     5: signer id, 6: description}], 2400 verification service, 2402
 *     hash algorithm
 *   realm-claims, profile absent (the RAK a raw P-384 point, early TF-RMM)
 *   or "tag:arm.com,2023:realm#1.0.0" (the RAK a COSE_Key), every claim
 *   mandatory but 265:
 *     10 challenge (64), 44235 personalization value (64), 44238 RIM,
 *     44239 REMs [4] (RIM and REMs 32 or 64 bytes), 44236 hash algorithm
 *     ("sha-256" or "sha-512"), 44237 RAK, 44240 RAK hash algorithm
 *   and from the firmware (csm_token_claims(), firmware-patches/ABI.md §5):
 *     -70001 realm id, -70002 CSM membership
 *
 * caec-rmmd generates the platform key (IAK) and the RAK at start and
 * writes the IAK's public key (PEM) where verifiers read it: the trust
 * anchor. These are an emulation's keys, in an ordinary process: its
 * platform token says so (lifecycle 0x5000, docs/csm.md).
 */
#ifndef CAEC_TOKEN_H
#define CAEC_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "token_limits.h"

#define CCA_TOKEN_TAG 399		/* EAT collection (TF-RMM) */
#define CCA_TOKEN_TAG_CMW 907		/* CMW collection (veraison) */
#define CCA_CMW_EAT_CWT 263		/* CoAP content-format of an entry */
#define CCA_PLATFORM_TOKEN 44234
#define CCA_REALM_TOKEN 44241

#define CCA_CHALLENGE 10
#define CCA_PROFILE 265
#define CCA_PLAT_INSTANCE_ID 256
#define CCA_PLAT_LIFECYCLE 2395
#define CCA_PLAT_IMPL_ID 2396
#define CCA_PLAT_SW_COMPONENTS 2399
#define CCA_PLAT_VERIFICATION 2400
#define CCA_PLAT_CONFIG 2401
#define CCA_PLAT_HASH_ALGO 2402
#define CCA_SWC_TYPE 1
#define CCA_SWC_MEASUREMENT 2
#define CCA_SWC_VERSION 4
#define CCA_SWC_SIGNER_ID 5
#define CCA_SWC_DESCRIPTION 6
#define CCA_REALM_PERSONALIZATION 44235
#define CCA_REALM_HASH_ALGO 44236
#define CCA_REALM_PUB_KEY 44237
#define CCA_REALM_RIM 44238
#define CCA_REALM_REM 44239
#define CCA_REALM_PUB_KEY_HASH_ALGO 44240
#define CCA_REALM_ID (-70001)
#define CCA_REALM_MEMBERSHIP (-70002)

#define CCA_PROFILE_PLATFORM_LEGACY "http://arm.com/CCA-SSD/1.0.0"
#define CCA_PROFILE_PLATFORM "tag:arm.com,2023:cca_platform#1.0.0"
#define CCA_PROFILE_REALM "tag:arm.com,2023:realm#1.0.0"

#define TOKEN_CHALLENGE_LEN 64
#define TOKEN_RPV_LEN 64
#define TOKEN_RIM_LEN 32		/* a SHA-256 RIM */
#define TOKEN_HASH_MAX 64		/* a SHA-512 RIM or REM */
#define TOKEN_NR_REM 4
#define TOKEN_INSTANCE_ID_LEN 33
#define TOKEN_IMPL_ID_LEN 32

/* A realm's hash algorithm, numbered as RMI_REALM_CREATE's hash_algo. */
#define TOKEN_HASH_SHA256 0u
#define TOKEN_HASH_SHA512 1u

/* The platform profiles (struct token_claims.platform_profile). */
#define TOKEN_PLATFORM_LEGACY 1u	/* http://arm.com/CCA-SSD/1.0.0 */
#define TOKEN_PLATFORM_2023 2u		/* tag:arm.com,2023:cca_platform#1.0.0 */

/* Lifecycle 0x5000..0x50ff: the platform RoT is in a debug state. */
#define CCA_LIFECYCLE_EMULATED 0x5000u

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
 * struct token_realm - what the realm token of one realm says.
 * @hash_algo: TOKEN_HASH_*; the RIM and the REMs have its length
 * @rim:       the realm's initial measurement
 * @rem:       its four extensible measurements
 * @rpv:       its personalization value
 */
struct token_realm {
	unsigned int hash_algo;
	uint8_t rim[TOKEN_HASH_MAX];
	uint8_t rem[TOKEN_NR_REM][TOKEN_HASH_MAX];
	uint8_t rpv[TOKEN_RPV_LEN];
};

/* The length of a measurement under @hash_algo: 32, 64, or 0 (unknown). */
size_t token_hash_len(unsigned int hash_algo);

/*
 * token_build - the token of realm @r for @challenge, with the firmware's
 * claims (CBOR map members, @fw_count of them) @fw.
 * RETURN VALUE: 0 and *@len; -ENOSPC (@cap too small), -EINVAL (unknown
 * hash algorithm), -ENOMEM, -EIO.
 */
int token_build(const struct token_signer *t,
		const uint8_t challenge[TOKEN_CHALLENGE_LEN],
		const struct token_realm *r, const uint8_t *fw, size_t fw_len,
		unsigned int fw_count, uint8_t *out, size_t cap, size_t *len);

/* ---- trust anchors ------------------------------------------------------- */

/*
 * struct token_anchor - one platform public key a verifier trusts.
 * @instance_id: 0x01 || SHA-256 of the key's uncompressed point: the
 *               instance id a platform that derives it from its key
 *               (caec-rmmd does) puts in claim 256
 * @named:       the file was named by an instance id ("<66 hex>.pem"),
 *               which is then in @name_id: the platform's own choice
 * @path:        where it came from (messages), malloc()ed, or NULL
 */
struct token_anchor {
	EVP_PKEY *key;
	uint8_t instance_id[TOKEN_INSTANCE_ID_LEN];
	bool named;
	uint8_t name_id[TOKEN_INSTANCE_ID_LEN];
	char *path;
};

struct token_anchors {
	struct token_anchor *a;
	size_t n;
};

/*
 * token_anchors_load - add the PEM public key at @path, or, for a
 * directory, every regular file in it named *.pem or *.pub (in name order).
 * RETURN VALUE: 0; -ENOENT (no such file, or a directory without keys),
 * -EBADMSG (a file that is not a PEM public key: @why names it), -ENOMEM.
 */
int token_anchors_load(struct token_anchors *set, const char *path,
		       char *why, size_t wl);

/* Add @key (the set takes a reference of its own). */
int token_anchors_add(struct token_anchors *set, EVP_PKEY *key,
		      const char *path);
void token_anchors_free(struct token_anchors *set);

/* A trust anchor from a PEM public-key file: 0, -ENOENT, -EBADMSG. */
int token_anchor_load(const char *path, EVP_PKEY **iak);

/* @key's instance id: 0x01 || SHA-256(uncompressed point). 0 or -EIO. */
int token_instance_id(EVP_PKEY *key, uint8_t id[TOKEN_INSTANCE_ID_LEN]);

/* ---- verifier (libcaec, caec-attest) --------------------------------------- */

/*
 * struct token_claims - what a verified token says (every field checked
 * against its profile; nothing here is believed before both signatures
 * and the key binding verified).
 */
struct token_claims {
	/* realm token */
	bool realm_profile;		/* 265 present: the RAK is a COSE_Key */
	uint8_t challenge[TOKEN_CHALLENGE_LEN];
	uint8_t rpv[TOKEN_RPV_LEN];
	unsigned int hash_algo;		/* claim 44236, TOKEN_HASH_* */
	size_t meas_len;		/* the RIM's and each REM's: 32 or 64 */
	uint8_t rim[TOKEN_HASH_MAX];
	uint8_t rem[TOKEN_NR_REM][TOKEN_HASH_MAX];
	bool has_realm_id;
	uint64_t realm_id;
	uint8_t *membership;		/* CBOR of claim -70002, malloc()ed */
	size_t membership_len;
	/* platform token */
	unsigned int platform_profile;	/* TOKEN_PLATFORM_* */
	uint8_t instance_id[TOKEN_INSTANCE_ID_LEN];
	uint8_t impl_id[TOKEN_IMPL_ID_LEN];
	uint16_t lifecycle;
	size_t anchor;			/* which anchor of the set verified it */
};

/*
 * struct token_expect - what the verifier's caller requires.
 * @challenge: TOKEN_CHALLENGE_LEN bytes, required
 * @rim:       @rim_len bytes; NULL: any
 * @rpv:       TOKEN_RPV_LEN bytes; NULL: any
 * @rem:       per REM, @rem_len[i] bytes; NULL: any
 */
struct token_expect {
	const uint8_t *challenge;
	const uint8_t *rim;
	size_t rim_len;
	const uint8_t *rpv;
	const uint8_t *rem[TOKEN_NR_REM];
	size_t rem_len[TOKEN_NR_REM];
};

/*
 * token_verify_with - check @tok: its size (TOKEN_MAX), the collection
 * (tag 399 or 907), both COSE_Sign1 (ES384, raw r||s, protected header
 * exactly {1: -35}), the platform signature against an anchor of @anchors
 * (those whose instance id matches claim 256, else each in turn), every
 * claim its profile makes mandatory, the realm signature with the RAK the
 * token carries, the key binding, then @x.
 * RETURN VALUE: 0 and @out (free with token_claims_free()); -EMSGSIZE
 * (over TOKEN_MAX), -EBADMSG (malformed, a claim missing or of the wrong
 * shape, a signature or the binding fails), -EACCES (the challenge or an
 * expected measurement or RPV differs), -ENOMEM; @why (may be NULL) names
 * the problem.
 */
int token_verify_with(const uint8_t *tok, size_t len,
		      const struct token_anchors *anchors,
		      const struct token_expect *x, struct token_claims *out,
		      char *why, size_t wl);

/*
 * token_verify - token_verify_with() for one anchor @iak, @challenge and,
 * if @rim is not NULL, a TOKEN_RIM_LEN-byte (SHA-256) RIM.
 */
int token_verify(const uint8_t *tok, size_t len, EVP_PKEY *iak,
		 const uint8_t challenge[TOKEN_CHALLENGE_LEN],
		 const uint8_t *rim, struct token_claims *out, char *why,
		 size_t wl);
void token_claims_free(struct token_claims *c);

/* The lifecycle state of @v in veraison's words ("secured", ...), or NULL
 * for a value outside every state. */
const char *token_lifecycle_name(uint16_t v);

/* ---- taking a token apart, verifying nothing (caec-attest --print) ------ */

/*
 * struct token_view - a token's two claims maps, decoded but NOT verified.
 * @tag:      399 or 907
 * @platform: the platform claims map (a cbor_item_t *)
 * @realm:    the realm claims map
 */
struct token_view {
	unsigned int tag;
	const void *platform;
	const void *realm;
	void *priv;
};

int token_open(const uint8_t *tok, size_t len, struct token_view *v,
	       char *why, size_t wl);
void token_view_free(struct token_view *v);

/* Which map a claim key belongs to (token_claim_name()). */
#define TOKEN_MAP_PLATFORM 0u
#define TOKEN_MAP_REALM 1u
#define TOKEN_MAP_SW_COMPONENT 2u

/* The claim's name as veraison's evcli writes it ("cca-realm-challenge"),
 * or NULL for a key the profiles do not name. */
const char *token_claim_name(unsigned int map, int64_t key);

#endif /* CAEC_TOKEN_H */

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Signed CCA tokens from claim sets, for the verifier's tests: the claim
 * sets of the veraison test vectors (diag.h reads them), or ones a test
 * writes, signed with keys the test holds.
 *
 * cca_build() turns two claims maps into a token. So that a claim set
 * written for claims-only checks can become a token that verifies, it
 * makes two substitutions, and only these:
 *   - the realm's RAK (44237) becomes the builder's own key when the claim
 *     set's is of the shape its profile wants (with no profile claim a
 *     97-byte byte string, the raw point; with one, a byte string holding
 *     a CBOR map, a COSE_Key); a key of the wrong shape stays, and the
 *     token is signed with the builder's RAK all the same;
 *   - the platform challenge (10) becomes the key binding, the hash of the
 *     RAK claim under the realm's 44240 (sha-256 when that is no hash
 *     name), when it is one byte string of 32, 48 or 64 bytes; any other
 *     challenge (missing, of another length, several nonces) stays.
 * Every other claim reaches the token as the claim set has it.
 */
#ifndef CAEC_TEST_CCA_BUILD_H
#define CAEC_TEST_CCA_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include <cbor.h>
#include <openssl/evp.h>

struct cca_keys {
	EVP_PKEY *iak;		/* the platform key: signs platform tokens */
	EVP_PKEY *rak;		/* the realm attestation key */
};

/* Two fresh P-384 keys: 0 or -1. */
int cca_keys_init(struct cca_keys *k);
void cca_keys_free(struct cca_keys *k);

/* The PEM public key of @key at @path: 0 or -1. */
int cca_write_pubkey(EVP_PKEY *key, const char *path);

/* @it in CBOR, malloc()ed: 0 or -1. */
int cca_encode(const cbor_item_t *it, uint8_t **out, size_t *len);

/*
 * cca_map_with - a copy of map @m with @key set to @v (added or replaced),
 * or removed when @v is NULL. Consumes @m and @v.
 */
cbor_item_t *cca_map_with(cbor_item_t *m, int64_t key, cbor_item_t *v);

/* The value of integer key @key in @m (borrowed), or NULL. */
cbor_item_t *cca_map_get(const cbor_item_t *m, int64_t key);

/*
 * cca_from_json - a JSON claim set (names as veraison's evcli writes them;
 * diag_parse() read it) as a claims map. @map: TOKEN_MAP_PLATFORM or
 * TOKEN_MAP_REALM (src/attest/token.h). Byte-string claims are base64 in
 * JSON; one that is not valid base64 stays a text string (so the verifier
 * meets a claim of the wrong type). Names of no CCA claim are dropped, as
 * a JSON decoder into the claims structure drops them.
 */
cbor_item_t *cca_from_json(const cbor_item_t *json, unsigned int map);

/* A COSE_Sign1_Tagged of @payload, ES384 with @key: 0 or -1. */
int cca_sign1(EVP_PKEY *key, const uint8_t *payload, size_t len,
	      uint8_t **out, size_t *olen);

/* A collection: tag 399 ({44234: bstr, 44241: bstr}) or 907 (entries
 * [263, bstr]) around the two COSE_Sign1: 0 or -1. */
int cca_collection(unsigned int tag, const uint8_t *plat, size_t plen,
		   const uint8_t *realm, size_t rlen, uint8_t **out,
		   size_t *olen);

/*
 * cca_build - the token of claims maps @plat and @realm (borrowed), with
 * the substitutions above, in collection @tag: 0 and *@tok (malloc()ed),
 * or -1.
 */
int cca_build(const struct cca_keys *k, const cbor_item_t *plat,
	      const cbor_item_t *realm, unsigned int tag, uint8_t **tok,
	      size_t *len);

/* cca_build() without the substitutions: the claims exactly as given. */
int cca_build_exact(const struct cca_keys *k, const cbor_item_t *plat,
		    const cbor_item_t *realm, unsigned int tag, uint8_t **tok,
		    size_t *len);

#endif /* CAEC_TEST_CCA_BUILD_H */

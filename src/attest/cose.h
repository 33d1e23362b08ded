/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The COSE pieces of CCA attestation tokens (RFC 9052, ES384), shared by the
 * signer (caec-rmmd) and the verifier (libcaec, caec-attest): the
 * Sig_structure, raw r||s ECDSA P-384 signatures with SHA-384, and P-384
 * public keys as COSE_Key maps.
 *
 * Functions return 0 or a negative errno: -EBADMSG for a signature that
 * does not verify or a malformed key, -ENOMEM, -EIO (OpenSSL failed).
 */
#ifndef CAEC_COSE_H
#define CAEC_COSE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#define COSE_ALG_ES384 (-35)
#define COSE_TAG_SIGN1 18
#define ES384_SIG_LEN 96		/* r || s, 48 bytes each */
#define P384_COORD 48
#define COSE_P384_POINT 97		/* 0x04 || x || y */

/*
 * cose_sig_structure - the ToBeSigned bytes of a COSE_Sign1:
 * ["Signature1", protected, h'' (no external AAD), payload], CBOR.
 * *@out is malloc()ed.
 */
int cose_sig_structure(const uint8_t *prot, size_t prot_len,
		       const uint8_t *payload, size_t payload_len,
		       uint8_t **out, size_t *out_len);

/* ES384 over @tbs with @key (private): raw r || s into @sig. */
int cose_es384_sign(EVP_PKEY *key, const uint8_t *tbs, size_t len,
		    uint8_t sig[ES384_SIG_LEN]);

/* Check raw r || s @sig over @tbs with @key (public). */
int cose_es384_verify(EVP_PKEY *key, const uint8_t *tbs, size_t len,
		      const uint8_t sig[ES384_SIG_LEN]);

/* @key's public half as a COSE_Key {1: 2 (EC2), -1: 2 (P-384), -2: x,
 * -3: y}, CBOR; *@out is malloc()ed. */
int cose_key_encode(EVP_PKEY *key, uint8_t **out, size_t *out_len);

/*
 * cose_key_decode - a P-384 public key from COSE_Key bytes: kty EC2, crv
 * P-384, x and y of 48 bytes, optionally kid and alg (ES384 only); any
 * other parameter, a repeated one, or a point off the curve is refused.
 * RETURN VALUE: 0; -EBADMSG with *@why (may be NULL) saying what is wrong;
 * -ENOMEM.
 */
int cose_key_decode(const uint8_t *buf, size_t len, EVP_PKEY **key,
		    const char **why);

/* A P-384 public key from an uncompressed point (0x04 || x || y), checked
 * to be on the curve: 0, -EBADMSG, -ENOMEM. */
int cose_p384_from_point(const uint8_t pt[COSE_P384_POINT], EVP_PKEY **key);

/* @key's public half as an uncompressed point: 0, -EIO. */
int cose_p384_point(EVP_PKEY *key, uint8_t pt[COSE_P384_POINT]);

/*
 * cose_cbor_load - decode @buf[0..@len) as exactly one CBOR item.
 *
 * Untrusted bytes go through here, never straight to cbor_load(): libcbor
 * allocates what a header declares before it reads the content, so a
 * 9-byte input declaring 2^31 array entries costs gigabytes. A pre-scan
 * first checks that the bytes are well formed, with definite lengths only,
 * at most COSE_CBOR_MAX_DEPTH nested arrays, maps and tags, and every
 * declared length or count backed by input that is really there (a string
 * by its bytes, an array entry by at least one byte, a map entry by two).
 *
 * RETURN VALUE: the item (cbor_decref() it), or NULL for anything else.
 * The returned type is libcbor's; declared as void * to keep cbor.h out.
 */
#define COSE_CBOR_MAX_DEPTH 16
void *cose_cbor_load(const uint8_t *buf, size_t len);

/* The pre-scan alone: NULL when cose_cbor_load() would decode @buf, else
 * what is wrong with it, in words ("trailing bytes after ..."). */
const char *cose_cbor_check(const uint8_t *buf, size_t len);

#endif /* CAEC_COSE_H */

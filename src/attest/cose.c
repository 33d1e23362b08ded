/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * COSE for CCA tokens: Sig_structure, ES384 with raw signatures, COSE_Key.
 * CBOR through libcbor (deterministic: shortest integers, definite lengths).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

#include "claim_map.h"
#include "cose.h"

/*
 * Is @buf[0..@len) exactly one well-formed, definite-length CBOR item whose
 * declared sizes the input backs (see cose_cbor_load())? Iterative: @left[d]
 * counts the items still expected at nesting depth d.
 * RETURN VALUE: NULL, or what is wrong, in words.
 */
static const char *
cbor_prescan(const uint8_t *buf, size_t len)
{
	uint64_t left[COSE_CBOR_MAX_DEPTH + 1], v, rest;
	unsigned int major, ai, i, n;
	size_t pos = 0;
	int d = 0;

	left[0] = 1;
	while (d >= 0) {
		if (!left[d]) {
			d--;
			continue;
		}
		left[d]--;
		if (pos >= len)
			return "truncated CBOR (an item is missing)";
		major = buf[pos] >> 5;
		ai = buf[pos] & 31;
		pos++;
		if (ai < 24) {
			v = ai;
		} else if (ai <= 27) {
			n = 1u << (ai - 24);
			if (len - pos < n)
				return "truncated CBOR (in an item's header)";
			for (v = 0, i = 0; i < n; i++)
				v = v << 8 | buf[pos + i];
			pos += n;
		} else if (ai == 31) {
			return "CBOR of indefinite length (not accepted)";
		} else {
			return "malformed CBOR (a reserved header value)";
		}
		rest = len - pos;
		switch (major) {
		case 2:			/* byte string */
		case 3:			/* text string */
			if (v > rest)
				return "a CBOR string longer than the input";
			pos += v;
			break;
		case 4:			/* array: one byte per entry at least */
		case 5:			/* map: two */
			if (v > rest / (major == 5 ? 2 : 1))
				return "a CBOR array or map declares more entries than the input holds";
			if (d == COSE_CBOR_MAX_DEPTH)
				return "CBOR nested deeper than the verifier accepts";
			left[++d] = major == 5 ? 2 * v : v;
			break;
		case 6:			/* tag: one item follows */
			if (d == COSE_CBOR_MAX_DEPTH)
				return "CBOR nested deeper than the verifier accepts";
			left[++d] = 1;
			break;
		default:		/* integers, simple values, floats */
			break;
		}
	}
	return pos == len ? NULL : "trailing bytes after the CBOR item";
}

const char *
cose_cbor_check(const uint8_t *buf, size_t len)
{
	return buf ? cbor_prescan(buf, len) : "no input";
}

void *
cose_cbor_load(const uint8_t *buf, size_t len)
{
	struct cbor_load_result res;
	cbor_item_t *it;

	if (!buf || cbor_prescan(buf, len))
		return NULL;
	it = cbor_load(buf, len, &res);
	if (it && (res.error.code != CBOR_ERR_NONE || res.read != len)) {
		cbor_decref(&it);
		return NULL;
	}
	return it;
}

/* Serialise @item (consumed) into a malloc()ed buffer. */
static int
serialize(cbor_item_t *item, uint8_t **out, size_t *out_len)
{
	unsigned char *buf = NULL;
	size_t cap = 0, n;

	if (!item)
		return -ENOMEM;
	n = cbor_serialize_alloc(item, &buf, &cap);
	cbor_decref(&item);
	if (!n) {
		free(buf);
		return -ENOMEM;
	}
	*out = buf;
	*out_len = n;
	return 0;
}

int
cose_sig_structure(const uint8_t *prot, size_t prot_len,
		   const uint8_t *payload, size_t payload_len, uint8_t **out,
		   size_t *out_len)
{
	cbor_item_t *a = cbor_new_definite_array(4);
	bool ok;

	if (!a)
		return -ENOMEM;
	ok = cbor_array_push(a, cbor_move(cbor_build_string("Signature1"))) &&
	     cbor_array_push(a, cbor_move(cbor_build_bytestring(prot,
								 prot_len))) &&
	     cbor_array_push(a, cbor_move(cbor_build_bytestring(NULL, 0))) &&
	     cbor_array_push(a, cbor_move(cbor_build_bytestring(payload,
								 payload_len)));
	if (!ok) {
		cbor_decref(&a);
		return -ENOMEM;
	}
	return serialize(a, out, out_len);
}

int
cose_es384_sign(EVP_PKEY *key, const uint8_t *tbs, size_t len,
		uint8_t sig[ES384_SIG_LEN])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char der[160];
	const unsigned char *p = der;
	const BIGNUM *r, *s;
	ECDSA_SIG *es = NULL;
	size_t dlen = sizeof(der);
	int rc = -EIO;

	if (md && EVP_DigestSignInit(md, NULL, EVP_sha384(), NULL, key) == 1 &&
	    EVP_DigestSign(md, der, &dlen, tbs, len) == 1 &&
	    (es = d2i_ECDSA_SIG(NULL, &p, (long)dlen))) {
		ECDSA_SIG_get0(es, &r, &s);
		if (BN_bn2binpad(r, sig, P384_COORD) == P384_COORD &&
		    BN_bn2binpad(s, sig + P384_COORD, P384_COORD) == P384_COORD)
			rc = 0;
	}
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return rc;
}

int
cose_es384_verify(EVP_PKEY *key, const uint8_t *tbs, size_t len,
		  const uint8_t sig[ES384_SIG_LEN])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, P384_COORD, NULL);
	BIGNUM *s = BN_bin2bn(sig + P384_COORD, P384_COORD, NULL);
	unsigned char *der = NULL;
	int dlen, rc = -ENOMEM;

	if (md && es && r && s && ECDSA_SIG_set0(es, r, s) == 1) {
		r = s = NULL;	/* owned by es now */
		dlen = i2d_ECDSA_SIG(es, &der);
		rc = -EBADMSG;
		if (dlen > 0 &&
		    EVP_DigestVerifyInit(md, NULL, EVP_sha384(), NULL, key) == 1 &&
		    EVP_DigestVerify(md, der, (size_t)dlen, tbs, len) == 1)
			rc = 0;
	}
	OPENSSL_free(der);
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return rc;
}

int
cose_p384_point(EVP_PKEY *key, uint8_t pt[COSE_P384_POINT])
{
	size_t n = 0;

	if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, pt,
					    COSE_P384_POINT, &n) != 1 ||
	    n != COSE_P384_POINT || pt[0] != 0x04) {
		ERR_clear_error();
		return -EIO;
	}
	return 0;
}

int
cose_key_encode(EVP_PKEY *key, uint8_t **out, size_t *out_len)
{
	uint8_t pt[COSE_P384_POINT];
	cbor_item_t *m;
	bool ok;

	if (cose_p384_point(key, pt))
		return -EIO;
	m = cbor_new_definite_map(4);
	if (!m)
		return -ENOMEM;
	ok = cbor_map_add(m, (struct cbor_pair){
			  cbor_move(cbor_build_uint8(1)),
			  cbor_move(cbor_build_uint8(2)) }) &&
	     cbor_map_add(m, (struct cbor_pair){
			  cbor_move(cbor_build_negint8(0)),	/* -1 */
			  cbor_move(cbor_build_uint8(2)) }) &&
	     cbor_map_add(m, (struct cbor_pair){
			  cbor_move(cbor_build_negint8(1)),	/* -2 */
			  cbor_move(cbor_build_bytestring(pt + 1,
							  P384_COORD)) }) &&
	     cbor_map_add(m, (struct cbor_pair){
			  cbor_move(cbor_build_negint8(2)),	/* -3 */
			  cbor_move(cbor_build_bytestring(pt + 1 + P384_COORD,
							  P384_COORD)) });
	if (!ok) {
		cbor_decref(&m);
		return -ENOMEM;
	}
	return serialize(m, out, out_len);
}

int
cose_p384_from_point(const uint8_t pt[COSE_P384_POINT], EVP_PKEY **key)
{
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY_CTX *check = NULL;
	OSSL_PARAM *params = NULL;
	int rc = -ENOMEM;

	*key = NULL;
	if (pt[0] != 0x04) {
		rc = -EBADMSG;
	} else if (b && ctx &&
		   OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME,
						   "P-384", 0) == 1 &&
		   OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY,
						    pt, COSE_P384_POINT) == 1 &&
		   (params = OSSL_PARAM_BLD_to_param(b))) {
		rc = -EBADMSG;
		/* fromdata decodes the point; the public check puts it on
		 * the curve (and outside the small subgroups). */
		if (EVP_PKEY_fromdata_init(ctx) == 1 &&
		    EVP_PKEY_fromdata(ctx, key, EVP_PKEY_PUBLIC_KEY,
				      params) == 1 &&
		    (check = EVP_PKEY_CTX_new_from_pkey(NULL, *key, NULL)) &&
		    EVP_PKEY_public_check(check) == 1)
			rc = 0;
	}
	if (rc) {
		EVP_PKEY_free(*key);
		*key = NULL;
	}
	EVP_PKEY_CTX_free(check);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(b);
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

int
cose_key_decode(const uint8_t *buf, size_t len, EVP_PKEY **key,
		const char **why)
{
	uint8_t pt[COSE_P384_POINT] = { 0x04 };
	cbor_item_t *m = cose_cbor_load(buf, len);
	const cbor_item_t *v;
	const uint8_t *c;
	const char *bad = NULL;
	struct cbor_pair *kv;
	int64_t k, x;
	size_t i, n;
	int rc;

	*key = NULL;
	if (!m || !cbor_isa_map(m)) {
		bad = "not a CBOR map";
		goto out;
	}
	if (cm_check_keys(m, "COSE_Key", NULL, 0)) {
		bad = "a key that is not an integer, or one given twice";
		goto out;
	}
	kv = cbor_map_handle(m);
	for (i = 0; i < cbor_map_size(m) && !bad; i++) {
		(void)cm_int(kv[i].key, &k);
		v = kv[i].value;
		switch (k) {
		case 1:			/* kty */
			if (!cm_int(v, &x) || x != 2)
				bad = "kty (1) is not EC2 (2)";
			break;
		case -1:		/* crv */
			if (!cm_int(v, &x) || x != 2)
				bad = "crv (-1) is not P-384 (2)";
			break;
		case -2:		/* x */
		case -3:		/* y */
			c = cm_bstr(v, &n);
			if (!c || n != P384_COORD)
				bad = "a coordinate that is not 48 bytes";
			else
				memcpy(pt + 1 + (k == -3 ? P384_COORD : 0), c,
				       P384_COORD);
			break;
		case 2:			/* kid: any byte string */
			if (!cm_bstr(v, &n))
				bad = "kid (2) is not a byte string";
			break;
		case 3:			/* alg: if given, the one it signs with */
			if (!cm_int(v, &x) || x != COSE_ALG_ES384)
				bad = "alg (3) is not ES384 (-35)";
			break;
		default:
			bad = "a parameter other than kty, crv, x, y, kid, alg";
			break;
		}
	}
	if (!bad && (!cm_get(m, 1) || !cm_get(m, -1) || !cm_get(m, -2) ||
		     !cm_get(m, -3)))
		bad = "kty (1), crv (-1), x (-2) or y (-3) is missing";
out:
	if (m)
		cbor_decref(&m);
	if (bad) {
		if (why)
			*why = bad;
		return -EBADMSG;
	}
	rc = cose_p384_from_point(pt, key);
	if (rc == -EBADMSG && why)
		*why = "the point is not on the P-384 curve";
	return rc;
}

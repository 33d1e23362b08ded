/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Signed CCA tokens from claim sets (cca_build.h). Signatures come from the
 * library's COSE code (src/attest/cose.c, held to a known answer by
 * test-csm-token and to TF-RMM's token by test-cca-vectors).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "cca_build.h"
#include "diag.h"
#include "../../src/attest/cose.h"
#include "../../src/attest/token.h"

int
cca_keys_init(struct cca_keys *k)
{
	k->iak = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	k->rak = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	ERR_clear_error();
	if (k->iak && k->rak)
		return 0;
	cca_keys_free(k);
	return -1;
}

void
cca_keys_free(struct cca_keys *k)
{
	EVP_PKEY_free(k->iak);
	EVP_PKEY_free(k->rak);
	k->iak = k->rak = NULL;
}

int
cca_write_pubkey(EVP_PKEY *key, const char *path)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -1;
	ok = PEM_write_PUBKEY(f, key) == 1;
	ok = fclose(f) == 0 && ok;
	return ok ? 0 : -1;
}

int
cca_encode(const cbor_item_t *it, uint8_t **out, size_t *len)
{
	unsigned char *buf = NULL;
	size_t cap = 0;

	*len = cbor_serialize_alloc(it, &buf, &cap);
	if (!*len) {
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

static bool
int_of(const cbor_item_t *it, int64_t *v)
{
	if (cbor_isa_uint(it)) {
		*v = (int64_t)cbor_get_int(it);
		return true;
	}
	if (cbor_isa_negint(it)) {
		*v = -1 - (int64_t)cbor_get_int(it);
		return true;
	}
	return false;
}

cbor_item_t *
cca_map_get(const cbor_item_t *m, int64_t key)
{
	struct cbor_pair *kv = cbor_map_handle(m);
	size_t i;
	int64_t k;

	for (i = 0; i < cbor_map_size(m); i++)
		if (int_of(kv[i].key, &k) && k == key)
			return kv[i].value;
	return NULL;
}

cbor_item_t *
cca_map_with(cbor_item_t *m, int64_t key, cbor_item_t *v)
{
	struct cbor_pair *kv = cbor_map_handle(m);
	size_t i, n = cbor_map_size(m);
	cbor_item_t *out = cbor_new_definite_map(n + 1), *k;
	int64_t ik;
	bool done = false;

	for (i = 0; out && i < n; i++) {
		if (int_of(kv[i].key, &ik) && ik == key) {
			if (v && !done)
				(void)cbor_map_add(out, (struct cbor_pair){
						   kv[i].key, v });
			done = true;
			continue;
		}
		(void)cbor_map_add(out, kv[i]);
	}
	if (out && v && !done) {
		k = diag_int(key);
		(void)cbor_map_add(out, (struct cbor_pair){ k, v });
		cbor_decref(&k);
	}
	cbor_decref(&m);
	if (v)
		cbor_decref(&v);
	return out;
}

/* ---- JSON claim sets ------------------------------------------------------- */

enum kind { TEXT, BYTES, UINT, BYTES_ARRAY, COMPONENTS };

struct name {
	const char *name;
	int64_t key;
	enum kind kind;
};

/* The names of veraison's JSON claim sets (ccatoken, psatoken). */
static const struct name platform_names[] = {
	{ "cca-platform-profile", 265, TEXT },
	{ "cca-platform-challenge", 10, BYTES },
	{ "cca-platform-implementation-id", 2396, BYTES },
	{ "cca-platform-instance-id", 256, BYTES },
	{ "cca-platform-config", 2401, BYTES },
	{ "cca-platform-lifecycle", 2395, UINT },
	{ "cca-platform-sw-components", 2399, COMPONENTS },
	{ "cca-platform-service-indicator", 2400, TEXT },
	{ "cca-platform-hash-algo-id", 2402, TEXT },
	{ NULL, 0, TEXT },
};

static const struct name realm_names[] = {
	{ "cca-realm-profile", 265, TEXT },
	{ "cca-realm-challenge", 10, BYTES },
	{ "cca-realm-personalization-value", 44235, BYTES },
	{ "cca-realm-initial-measurement", 44238, BYTES },
	{ "cca-realm-extensible-measurements", 44239, BYTES_ARRAY },
	{ "cca-realm-hash-algo-id", 44236, TEXT },
	{ "cca-realm-public-key", 44237, BYTES },
	{ "cca-realm-public-key-hash-algo-id", 44240, TEXT },
	{ NULL, 0, TEXT },
};

static const struct name component_names[] = {
	{ "measurement-type", 1, TEXT },
	{ "measurement-value", 2, BYTES },
	{ "version", 4, TEXT },
	{ "signer-id", 5, BYTES },
	{ "measurement-description", 6, TEXT },
	{ NULL, 0, TEXT },
};

static cbor_item_t *from_names(const cbor_item_t *json,
			       const struct name *names);

/* A base64 text as bytes; anything else as it is. */
static cbor_item_t *
to_bytes(const cbor_item_t *v)
{
	size_t n, len;
	uint8_t *buf;
	cbor_item_t *it;

	if (!cbor_isa_string(v))
		return cbor_incref((cbor_item_t *)v);
	n = cbor_string_length(v);
	buf = malloc(n + 1);
	if (!buf)
		return NULL;
	if (diag_base64((const char *)cbor_string_handle(v), n, buf, &len)) {
		free(buf);
		return cbor_incref((cbor_item_t *)v);
	}
	it = cbor_build_bytestring(buf, len);
	free(buf);
	return it;
}

static cbor_item_t *
convert(const cbor_item_t *v, enum kind kind)
{
	cbor_item_t *a, *e;
	size_t i;

	switch (kind) {
	case BYTES:
		return to_bytes(v);
	case BYTES_ARRAY:
	case COMPONENTS:
		if (!cbor_isa_array(v))
			return cbor_incref((cbor_item_t *)v);
		a = cbor_new_definite_array(cbor_array_size(v));
		for (i = 0; a && i < cbor_array_size(v); i++) {
			e = kind == BYTES_ARRAY ?
				    to_bytes(cbor_array_handle(v)[i]) :
				    from_names(cbor_array_handle(v)[i],
					       component_names);
			if (!e)
				continue;
			(void)cbor_array_push(a, e);
			cbor_decref(&e);
		}
		return a;
	default:
		return cbor_incref((cbor_item_t *)v);
	}
}

static cbor_item_t *
from_names(const cbor_item_t *json, const struct name *names)
{
	struct cbor_pair *kv;
	const struct name *nm;
	cbor_item_t *m, *v;
	size_t i, n;

	if (!cbor_isa_map(json))
		return cbor_incref((cbor_item_t *)json);
	m = cbor_new_definite_map(0);
	kv = cbor_map_handle(json);
	for (i = 0; m && i < cbor_map_size(json); i++) {
		if (!cbor_isa_string(kv[i].key))
			continue;
		n = cbor_string_length(kv[i].key);
		for (nm = names; nm->name; nm++)
			if (strlen(nm->name) == n &&
			    !memcmp(nm->name, cbor_string_handle(kv[i].key), n))
				break;
		if (!nm->name)
			continue;	/* not a CCA claim: dropped */
		v = convert(kv[i].value, nm->kind);
		if (v)
			m = cca_map_with(m, nm->key, v);
	}
	return m;
}

cbor_item_t *
cca_from_json(const cbor_item_t *json, unsigned int map)
{
	return from_names(json, map == TOKEN_MAP_PLATFORM ? platform_names :
							   realm_names);
}

/* ---- signing and framing ---------------------------------------------------- */

int
cca_sign1(EVP_PKEY *key, const uint8_t *payload, size_t len, uint8_t **out,
	  size_t *olen)
{
	static const uint8_t prot[] = { 0xa1, 0x01, 0x38, 0x22 }; /* {1: -35} */
	uint8_t sig[ES384_SIG_LEN], *tbs = NULL;
	cbor_item_t *a, *t;
	size_t tbs_len;
	int rc = -1;

	if (cose_sig_structure(prot, sizeof(prot), payload, len, &tbs,
			       &tbs_len) ||
	    cose_es384_sign(key, tbs, tbs_len, sig)) {
		free(tbs);
		return -1;
	}
	free(tbs);
	a = cbor_new_definite_array(4);
	if (a && cbor_array_push(a, cbor_move(cbor_build_bytestring(prot,
								     sizeof(prot)))) &&
	    cbor_array_push(a, cbor_move(cbor_new_definite_map(0))) &&
	    cbor_array_push(a, cbor_move(cbor_build_bytestring(payload, len))) &&
	    cbor_array_push(a, cbor_move(cbor_build_bytestring(sig,
								sizeof(sig))))) {
		t = cbor_build_tag(18, a);
		rc = t ? cca_encode(t, out, olen) : -1;
		if (t)
			cbor_decref(&t);
	}
	if (a)
		cbor_decref(&a);
	return rc;
}

int
cca_collection(unsigned int tag, const uint8_t *plat, size_t plen,
	       const uint8_t *rlm, size_t rlen, uint8_t **out, size_t *olen)
{
	cbor_item_t *m = cbor_new_definite_map(0), *p, *r, *t;
	int rc = -1;

	p = cbor_build_bytestring(plat, plen);
	r = cbor_build_bytestring(rlm, rlen);
	if (tag == CCA_TOKEN_TAG_CMW) {
		cbor_item_t *pa = cbor_new_definite_array(2);
		cbor_item_t *ra = cbor_new_definite_array(2);

		(void)cbor_array_push(pa, cbor_move(diag_int(CCA_CMW_EAT_CWT)));
		(void)cbor_array_push(pa, cbor_move(p));
		(void)cbor_array_push(ra, cbor_move(diag_int(CCA_CMW_EAT_CWT)));
		(void)cbor_array_push(ra, cbor_move(r));
		p = pa;
		r = ra;
	}
	m = cca_map_with(m, CCA_PLATFORM_TOKEN, p);
	m = cca_map_with(m, CCA_REALM_TOKEN, r);
	t = m ? cbor_build_tag(tag, m) : NULL;
	if (t) {
		rc = cca_encode(t, out, olen);
		cbor_decref(&t);
	}
	if (m)
		cbor_decref(&m);
	return rc;
}

/* The builder's RAK in the shape @realm's profile wants, when the claim
 * set's own is of that shape; NULL: keep the claim set's. */
static cbor_item_t *
rak_claim(const struct cca_keys *k, const cbor_item_t *realm)
{
	const cbor_item_t *v = cca_map_get(realm, CCA_PROFILE);
	const cbor_item_t *key = cca_map_get(realm, CCA_REALM_PUB_KEY);
	uint8_t pt[COSE_P384_POINT], *cose;
	size_t n;
	cbor_item_t *it, *inner;

	if (!key || !cbor_isa_bytestring(key))
		return NULL;
	if (!v) {
		if (cbor_bytestring_length(key) != COSE_P384_POINT ||
		    cose_p384_point(k->rak, pt))
			return NULL;
		return cbor_build_bytestring(pt, sizeof(pt));
	}
	inner = cose_cbor_load(cbor_bytestring_handle(key),
			       cbor_bytestring_length(key));
	if (!inner)
		return NULL;
	n = cbor_isa_map(inner);
	cbor_decref(&inner);
	if (!n || cose_key_encode(k->rak, &cose, &n))
		return NULL;
	it = cbor_build_bytestring(cose, n);
	free(cose);
	return it;
}

/* The key binding's value for @realm's RAK claim, or NULL. */
static cbor_item_t *
binder(const cbor_item_t *realm, const cbor_item_t *plat)
{
	const cbor_item_t *ch = cca_map_get(plat, CCA_CHALLENGE);
	const cbor_item_t *key = cca_map_get(realm, CCA_REALM_PUB_KEY);
	const cbor_item_t *alg = cca_map_get(realm, CCA_REALM_PUB_KEY_HASH_ALGO);
	const EVP_MD *md = EVP_sha256();
	uint8_t h[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	size_t l;

	if (!ch || !cbor_isa_bytestring(ch) || !key ||
	    !cbor_isa_bytestring(key))
		return NULL;
	l = cbor_bytestring_length(ch);
	if (l != 32 && l != 48 && l != 64)
		return NULL;
	if (alg && cbor_isa_string(alg)) {
		l = cbor_string_length(alg);
		if (l == 7 && !memcmp(cbor_string_handle(alg), "sha-384", 7))
			md = EVP_sha384();
		else if (l == 7 &&
			 !memcmp(cbor_string_handle(alg), "sha-512", 7))
			md = EVP_sha512();
	}
	if (EVP_Digest(cbor_bytestring_handle(key), cbor_bytestring_length(key),
		       h, &n, md, NULL) != 1)
		return NULL;
	return cbor_build_bytestring(h, n);
}

static int
build(const struct cca_keys *k, const cbor_item_t *plat,
      const cbor_item_t *realm, unsigned int tag, bool substitute,
      uint8_t **tok, size_t *len)
{
	cbor_item_t *p = cbor_incref((cbor_item_t *)plat);
	cbor_item_t *r = cbor_incref((cbor_item_t *)realm), *v;
	uint8_t *pc = NULL, *rc_ = NULL, *ps = NULL, *rs = NULL;
	size_t pcl, rcl, psl, rsl;
	int rc = -1;

	/* cca_map_with() consumes: work on copies of the maps. */
	p = cca_map_with(p, INT64_MIN, NULL);
	r = cca_map_with(r, INT64_MIN, NULL);
	v = substitute ? rak_claim(k, r) : NULL;
	if (v)
		r = cca_map_with(r, CCA_REALM_PUB_KEY, v);
	v = substitute ? binder(r, p) : NULL;
	if (v)
		p = cca_map_with(p, CCA_CHALLENGE, v);
	if (p && r && !cca_encode(p, &pc, &pcl) && !cca_encode(r, &rc_, &rcl) &&
	    !cca_sign1(k->iak, pc, pcl, &ps, &psl) &&
	    !cca_sign1(k->rak, rc_, rcl, &rs, &rsl))
		rc = cca_collection(tag, ps, psl, rs, rsl, tok, len);
	free(pc);
	free(rc_);
	free(ps);
	free(rs);
	if (p)
		cbor_decref(&p);
	if (r)
		cbor_decref(&r);
	return rc;
}

int
cca_build(const struct cca_keys *k, const cbor_item_t *plat,
	  const cbor_item_t *realm, unsigned int tag, uint8_t **tok,
	  size_t *len)
{
	return build(k, plat, realm, tag, true, tok, len);
}

int
cca_build_exact(const struct cca_keys *k, const cbor_item_t *plat,
		const cbor_item_t *realm, unsigned int tag, uint8_t **tok,
		size_t *len)
{
	return build(k, plat, realm, tag, false, tok, len);
}

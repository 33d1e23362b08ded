/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Verifying CCA attestation tokens (token.h). Everything in a token is
 * untrusted input: each item's type and length is checked before use,
 * duplicate keys are refused, and nothing is believed before the signature
 * that covers it verified.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "cose.h"
#include "token.h"

static int __attribute__((format(printf, 4, 5)))
fail(int rc, char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* The whole of @buf as one CBOR item, or NULL (pre-scanned: cose.h). */
static cbor_item_t *
load_all(const uint8_t *buf, size_t len)
{
	return cose_cbor_load(buf, len);
}

static bool
key_is(const cbor_item_t *k, int64_t key)
{
	if (key >= 0)
		return cbor_isa_uint(k) && cbor_get_int(k) == (uint64_t)key;
	return cbor_isa_negint(k) && cbor_get_int(k) == (uint64_t)(-1 - key);
}

/* The value of @key in map @m; NULL if absent or present twice. */
static cbor_item_t *
map_get(const cbor_item_t *m, int64_t key)
{
	struct cbor_pair *kv = cbor_map_handle(m);
	cbor_item_t *v = NULL;
	size_t i, n = cbor_map_size(m);

	for (i = 0; i < n; i++) {
		if (!key_is(kv[i].key, key))
			continue;
		if (v)
			return NULL;
		v = kv[i].value;
	}
	return v;
}

/* A definite byte string of @len bytes (0: any length) at @key. */
static const uint8_t *
map_bytes(const cbor_item_t *m, int64_t key, size_t len, size_t *got)
{
	cbor_item_t *v = map_get(m, key);

	if (!v || !cbor_isa_bytestring(v) || !cbor_bytestring_is_definite(v) ||
	    (len && cbor_bytestring_length(v) != len))
		return NULL;
	if (got)
		*got = cbor_bytestring_length(v);
	return cbor_bytestring_handle(v);
}

static bool
map_string_is(const cbor_item_t *m, int64_t key, const char *want)
{
	cbor_item_t *v = map_get(m, key);

	return v && cbor_isa_string(v) && cbor_string_is_definite(v) &&
	       cbor_string_length(v) == strlen(want) &&
	       !memcmp(cbor_string_handle(v), want, strlen(want));
}

struct sign1 {
	cbor_item_t *item;		/* owns everything below */
	const uint8_t *prot, *payload, *sig;
	size_t prot_len, payload_len;
	cbor_item_t *claims;		/* the payload, decoded */
};

static void
sign1_free(struct sign1 *s)
{
	if (s->item)
		cbor_decref(&s->item);
	if (s->claims)
		cbor_decref(&s->claims);
}

static const uint8_t *
bstr(const cbor_item_t *it, size_t *len)
{
	if (!cbor_isa_bytestring(it) || !cbor_bytestring_is_definite(it))
		return NULL;
	*len = cbor_bytestring_length(it);
	return cbor_bytestring_handle(it);
}

/* Parse a COSE_Sign1_Tagged whose protected header is exactly {1: -35}. */
static int
sign1_parse(const uint8_t *buf, size_t len, struct sign1 *s, const char *what,
	    char *why, size_t wl)
{
	static const uint8_t es384_hdr[] = { 0xa1, 0x01, 0x38, 0x22 };
	cbor_item_t *a, **e;
	size_t n = 0;

	memset(s, 0, sizeof(*s));
	/*
	 * Tag 18 is the one byte 0xd2, checked by hand: libcbor 0.8 refuses
	 * to decode tags 6..20 (it calls them unassigned).
	 */
	if (len < 1 || buf[0] != 0xc0 + COSE_TAG_SIGN1)
		return fail(-EBADMSG, why, wl, "%s: not a tagged COSE_Sign1",
			    what);
	s->item = a = load_all(buf + 1, len - 1);
	if (!a || !cbor_isa_array(a) || !cbor_array_is_definite(a) ||
	    cbor_array_size(a) != 4)
		return fail(-EBADMSG, why, wl, "%s: COSE_Sign1 is not [4]",
			    what);
	e = cbor_array_handle(a);
	s->prot = bstr(e[0], &s->prot_len);
	s->payload = bstr(e[2], &s->payload_len);
	s->sig = bstr(e[3], &n);
	if (!s->prot || !cbor_isa_map(e[1]) || !s->payload || !s->sig ||
	    n != ES384_SIG_LEN)
		return fail(-EBADMSG, why, wl, "%s: COSE_Sign1 field types",
			    what);
	if (s->prot_len != sizeof(es384_hdr) ||
	    memcmp(s->prot, es384_hdr, sizeof(es384_hdr)))
		return fail(-EBADMSG, why, wl,
			    "%s: protected header is not {1: -35} (ES384)", what);
	s->claims = load_all(s->payload, s->payload_len);
	if (!s->claims || !cbor_isa_map(s->claims))
		return fail(-EBADMSG, why, wl, "%s: payload is not a map", what);
	return 0;
}

static int
sign1_verify(const struct sign1 *s, EVP_PKEY *key)
{
	uint8_t *tbs;
	size_t len;
	int rc = cose_sig_structure(s->prot, s->prot_len, s->payload,
				    s->payload_len, &tbs, &len);

	if (rc)
		return rc;
	rc = cose_es384_verify(key, tbs, len, s->sig);
	free(tbs);
	return rc;
}

/* Key binding: the platform challenge is the hash of the RAK claim. */
static bool
bound(const cbor_item_t *plat, const cbor_item_t *realm, const uint8_t *rak,
      size_t rak_len)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	const EVP_MD *alg = NULL;
	const uint8_t *ch;
	unsigned int mdlen = 0;
	size_t chlen = 0;

	if (map_string_is(realm, CCA_REALM_PUB_KEY_HASH_ALGO, "sha-256"))
		alg = EVP_sha256();
	else if (map_string_is(realm, CCA_REALM_PUB_KEY_HASH_ALGO, "sha-384"))
		alg = EVP_sha384();
	else if (map_string_is(realm, CCA_REALM_PUB_KEY_HASH_ALGO, "sha-512"))
		alg = EVP_sha512();
	ch = map_bytes(plat, CCA_CHALLENGE, 0, &chlen);
	return alg && ch && EVP_Digest(rak, rak_len, md, &mdlen, alg, NULL) == 1 &&
	       mdlen == chlen && !memcmp(md, ch, chlen);
}

static int
realm_checks(const cbor_item_t *realm,
	     const uint8_t challenge[TOKEN_CHALLENGE_LEN], const uint8_t *rim,
	     struct token_claims *out, char *why, size_t wl)
{
	const uint8_t *ch = map_bytes(realm, CCA_CHALLENGE, TOKEN_CHALLENGE_LEN,
				      NULL);
	const uint8_t *m = map_bytes(realm, CCA_REALM_RIM, TOKEN_RIM_LEN, NULL);
	cbor_item_t *id = map_get(realm, -70001), *mem = map_get(realm, -70002);
	unsigned char *buf = NULL;
	size_t cap = 0;

	if (!ch || !m)
		return fail(-EBADMSG, why, wl,
			    "realm token: no 64-byte challenge or 32-byte RIM");
	if (memcmp(ch, challenge, TOKEN_CHALLENGE_LEN))
		return fail(-EACCES, why, wl,
			    "realm token: the challenge is not the one asked (replayed?)");
	if (rim && memcmp(m, rim, TOKEN_RIM_LEN))
		return fail(-EACCES, why, wl,
			    "realm token: the measurement (RIM) is not the expected one");
	memcpy(out->challenge, ch, TOKEN_CHALLENGE_LEN);
	memcpy(out->rim, m, TOKEN_RIM_LEN);
	if (id && cbor_isa_uint(id)) {
		out->has_realm_id = true;
		out->realm_id = cbor_get_int(id);
	}
	if (mem) {
		out->membership_len = cbor_serialize_alloc(mem, &buf, &cap);
		out->membership = buf;
		if (!out->membership_len)
			return -ENOMEM;
	}
	return 0;
}

int
token_verify(const uint8_t *tok, size_t len, EVP_PKEY *iak,
	     const uint8_t challenge[TOKEN_CHALLENGE_LEN], const uint8_t *rim,
	     struct token_claims *out, char *why, size_t wl)
{
	struct sign1 plat = { 0 }, realm = { 0 };
	const uint8_t *p, *r, *rak = NULL;
	cbor_item_t *top, *m = NULL;
	size_t plen, rlen, raklen = 0;
	EVP_PKEY *rakey = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	top = load_all(tok, len);
	if (top && cbor_isa_tag(top) &&
	    (cbor_tag_value(top) == CCA_TOKEN_TAG ||
	     cbor_tag_value(top) == CCA_TOKEN_TAG_NEW)) {
		m = cbor_tag_item(top);
		cbor_decref(&m);	/* still owned by the tag */
	}
	if (!m || !cbor_isa_map(m) ||
	    !(p = map_bytes(m, CCA_PLATFORM_TOKEN, 0, &plen)) ||
	    !(r = map_bytes(m, CCA_REALM_TOKEN, 0, &rlen))) {
		rc = fail(-EBADMSG, why, wl,
			  "not a CCA token (tag 399 around {44234, 44241})");
		goto out;
	}
	rc = sign1_parse(p, plen, &plat, "platform token", why, wl);
	if (!rc && sign1_verify(&plat, iak))
		rc = fail(-EBADMSG, why, wl,
			  "platform token: the signature does not verify with the trust anchor");
	if (!rc)
		rc = sign1_parse(r, rlen, &realm, "realm token", why, wl);
	if (!rc) {
		rak = map_bytes(realm.claims, CCA_REALM_PUB_KEY, 0, &raklen);
		if (!rak || cose_key_decode(rak, raklen, &rakey))
			rc = fail(-EBADMSG, why, wl,
				  "realm token: no P-384 COSE_Key in claim 44237");
	}
	if (!rc && sign1_verify(&realm, rakey))
		rc = fail(-EBADMSG, why, wl,
			  "realm token: the signature does not verify with its RAK");
	if (!rc && !bound(plat.claims, realm.claims, rak, raklen))
		rc = fail(-EBADMSG, why, wl,
			  "key binding: the platform challenge is not the hash of the RAK");
	if (!rc)
		rc = realm_checks(realm.claims, challenge, rim, out, why, wl);
out:
	EVP_PKEY_free(rakey);
	sign1_free(&plat);
	sign1_free(&realm);
	if (top)
		cbor_decref(&top);
	if (rc)
		token_claims_free(out);
	return rc;
}

void
token_claims_free(struct token_claims *c)
{
	free(c->membership);
	c->membership = NULL;
	c->membership_len = 0;
}

int
token_anchor_load(const char *path, EVP_PKEY **iak)
{
	FILE *f = fopen(path, "r");

	*iak = NULL;
	if (!f)
		return -ENOENT;
	*iak = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	ERR_clear_error();
	return *iak ? 0 : -EBADMSG;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Verifying CCA attestation tokens (token.h): the size bound, the
 * collection (tag 399 or 907), the two COSE_Sign1, the platform signature
 * against the trust anchors, the claims against their profiles
 * (token_claims.c), the realm signature, the key binding, and last what
 * the caller expects.
 *
 * Everything in a token is untrusted input: nothing is decoded before the
 * pre-scan (cose_cbor_load()) accepted it, each item's type and length is
 * checked before use, a map's keys are integers none of which repeats, and
 * nothing is believed before the signatures that cover it and the binding
 * verified. Every refusal says what was wrong.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>
#include <openssl/err.h>

#include "claim_map.h"
#include "cose.h"
#include "token_priv.h"

struct sign1 {
	cbor_item_t *item;		/* the array; owns the pointers below */
	const uint8_t *prot, *payload, *sig;
	size_t prot_len, payload_len;
	cbor_item_t *claims;		/* the payload, decoded */
};

/* A token taken apart. */
struct parts {
	cbor_item_t *top;
	unsigned int tag;
	struct sign1 plat, realm;
};

static void
sign1_free(struct sign1 *s)
{
	if (s->item)
		cbor_decref(&s->item);
	if (s->claims)
		cbor_decref(&s->claims);
}

static void
parts_free(struct parts *p)
{
	sign1_free(&p->plat);
	sign1_free(&p->realm);
	if (p->top)
		cbor_decref(&p->top);
	memset(p, 0, sizeof(*p));
}

/*
 * Decode @buf as one CBOR item. What the pre-scan refuses is named; what
 * libcbor refuses after it (a tag it does not know, memory) is malformed
 * too: a token is small, and the verifier fails closed either way.
 */
static int
load(const uint8_t *buf, size_t len, cbor_item_t **it, const char *what,
     char *why, size_t wl)
{
	const char *bad = cose_cbor_check(buf, len);

	*it = NULL;
	if (bad)
		return token_fail(-EBADMSG, why, wl, "%s: %s", what, bad);
	*it = cose_cbor_load(buf, len);
	if (!*it)
		return token_fail(-EBADMSG, why, wl,
				  "%s: CBOR the decoder refuses (an unknown tag, or no memory)",
				  what);
	return 0;
}

/* The protected header: exactly {1: -35}. */
static int
protected_header(const struct sign1 *s, const char *what, char *why,
		 size_t wl)
{
	char w[48];
	cbor_item_t *h;
	int64_t alg;
	int rc;

	snprintf(w, sizeof(w), "%s: protected header", what);
	rc = load(s->prot, s->prot_len, &h, w, why, wl);
	if (rc)
		return rc;
	if (!cbor_isa_map(h) || cm_check_keys(h, "", NULL, 0))
		rc = token_fail(-EBADMSG, why, wl,
				"%s: the protected header is not a map of integer labels",
				what);
	else if (!cm_int(cm_get(h, 1), &alg))
		rc = token_fail(-EBADMSG, why, wl,
				"%s: the protected header names no algorithm (label 1)",
				what);
	else if (alg != COSE_ALG_ES384)
		rc = token_fail(-EBADMSG, why, wl,
				"%s: algorithm %lld is not ES384 (-35), the one CCA tokens use",
				what, (long long)alg);
	else if (cbor_map_size(h) != 1)
		rc = token_fail(-EBADMSG, why, wl,
				"%s: the protected header carries more than the algorithm",
				what);
	cbor_decref(&h);
	return rc;
}

/* Parse a COSE_Sign1_Tagged @buf: ES384, an attached payload that is a map. */
static int
sign1_parse(const uint8_t *buf, size_t len, struct sign1 *s, const char *what,
	    char *why, size_t wl)
{
	cbor_item_t *a, **e;
	char w[48];
	size_t n = 0;
	int rc;

	memset(s, 0, sizeof(*s));
	/*
	 * Tag 18 is the one byte 0xd2, checked by hand: libcbor 0.8 refuses
	 * to decode tags 6..20 (it calls them unassigned).
	 */
	if (len < 1 || buf[0] != 0xc0 + COSE_TAG_SIGN1)
		return token_fail(-EBADMSG, why, wl,
				  "%s: not a COSE_Sign1 (tag 18)", what);
	rc = load(buf + 1, len - 1, &s->item, what, why, wl);
	if (rc)
		return rc;
	a = s->item;
	if (!cbor_isa_array(a) || cbor_array_size(a) != 4)
		return token_fail(-EBADMSG, why, wl,
				  "%s: a COSE_Sign1 is an array of 4", what);
	e = cbor_array_handle(a);
	s->prot = cm_bstr(e[0], &s->prot_len);
	s->payload = cm_bstr(e[2], &s->payload_len);
	s->sig = cm_bstr(e[3], &n);
	if (!s->prot || !cbor_isa_map(e[1]))
		return token_fail(-EBADMSG, why, wl,
				  "%s: COSE headers of the wrong types", what);
	if (!s->payload)
		return token_fail(-EBADMSG, why, wl,
				  "%s: the payload is %s, not an attached byte string",
				  what, cm_type_name(e[2]));
	if (!s->sig || n != ES384_SIG_LEN)
		return token_fail(-EBADMSG, why, wl,
				  "%s: the signature is not %u bytes (ES384, r || s)",
				  what, ES384_SIG_LEN);
	rc = protected_header(s, what, why, wl);
	if (rc)
		return rc;
	snprintf(w, sizeof(w), "%s: claims", what);
	rc = load(s->payload, s->payload_len, &s->claims, w, why, wl);
	if (rc)
		return rc;
	if (!cbor_isa_map(s->claims))
		return token_fail(-EBADMSG, why, wl,
				  "%s: the claims are %s, not a map", what,
				  cm_type_name(s->claims));
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

/* One entry of the collection: a byte string (399) or [263, bstr] (907). */
static int
entry(const struct parts *p, const cbor_item_t *v, int64_t key,
      const uint8_t **b, size_t *n, char *why, size_t wl)
{
	uint64_t cf;

	if (p->tag == CCA_TOKEN_TAG_CMW) {
		if (!cbor_isa_array(v) || cbor_array_size(v) != 2)
			return token_fail(-EBADMSG, why, wl,
					  "collection: entry %lld is not a CMW record [content-format, bytes]",
					  (long long)key);
		if (!cm_uint(cbor_array_handle(v)[0], &cf) ||
		    cf != CCA_CMW_EAT_CWT)
			return token_fail(-EBADMSG, why, wl,
					  "collection: entry %lld: content-format is not %u (application/eat+cwt)",
					  (long long)key, CCA_CMW_EAT_CWT);
		v = cbor_array_handle(v)[1];
	}
	*b = cm_bstr(v, n);
	if (!*b)
		return token_fail(-EBADMSG, why, wl,
				  "collection: entry %lld is %s, not a byte string",
				  (long long)key, cm_type_name(v));
	return 0;
}

/* Size, framing, both COSE_Sign1. */
static int
split(const uint8_t *tok, size_t len, struct parts *p, char *why, size_t wl)
{
	const uint8_t *pb, *rb;
	struct cbor_pair *kv;
	cbor_item_t *m;
	size_t pn, rn, i;
	int64_t k;
	int rc;

	memset(p, 0, sizeof(*p));
	if (len > TOKEN_MAX)
		return token_fail(-EMSGSIZE, why, wl,
				  "token: %zu bytes, more than the %u a verifier accepts",
				  len, TOKEN_MAX);
	rc = load(tok, len, &p->top, "token", why, wl);
	if (rc)
		return rc;
	if (!cbor_isa_tag(p->top))
		return token_fail(-EBADMSG, why, wl,
				  "not a CCA token: %s, not a tag 399 or 907 collection",
				  cm_type_name(p->top));
	if (cbor_tag_value(p->top) != CCA_TOKEN_TAG &&
	    cbor_tag_value(p->top) != CCA_TOKEN_TAG_CMW)
		return token_fail(-EBADMSG, why, wl,
				  "not a CCA token: tag %llu, not 399 or 907",
				  (unsigned long long)cbor_tag_value(p->top));
	p->tag = (unsigned int)cbor_tag_value(p->top);
	/* cbor_tag_item() takes a reference; the tag keeps its own, so
	 * dropping ours leaves @m valid while p->top lives. */
	m = cbor_tag_item(p->top);
	cbor_decref(&m);
	if (!cbor_isa_map(m))
		return token_fail(-EBADMSG, why, wl,
				  "collection: %s, not a map", cm_type_name(m));
	rc = cm_check_keys(m, "collection", why, wl);
	if (rc)
		return rc;
	kv = cbor_map_handle(m);
	for (i = 0; i < cbor_map_size(m); i++) {
		(void)cm_int(kv[i].key, &k);
		if (k != CCA_PLATFORM_TOKEN && k != CCA_REALM_TOKEN)
			return token_fail(-EBADMSG, why, wl,
					  "collection: key %lld is neither 44234 (platform) nor 44241 (realm)",
					  (long long)k);
	}
	if (!cm_get(m, CCA_PLATFORM_TOKEN) || !cm_get(m, CCA_REALM_TOKEN))
		return token_fail(-EBADMSG, why, wl,
				  "collection: the %s token (%d) is missing",
				  cm_get(m, CCA_PLATFORM_TOKEN) ? "realm" :
								  "platform",
				  cm_get(m, CCA_PLATFORM_TOKEN) ?
					  CCA_REALM_TOKEN : CCA_PLATFORM_TOKEN);
	rc = entry(p, cm_get(m, CCA_PLATFORM_TOKEN), CCA_PLATFORM_TOKEN, &pb,
		   &pn, why, wl);
	if (!rc)
		rc = entry(p, cm_get(m, CCA_REALM_TOKEN), CCA_REALM_TOKEN, &rb,
			   &rn, why, wl);
	if (!rc)
		rc = sign1_parse(pb, pn, &p->plat, "platform token", why, wl);
	if (!rc)
		rc = sign1_parse(rb, rn, &p->realm, "realm token", why, wl);
	return rc;
}

/*
 * The platform signature: the anchors whose instance id is claim 256 (an
 * unverified hint, used only to choose), else every anchor in turn.
 */
static int
platform_signature(const struct parts *p, const struct token_anchors *set,
		   struct token_claims *out, char *why, size_t wl)
{
	const uint8_t *inst;
	size_t n = 0, i, tried = 0;
	bool match, any = false;
	int pass, rc;

	if (!set || !set->n)
		return token_fail(-EINVAL, why, wl, "no trust anchor given");
	inst = cm_bstr(cm_get(p->plat.claims, CCA_PLAT_INSTANCE_ID), &n);
	if (n != TOKEN_INSTANCE_ID_LEN)
		inst = NULL;
	for (i = 0; inst && i < set->n; i++)
		any |= !memcmp(set->a[i].instance_id, inst, n) ||
		       (set->a[i].named && !memcmp(set->a[i].name_id, inst, n));
	for (pass = any ? 0 : 1; pass < 2 && !tried; pass++) {
		for (i = 0; i < set->n; i++) {
			match = inst && (!memcmp(set->a[i].instance_id, inst, n) ||
					 (set->a[i].named &&
					  !memcmp(set->a[i].name_id, inst, n)));
			if (pass == 0 && !match)
				continue;
			tried++;
			rc = sign1_verify(&p->plat, set->a[i].key);
			if (rc == -ENOMEM || rc == -EIO)
				return rc;
			if (!rc) {
				out->anchor = i;
				return 0;
			}
		}
	}
	if (set->n == 1)
		return token_fail(-EBADMSG, why, wl,
				  "platform token: the signature does not verify with the trust anchor");
	return token_fail(-EBADMSG, why, wl,
			  "platform token: the signature verifies with none of the %zu trust anchors %s",
			  tried, any ? "of its instance id" : "tried");
}

/* The key binding: the platform challenge is the hash of the RAK claim. */
static int
binding(const struct parts *p, const struct token_rak *rak, char *why,
	size_t wl)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	const uint8_t *ch;
	size_t n = 0;

	ch = cm_bstr(cm_get(p->plat.claims, CCA_CHALLENGE), &n);
	if (EVP_Digest(rak->claim, rak->claim_len, md, &mdlen, rak->bind,
		       NULL) != 1) {
		ERR_clear_error();
		return -EIO;
	}
	if (!ch || n != mdlen || memcmp(md, ch, n))
		return token_fail(-EBADMSG, why, wl,
				  "key binding: the platform challenge (claim 10) is not the %s hash of the realm's RAK (claim 44237)",
				  rak->bind_name);
	return 0;
}

static int
expectations(const struct token_claims *c, const struct token_expect *x,
	     char *why, size_t wl)
{
	unsigned int i;

	if (memcmp(c->challenge, x->challenge, TOKEN_CHALLENGE_LEN))
		return token_fail(-EACCES, why, wl,
				  "realm token: the challenge is not the one asked (replayed?)");
	if (x->rim && (x->rim_len != c->meas_len ||
		       memcmp(c->rim, x->rim, c->meas_len)))
		return token_fail(-EACCES, why, wl,
				  "realm token: the measurement (RIM) is not the expected one");
	if (x->rpv && memcmp(c->rpv, x->rpv, TOKEN_RPV_LEN))
		return token_fail(-EACCES, why, wl,
				  "realm token: the personalization value (RPV) is not the expected one");
	for (i = 0; i < TOKEN_NR_REM; i++)
		if (x->rem[i] && (x->rem_len[i] != c->meas_len ||
				  memcmp(c->rem[i], x->rem[i], c->meas_len)))
			return token_fail(-EACCES, why, wl,
					  "realm token: extensible measurement %u (REM[%u]) is not the expected one",
					  i + 1, i);
	return 0;
}

int
token_verify_with(const uint8_t *tok, size_t len,
		  const struct token_anchors *anchors,
		  const struct token_expect *x, struct token_claims *out,
		  char *why, size_t wl)
{
	struct token_rak rak = { 0 };
	struct parts p;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!tok || !x || !x->challenge)
		return token_fail(-EINVAL, why, wl,
				  "no token, or no challenge to check it against");
	rc = split(tok, len, &p, why, wl);
	if (!rc)
		rc = platform_signature(&p, anchors, out, why, wl);
	if (!rc)
		rc = token_platform_check(p.plat.claims, out, why, wl);
	if (!rc)
		rc = token_realm_check(p.realm.claims, out, &rak, why, wl);
	if (!rc) {
		rc = sign1_verify(&p.realm, rak.key);
		if (rc == -EBADMSG)
			token_fail(rc, why, wl,
				   "realm token: the signature does not verify with the RAK it carries (claim 44237)");
	}
	if (!rc)
		rc = binding(&p, &rak, why, wl);
	if (!rc)
		rc = expectations(out, x, why, wl);
	EVP_PKEY_free(rak.key);
	parts_free(&p);
	if (rc)
		token_claims_free(out);
	return rc;
}

int
token_verify(const uint8_t *tok, size_t len, EVP_PKEY *iak,
	     const uint8_t challenge[TOKEN_CHALLENGE_LEN], const uint8_t *rim,
	     struct token_claims *out, char *why, size_t wl)
{
	struct token_anchors set = { 0 };
	struct token_expect x = {
		.challenge = challenge,
		.rim = rim,
		.rim_len = TOKEN_RIM_LEN,
	};
	int rc;

	memset(out, 0, sizeof(*out));
	if (!iak)
		return token_fail(-EINVAL, why, wl, "no trust anchor given");
	rc = token_anchors_add(&set, iak, NULL);
	if (!rc)
		rc = token_verify_with(tok, len, &set, &x, out, why, wl);
	token_anchors_free(&set);
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
token_open(const uint8_t *tok, size_t len, struct token_view *v, char *why,
	   size_t wl)
{
	struct parts *p = calloc(1, sizeof(*p));
	int rc;

	memset(v, 0, sizeof(*v));
	if (!p)
		return -ENOMEM;
	rc = split(tok, len, p, why, wl);
	if (rc) {
		parts_free(p);
		free(p);
		return rc;
	}
	v->tag = p->tag;
	v->platform = p->plat.claims;
	v->realm = p->realm.claims;
	v->priv = p;
	return 0;
}

void
token_view_free(struct token_view *v)
{
	if (v->priv) {
		parts_free(v->priv);
		free(v->priv);
	}
	memset(v, 0, sizeof(*v));
}

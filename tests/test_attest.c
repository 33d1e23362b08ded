/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The token verifier (src/attest/) on tokens signed here from claim sets
 * written here (tests/lib/cca_build.h): every shape real RMMs emit is
 * accepted, and everything else fails closed with a reason that names it.
 *
 *   shapes     both platform profiles, the realm profile absent (RAK a raw
 *              point) or present (RAK a COSE_Key), tag 399 and 907, SHA-256
 *              and SHA-512 realms
 *   closed     unknown hash and signature algorithms, trailing bytes,
 *              duplicate keys, non-integer keys, oversize tokens, keys of
 *              the wrong shape or off the curve, a broken binding, a
 *              realm signed by another key, malformed collections, the
 *              firmware's claims out of bounds
 *   expect     the challenge, RIM, RPV and REMs the caller expects
 *   anchors    a set of anchors: the one whose instance id matches, or
 *              each in turn
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>

#include <cbor.h>

#include "lib/cca_build.h"
#include "lib/diag.h"
#include "../src/attest/cose.h"
#include "../src/attest/token.h"

static struct cca_keys keys;
static struct token_anchors anchors;
static uint8_t challenge[TOKEN_CHALLENGE_LEN];

static int
group_setup(void **state)
{
	(void)state;
	memset(challenge, 0xab, sizeof(challenge));
	if (cca_keys_init(&keys) || token_anchors_add(&anchors, keys.iak, NULL))
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	token_anchors_free(&anchors);
	cca_keys_free(&keys);
	return 0;
}

/* @n bytes of @b in hex (one of 16 rotating buffers). */
static const char *
rep(unsigned int b, size_t n)
{
	static char bufs[16][2 * 512 + 1];
	static unsigned int next;
	char *s = bufs[next++ % 16];
	size_t i;

	for (i = 0; i < n && i < 512; i++)
		snprintf(s + 2 * i, 3, "%02x", b & 0xff);
	s[2 * i] = '\0';
	return s;
}

static cbor_item_t * __attribute__((format(printf, 1, 2)))
parse(const char *fmt, ...)
{
	static char text[32768];
	char err[128];
	cbor_item_t *it;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	it = diag_parse(text, err, sizeof(err));
	if (!it)
		fail_msg("diag: %s in %s", err, text);
	return it;
}

static cbor_item_t *
platform_claims(const char *profile)
{
	return parse("{265: \"%s\", 10: h'%s', 2396: h'%s', 256: h'01%s', "
		     "2401: h'cafe', 2395: 12288, "
		     "2399: [{1: \"BL\", 2: h'%s', 4: \"1.0\", 5: h'%s', 6: \"sha-256\"}], "
		     "2400: \"https://verifier.example\", 2402: \"sha-256\"}",
		     profile, rep(1, 32), rep(2, 32), rep(3, 32), rep(4, 32),
		     rep(5, 32));
}

/* A realm claim set; the builder puts its RAK in the place holder. */
static cbor_item_t *
realm_claims(bool profile, const char *hash, size_t mlen)
{
	char rak[512];

	if (profile)
		snprintf(rak, sizeof(rak),
			 "<< {1: 2, -1: 2, -2: h'%s', -3: h'%s'} >>", rep(0, 48),
			 rep(0, 48));
	else
		snprintf(rak, sizeof(rak), "h'04%s'", rep(0, 96));
	return parse("{%s 10: h'%s', 44235: h'%s', 44238: h'%s', "
		     "44239: [h'%s', h'%s', h'%s', h'%s'], 44236: \"%s\", "
		     "44237: %s, 44240: \"sha-256\"}",
		     profile ? "265: \"" CCA_PROFILE_REALM "\"," : "",
		     rep(0xab, 64), rep(0xcd, 64), rep(0x11, mlen),
		     rep(0x21, mlen), rep(0x22, mlen), rep(0x23, mlen),
		     rep(0x24, mlen), hash, rak);
}

/* Build (with the builder's substitutions) and verify. */
static int
check(const cbor_item_t *plat, const cbor_item_t *realm, unsigned int tag,
      struct token_claims *c, char *why, size_t wl)
{
	struct token_expect x = { .challenge = challenge };
	struct token_claims tmp;
	uint8_t *tok;
	size_t len;
	int rc;

	assert_int_equal(cca_build(&keys, plat, realm, tag, &tok, &len), 0);
	why[0] = '\0';
	rc = token_verify_with(tok, len, &anchors, &x, c ? c : &tmp, why, wl);
	if (!rc && !c)
		token_claims_free(&tmp);
	free(tok);
	return rc;
}

/* @plat and @realm (consumed) are refused for @reason. */
static void
refused(cbor_item_t *plat, cbor_item_t *realm, const char *reason)
{
	char why[256];
	int rc = check(plat, realm, CCA_TOKEN_TAG, NULL, why, sizeof(why));

	if (rc != -EBADMSG || !strstr(why, reason))
		fail_msg("got %d \"%s\", expected a refusal for \"%s\"", rc, why,
			 reason);
	cbor_decref(&plat);
	cbor_decref(&realm);
}

/* ---- the shapes real RMMs emit -------------------------------------------------- */

static void
test_shapes_accepted(void **state)
{
	static const char *const profiles[] = { CCA_PROFILE_PLATFORM_LEGACY,
						CCA_PROFILE_PLATFORM };
	static const unsigned int tags[] = { CCA_TOKEN_TAG, CCA_TOKEN_TAG_CMW };
	struct token_claims c;
	cbor_item_t *p, *r;
	char why[256];
	int pi, rp, t;

	(void)state;
	for (pi = 0; pi < 2; pi++)
		for (rp = 0; rp < 2; rp++)
			for (t = 0; t < 2; t++) {
				p = platform_claims(profiles[pi]);
				r = realm_claims(rp, "sha-256", 32);
				if (check(p, r, tags[t], &c, why, sizeof(why)))
					fail_msg("%s, realm profile %s, tag %u: %s",
						 profiles[pi], rp ? "yes" : "no",
						 tags[t], why);
				assert_int_equal(c.platform_profile,
						 pi ? TOKEN_PLATFORM_2023 :
						      TOKEN_PLATFORM_LEGACY);
				assert_int_equal(c.realm_profile, rp);
				assert_int_equal(c.meas_len, 32);
				assert_int_equal(c.rim[0], 0x11);
				assert_int_equal(c.rem[3][31], 0x24);
				assert_int_equal(c.rpv[63], 0xcd);
				assert_int_equal(c.lifecycle, 0x3000);
				token_claims_free(&c);
				cbor_decref(&p);
				cbor_decref(&r);
			}
}

static void
test_sha512_realm(void **state)
{
	struct token_claims c;
	cbor_item_t *p = platform_claims(CCA_PROFILE_PLATFORM);
	cbor_item_t *r = realm_claims(true, "sha-512", 64);
	char why[256];

	(void)state;
	assert_int_equal(check(p, r, CCA_TOKEN_TAG, &c, why, sizeof(why)), 0);
	assert_int_equal(c.hash_algo, TOKEN_HASH_SHA512);
	assert_int_equal(c.meas_len, 64);
	assert_int_equal(c.rim[63], 0x11);
	assert_int_equal(c.rem[0][63], 0x21);
	token_claims_free(&c);
	cbor_decref(&r);
	/* 48-byte measurements are no RMM's. */
	refused(cbor_incref(p), realm_claims(true, "sha-512", 48),
		"claim 44238 (cca-realm-initial-measurement) has 48 bytes, not 32 or 64");
	/* REMs of another length than the RIM's. */
	r = realm_claims(true, "sha-512", 64);
	r = cca_map_with(r, CCA_REALM_REM,
			 parse("[h'%s', h'%s', h'%s', h'%s']", rep(1, 64),
			       rep(1, 32), rep(1, 64), rep(1, 64)));
	refused(p, r, "entry 1 is not a byte string of the RIM's 64 bytes");
}

/* ---- everything else fails closed ---------------------------------------------- */

static void
test_unknown_algorithms_refused(void **state)
{
	struct token_expect x = { .challenge = challenge };
	uint8_t *pc, *rc_, *ps, *rs, *tok, *cose;
	static const uint8_t es256[] = { 0xa1, 0x01, 0x26 };	/* {1: -7} */
	struct token_claims c;
	cbor_item_t *p, *r, *arr;
	size_t pl, rl, psl, rsl, len, n;
	char why[256];

	(void)state;
	refused(platform_claims(CCA_PROFILE_PLATFORM),
		realm_claims(true, "sha-384", 32),
		"claim 44236 (cca-realm-hash-algo-id) \"sha-384\" is not a hash algorithm this verifier accepts (sha-256, sha-512)");
	r = realm_claims(true, "sha-256", 32);
	refused(platform_claims(CCA_PROFILE_PLATFORM),
		cca_map_with(r, CCA_REALM_PUB_KEY_HASH_ALGO, parse("\"md5\"")),
		"claim 44240 (cca-realm-public-key-hash-algo-id) \"md5\" is not a hash algorithm");
	p = platform_claims(CCA_PROFILE_PLATFORM);
	refused(cca_map_with(p, CCA_PLAT_HASH_ALGO, parse("\"sha-1\"")),
		realm_claims(true, "sha-256", 32),
		"claim 2402 (cca-platform-hash-algo-id) \"sha-1\" is not a hash algorithm");
	/* A COSE_Key of another curve. */
	assert_int_equal(cose_key_encode(keys.rak, &cose, &n), 0);
	cose[4] = 0x01;		/* -1: 2 (P-384) -> 1 (P-256) */
	r = realm_claims(true, "sha-256", 32);
	r = cca_map_with(r, CCA_REALM_PUB_KEY, cbor_build_bytestring(cose, n));
	free(cose);
	p = platform_claims(CCA_PROFILE_PLATFORM);
	assert_int_equal(cca_build_exact(&keys, p, r, CCA_TOKEN_TAG, &tok, &len), 0);
	assert_int_equal(token_verify_with(tok, len, &anchors, &x, &c, why,
					   sizeof(why)), -EBADMSG);
	assert_non_null(strstr(why, "crv (-1) is not P-384"));
	free(tok);
	cbor_decref(&r);
	/* A realm token signed ES256 (protected header {1: -7}). */
	r = realm_claims(false, "sha-256", 32);
	assert_int_equal(cca_encode(p, &pc, &pl), 0);
	assert_int_equal(cca_encode(r, &rc_, &rl), 0);
	assert_int_equal(cca_sign1(keys.iak, pc, pl, &ps, &psl), 0);
	assert_int_equal(cca_sign1(keys.rak, rc_, rl, &rs, &rsl), 0);
	arr = cose_cbor_load(rs + 1, rsl - 1);
	assert_non_null(arr);
	cbor_decref(&cbor_array_handle(arr)[0]);
	cbor_array_handle(arr)[0] = cbor_build_bytestring(es256, sizeof(es256));
	free(rs);
	assert_int_equal(cca_encode(arr, &rs, &rsl), 0);
	cbor_decref(&arr);
	/* The array was decoded without its tag: put tag 18 back. */
	rs = realloc(rs, rsl + 1);
	memmove(rs + 1, rs, rsl++);
	rs[0] = 0xd2;
	assert_int_equal(cca_collection(CCA_TOKEN_TAG, ps, psl, rs, rsl, &tok,
					&len), 0);
	assert_int_equal(token_verify_with(tok, len, &anchors, &x, &c, why,
					   sizeof(why)), -EBADMSG);
	assert_non_null(strstr(why, "realm token: algorithm -7 is not ES384 (-35)"));
	free(tok);
	free(pc);
	free(rc_);
	free(ps);
	free(rs);
	cbor_decref(&p);
	cbor_decref(&r);
}

static void
test_trailing_bytes_refused(void **state)
{
	struct token_expect x = { .challenge = challenge };
	cbor_item_t *p = platform_claims(CCA_PROFILE_PLATFORM);
	cbor_item_t *r = realm_claims(true, "sha-256", 32);
	struct token_claims c;
	uint8_t *tok;
	size_t len;
	char why[256];

	(void)state;
	assert_int_equal(cca_build(&keys, p, r, CCA_TOKEN_TAG, &tok, &len), 0);
	tok = realloc(tok, len + 1);
	tok[len] = 0x00;
	assert_int_equal(token_verify_with(tok, len + 1, &anchors, &x, &c, why,
					   sizeof(why)), -EBADMSG);
	assert_string_equal(why, "token: trailing bytes after the CBOR item");
	assert_int_equal(token_verify_with(tok, len, &anchors, &x, &c, why,
					   sizeof(why)), 0);
	token_claims_free(&c);
	free(tok);
	cbor_decref(&p);
	cbor_decref(&r);
}

/* A map with @key twice: built by hand, as an encoder never would. */
static cbor_item_t *
with_twice(cbor_item_t *m, int64_t key, cbor_item_t *v)
{
	cbor_item_t *out = cbor_new_definite_map(cbor_map_size(m) + 1);
	cbor_item_t *k = diag_int(key);
	size_t i;

	for (i = 0; i < cbor_map_size(m); i++)
		(void)cbor_map_add(out, cbor_map_handle(m)[i]);
	(void)cbor_map_add(out, (struct cbor_pair){ k, v });
	cbor_decref(&k);
	cbor_decref(&v);
	cbor_decref(&m);
	return out;
}

static void
test_duplicate_keys_refused(void **state)
{
	cbor_item_t *p;

	(void)state;
	p = with_twice(platform_claims(CCA_PROFILE_PLATFORM), CCA_PLAT_IMPL_ID,
		       parse("h'%s'", rep(9, 32)));
	refused(p, realm_claims(true, "sha-256", 32),
		"platform token claims: key 2396 appears twice");
	refused(platform_claims(CCA_PROFILE_PLATFORM),
		with_twice(realm_claims(true, "sha-256", 32), CCA_REALM_RIM,
			   parse("h'%s'", rep(9, 32))),
		"realm token claims: key 44238 appears twice");
	p = platform_claims(CCA_PROFILE_PLATFORM);
	p = cca_map_with(p, CCA_PLAT_SW_COMPONENTS,
			 parse("[{2: h'%s', 5: h'%s', 2: h'%s'}]", rep(1, 32),
			       rep(2, 32), rep(3, 32)));
	refused(p, realm_claims(true, "sha-256", 32),
		"software component 0: key 2 appears twice");
}

static void
test_non_integer_keys_refused(void **state)
{
	cbor_item_t *r = realm_claims(true, "sha-256", 32);
	cbor_item_t *out = cbor_new_definite_map(cbor_map_size(r) + 1);
	cbor_item_t *k = cbor_build_string("cca-realm-challenge");
	cbor_item_t *v = parse("h'%s'", rep(0xab, 64));
	size_t i;

	(void)state;
	for (i = 0; i < cbor_map_size(r); i++)
		(void)cbor_map_add(out, cbor_map_handle(r)[i]);
	(void)cbor_map_add(out, (struct cbor_pair){ k, v });
	cbor_decref(&k);
	cbor_decref(&v);
	cbor_decref(&r);
	refused(platform_claims(CCA_PROFILE_PLATFORM), out,
		"realm token claims: a key that is a text string, not an integer");
}

/* A token of exactly TOKEN_MAX bytes verifies; one more byte is refused
 * before anything is decoded. */
static void
test_oversize_token_refused(void **state)
{
	struct token_expect x = { .challenge = challenge };
	struct token_claims c;
	cbor_item_t *p, *r = realm_claims(true, "sha-256", 32);
	uint8_t *tok, *pad;
	size_t len, cfg = 1000;
	char why[256];
	int i;

	(void)state;
	/* Grow the config claim until the token is TOKEN_MAX exactly. */
	for (i = 0; i < 8; i++) {
		pad = calloc(1, cfg);
		p = cca_map_with(platform_claims(CCA_PROFILE_PLATFORM),
				 CCA_PLAT_CONFIG, cbor_build_bytestring(pad, cfg));
		free(pad);
		assert_int_equal(cca_build(&keys, p, r, CCA_TOKEN_TAG, &tok,
					   &len), 0);
		cbor_decref(&p);
		if (len == TOKEN_MAX)
			break;
		free(tok);
		cfg += TOKEN_MAX - len;
	}
	assert_int_equal(len, TOKEN_MAX);
	assert_int_equal(token_verify_with(tok, len, &anchors, &x, &c, why,
					   sizeof(why)), 0);
	token_claims_free(&c);
	free(tok);
	tok = calloc(1, TOKEN_MAX + 1);
	assert_int_equal(token_verify_with(tok, TOKEN_MAX + 1, &anchors, &x, &c,
					   why, sizeof(why)), -EMSGSIZE);
	assert_non_null(strstr(why, "more than the 8192 a verifier accepts"));
	free(tok);
	cbor_decref(&r);
}

static void
test_realm_key_shapes_refused(void **state)
{
	struct token_expect x = { .challenge = challenge };
	uint8_t pt[COSE_P384_POINT], *tok, *cose;
	struct token_claims c;
	cbor_item_t *p = platform_claims(CCA_PROFILE_PLATFORM), *r;
	size_t len, n;
	char why[256];

	(void)state;
	/* The profile wants a COSE_Key; a raw point is refused. */
	assert_int_equal(cose_p384_point(keys.rak, pt), 0);
	r = cca_map_with(realm_claims(true, "sha-256", 32), CCA_REALM_PUB_KEY,
			 cbor_build_bytestring(pt, sizeof(pt)));
	refused(cbor_incref(p), r, "is not a P-384 COSE_Key, as profile " CCA_PROFILE_REALM);
	/* No profile wants a raw point; a COSE_Key is refused. */
	assert_int_equal(cose_key_encode(keys.rak, &cose, &n), 0);
	r = cca_map_with(realm_claims(false, "sha-256", 32), CCA_REALM_PUB_KEY,
			 cbor_build_bytestring(cose, n));
	free(cose);
	refused(cbor_incref(p), r, "with no profile claim it is a raw P-384 point");
	/* A point off the curve. */
	pt[96] ^= 1;
	r = cca_map_with(realm_claims(false, "sha-256", 32), CCA_REALM_PUB_KEY,
			 cbor_build_bytestring(pt, sizeof(pt)));
	assert_int_equal(cca_build_exact(&keys, p, r, CCA_TOKEN_TAG, &tok, &len), 0);
	assert_int_equal(token_verify_with(tok, len, &anchors, &x, &c, why,
					   sizeof(why)), -EBADMSG);
	assert_non_null(strstr(why, "is not a point on the P-384 curve"));
	free(tok);
	cbor_decref(&r);
	cbor_decref(&p);
}

static void
test_binding_and_rak_signature_refused(void **state)
{
	struct token_expect x = { .challenge = challenge };
	struct cca_keys other;
	struct token_claims c;
	cbor_item_t *p = platform_claims(CCA_PROFILE_PLATFORM), *r;
	uint8_t pt[COSE_P384_POINT], *tok;
	size_t len;
	char why[256];

	(void)state;
	/* The right RAK, but the platform challenge is not its hash. */
	assert_int_equal(cose_p384_point(keys.rak, pt), 0);
	r = cca_map_with(realm_claims(false, "sha-256", 32), CCA_REALM_PUB_KEY,
			 cbor_build_bytestring(pt, sizeof(pt)));
	assert_int_equal(cca_build_exact(&keys, p, r, CCA_TOKEN_TAG, &tok, &len), 0);
	assert_int_equal(token_verify_with(tok, len, &anchors, &x, &c, why,
					   sizeof(why)), -EBADMSG);
	assert_non_null(strstr(why, "key binding: the platform challenge (claim 10) is not the sha-256 hash"));
	free(tok);
	/* Claim 44237 names one key, another signed the realm token. */
	assert_int_equal(cca_keys_init(&other), 0);
	EVP_PKEY_free(other.iak);
	other.iak = keys.iak;
	EVP_PKEY_up_ref(keys.iak);
	assert_int_equal(cose_p384_point(other.rak, pt), 0);
	cbor_decref(&r);
	r = cca_map_with(realm_claims(false, "sha-256", 32), CCA_REALM_PUB_KEY,
			 cbor_build_bytestring(pt, sizeof(pt)));
	/* keys.rak signs, but the claim (and the binding) are other.rak's. */
	{
		struct cca_keys mixed = { keys.iak, keys.rak };
		cbor_item_t *bound;
		uint8_t h[32];
		unsigned int hl = 0;

		EVP_Digest(pt, sizeof(pt), h, &hl, EVP_sha256(), NULL);
		bound = cca_map_with(cbor_incref(p), CCA_CHALLENGE,
				     cbor_build_bytestring(h, hl));
		assert_int_equal(cca_build_exact(&mixed, bound, r, CCA_TOKEN_TAG,
						 &tok, &len), 0);
		cbor_decref(&bound);
	}
	assert_int_equal(token_verify_with(tok, len, &anchors, &x, &c, why,
					   sizeof(why)), -EBADMSG);
	assert_string_equal(why, "realm token: the signature does not verify with the RAK it carries (claim 44237)");
	free(tok);
	cca_keys_free(&other);
	cbor_decref(&r);
	cbor_decref(&p);
}

static void
test_collection_shapes_refused(void **state)
{
	struct token_expect x = { .challenge = challenge };
	cbor_item_t *p = platform_claims(CCA_PROFILE_PLATFORM);
	cbor_item_t *r = realm_claims(true, "sha-256", 32), *top, *m, *e;
	struct token_claims c;
	uint8_t *tok, *t2;
	size_t len, l2;
	char why[256];

	(void)state;
	assert_int_equal(cca_build(&keys, p, r, CCA_TOKEN_TAG_CMW, &tok, &len), 0);
	top = cose_cbor_load(tok, len);
	m = cbor_tag_item(top);
	/* A CMW entry of another content-format (60, application/cbor). */
	e = cca_map_get(m, CCA_PLATFORM_TOKEN);
	cbor_decref(&cbor_array_handle(e)[0]);
	cbor_array_handle(e)[0] = diag_int(60);
	assert_int_equal(cca_encode(top, &t2, &l2), 0);
	assert_int_equal(token_verify_with(t2, l2, &anchors, &x, &c, why,
					   sizeof(why)), -EBADMSG);
	assert_non_null(strstr(why, "entry 44234: content-format is not 263"));
	free(t2);
	/* A third member of the collection. */
	cbor_decref(&m);
	cbor_decref(&top);
	top = cose_cbor_load(tok, len);
	m = cbor_tag_item(top);
	m = cca_map_with(m, 44242, parse("h'00'"));
	cbor_decref(&top);
	top = cbor_build_tag(CCA_TOKEN_TAG_CMW, m);
	assert_int_equal(cca_encode(top, &t2, &l2), 0);
	assert_int_equal(token_verify_with(t2, l2, &anchors, &x, &c, why,
					   sizeof(why)), -EBADMSG);
	assert_non_null(strstr(why, "key 44242 is neither 44234 (platform) nor 44241 (realm)"));
	free(t2);
	cbor_decref(&top);
	/* Another tag (400) around the same collection. */
	tok[1] = 0x01;
	tok[2] = 0x90;
	assert_int_equal(token_verify_with(tok, len, &anchors, &x, &c, why,
					   sizeof(why)), -EBADMSG);
	assert_non_null(strstr(why, "tag 400, not 399 or 907"));
	free(tok);
	cbor_decref(&m);
	cbor_decref(&p);
	cbor_decref(&r);
}

/* The firmware's claims: a realm id that is a number, a membership of at
 * most an APT's entries. */
static void
test_firmware_claims_bounded(void **state)
{
	static char text[16384];
	struct token_claims c;
	cbor_item_t *p = platform_claims(CCA_PROFILE_PLATFORM), *r;
	char why[256];
	size_t off, i, n;

	(void)state;
	for (n = TOKEN_MEMBERSHIP_MAX; n <= TOKEN_MEMBERSHIP_MAX + 1; n++) {
		off = (size_t)snprintf(text, sizeof(text), "[");
		for (i = 0; i < n; i++)
			off += (size_t)snprintf(text + off, sizeof(text) - off,
				"%s{1: 1, 3: 4096, 5: %zu, 6: %llu, 7: 2, 8: 3}",
				i ? ", " : "", 1000 + i,
				0x100000001ull + (unsigned long long)i);
		snprintf(text + off, sizeof(text) - off, "]");
		r = cca_map_with(realm_claims(true, "sha-256", 32), -70001,
				 parse("123456789"));
		r = cca_map_with(r, -70002, parse("%s", text));
		if (n == TOKEN_MEMBERSHIP_MAX) {
			if (check(p, r, CCA_TOKEN_TAG, &c, why, sizeof(why)))
				fail_msg("%zu entries: %s", n, why);
			assert_true(c.has_realm_id);
			assert_int_equal(c.realm_id, 123456789);
			assert_non_null(c.membership);
			token_claims_free(&c);
			cbor_decref(&r);
		} else {
			refused(cbor_incref(p), r,
				"claim -70002 (caec-csm-membership) has 85 entries; an APT holds 84 at most");
		}
	}
	refused(cbor_incref(p),
		cca_map_with(realm_claims(true, "sha-256", 32), -70001,
			     parse("\"one\"")),
		"claim -70001 (caec-realm-id) is not a non-zero unsigned integer");
	refused(cbor_incref(p),
		cca_map_with(realm_claims(true, "sha-256", 32), -70002,
			     parse("[{1: 0, 2: 1, 3: 4096, 4: [[1, 2, 3]]}]")),
		"consumer 0 is not [id, handle, perm, state]");
	cbor_decref(&p);
}

/* ---- what the caller expects ------------------------------------------------------ */

static void
test_expectations(void **state)
{
	uint8_t rim[32], rpv[64], rem[32], other[64], *tok;
	struct token_expect x = { .challenge = challenge };
	cbor_item_t *p = platform_claims(CCA_PROFILE_PLATFORM);
	cbor_item_t *r = realm_claims(true, "sha-256", 32);
	struct token_claims c;
	char why[256];
	size_t len;

	(void)state;
	memset(rim, 0x11, sizeof(rim));
	memset(rpv, 0xcd, sizeof(rpv));
	memset(rem, 0x23, sizeof(rem));
	assert_int_equal(cca_build(&keys, p, r, CCA_TOKEN_TAG, &tok, &len), 0);
	x.rim = rim;
	x.rim_len = sizeof(rim);
	x.rpv = rpv;
	x.rem[2] = rem;
	x.rem_len[2] = sizeof(rem);
	assert_int_equal(token_verify_with(tok, len, &anchors, &x, &c, why,
					   sizeof(why)), 0);
	token_claims_free(&c);
	rim[5] ^= 1;
	assert_int_equal(token_verify_with(tok, len, &anchors, &x, &c, why,
					   sizeof(why)), -EACCES);
	assert_non_null(strstr(why, "RIM"));
	rim[5] ^= 1;
	x.rim_len = 64;		/* a SHA-512 RIM expected */
	assert_int_equal(token_verify_with(tok, len, &anchors, &x, &c, why,
					   sizeof(why)), -EACCES);
	x.rim_len = 32;
	rpv[0] ^= 1;
	assert_int_equal(token_verify_with(tok, len, &anchors, &x, &c, why,
					   sizeof(why)), -EACCES);
	assert_non_null(strstr(why, "RPV"));
	rpv[0] ^= 1;
	rem[31] ^= 1;
	assert_int_equal(token_verify_with(tok, len, &anchors, &x, &c, why,
					   sizeof(why)), -EACCES);
	assert_non_null(strstr(why, "REM[2]"));
	rem[31] ^= 1;
	memset(other, 0xab, sizeof(other));
	other[63] = 0;
	x.challenge = other;
	assert_int_equal(token_verify_with(tok, len, &anchors, &x, &c, why,
					   sizeof(why)), -EACCES);
	assert_non_null(strstr(why, "challenge"));
	free(tok);
	cbor_decref(&p);
	cbor_decref(&r);
}

/* Three anchors: the token's instance id selects its key; without a match
 * each is tried. */
static void
test_anchor_set(void **state)
{
	struct token_expect x = { .challenge = challenge };
	struct token_anchors set = { 0 };
	struct cca_keys a, b;
	struct token_claims c;
	cbor_item_t *p, *r = realm_claims(true, "sha-256", 32);
	uint8_t inst[TOKEN_INSTANCE_ID_LEN], *tok;
	char why[256];
	size_t len;

	(void)state;
	assert_int_equal(cca_keys_init(&a), 0);
	assert_int_equal(cca_keys_init(&b), 0);
	assert_int_equal(token_anchors_add(&set, a.iak, NULL), 0);
	assert_int_equal(token_anchors_add(&set, b.iak, NULL), 0);
	assert_int_equal(token_anchors_add(&set, keys.iak, NULL), 0);
	/* Instance id 0x01 || SHA-256(point): matches the third. */
	assert_int_equal(token_instance_id(keys.iak, inst), 0);
	p = cca_map_with(platform_claims(CCA_PROFILE_PLATFORM),
			 CCA_PLAT_INSTANCE_ID, cbor_build_bytestring(inst, sizeof(inst)));
	assert_int_equal(cca_build(&keys, p, r, CCA_TOKEN_TAG, &tok, &len), 0);
	assert_int_equal(token_verify_with(tok, len, &set, &x, &c, why,
					   sizeof(why)), 0);
	assert_int_equal(c.anchor, 2);
	token_claims_free(&c);
	free(tok);
	cbor_decref(&p);
	/* An instance id that matches none: tried in turn, still found. */
	p = platform_claims(CCA_PROFILE_PLATFORM);
	assert_int_equal(cca_build(&keys, p, r, CCA_TOKEN_TAG, &tok, &len), 0);
	assert_int_equal(token_verify_with(tok, len, &set, &x, &c, why,
					   sizeof(why)), 0);
	assert_int_equal(c.anchor, 2);
	token_claims_free(&c);
	free(tok);
	/* An instance id naming another anchor: only that one is tried. */
	assert_int_equal(token_instance_id(a.iak, inst), 0);
	p = cca_map_with(p, CCA_PLAT_INSTANCE_ID,
			 cbor_build_bytestring(inst, sizeof(inst)));
	assert_int_equal(cca_build(&keys, p, r, CCA_TOKEN_TAG, &tok, &len), 0);
	assert_int_equal(token_verify_with(tok, len, &set, &x, &c, why,
					   sizeof(why)), -EBADMSG);
	assert_non_null(strstr(why, "none of the 1 trust anchors of its instance id"));
	free(tok);
	cbor_decref(&p);
	cbor_decref(&r);
	token_anchors_free(&set);
	cca_keys_free(&a);
	cca_keys_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shapes_accepted),
		cmocka_unit_test(test_sha512_realm),
		cmocka_unit_test(test_unknown_algorithms_refused),
		cmocka_unit_test(test_trailing_bytes_refused),
		cmocka_unit_test(test_duplicate_keys_refused),
		cmocka_unit_test(test_non_integer_keys_refused),
		cmocka_unit_test(test_oversize_token_refused),
		cmocka_unit_test(test_realm_key_shapes_refused),
		cmocka_unit_test(test_binding_and_rak_signature_refused),
		cmocka_unit_test(test_collection_shapes_refused),
		cmocka_unit_test(test_firmware_claims_bounded),
		cmocka_unit_test(test_expectations),
		cmocka_unit_test(test_anchor_set),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

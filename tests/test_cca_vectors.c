/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The token verifier against tokens and claim sets it did not make: the
 * CCA test vectors ($CAEC_CCA_VECTORS, default ../shared/cca-vectors beside
 * the source tree; the whole executable skips, exit 77, without them).
 *
 *   tfrmm     a token TF-RMM produced on Arm's FVP (tag 399, platform
 *             profile CCA-SSD, the RAK a raw point) verifies with its
 *             platform key and challenge; a wrong challenge, any flipped
 *             bit, a truncation and another platform key are refused; its
 *             two COSE_Sign1 in a tag 907 CMW collection verify too; a
 *             directory of anchors finds its key
 *   veraison  veraison's claim sets (JSON and CBOR diagnostic notation),
 *             signed into tokens here (tests/lib/cca_build.h): the valid
 *             ones verify, in both collections; each invalid one is
 *             refused, and the verifier's reason names what the file's
 *             name says is wrong
 *   cli       caec-attest verifies the TF-RMM token and prints its claims
 *             under evcli's names
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cbor.h>

#include "lib/cca_build.h"
#include "lib/diag.h"
#include "lib/scale.h"
#include "../src/attest/cose.h"
#include "../src/attest/token.h"

static char dir[2048];
static uint8_t *tfrmm;
static size_t tfrmm_len;
static uint8_t tfrmm_challenge[TOKEN_CHALLENGE_LEN];
static struct token_anchors tfrmm_anchor;

/* @rel under the vectors' directory (one of 4 rotating buffers). */
static char *
path_of(const char *rel)
{
	static char p[4][4096];
	static unsigned int next;
	char *s = p[next++ % 4];

	snprintf(s, sizeof(p[0]), "%s/%s", dir, rel);
	return s;
}

static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int
hex(const char *s, uint8_t *out, size_t n)
{
	unsigned int v;
	size_t i;

	for (i = 0; i < n; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

static int
group_setup(void **state)
{
	char why[200], *ch;
	size_t n;

	(void)state;
	tfrmm = slurp(path_of("tf-rmm/cca_token.cbor"), &tfrmm_len);
	ch = (char *)slurp(path_of("tf-rmm/cca_token.challenge.hex"), &n);
	if (!tfrmm || !ch || n < 2 * TOKEN_CHALLENGE_LEN ||
	    hex(ch, tfrmm_challenge, TOKEN_CHALLENGE_LEN) ||
	    token_anchors_load(&tfrmm_anchor, path_of("tf-rmm/cca_platform.pub"),
			       why, sizeof(why))) {
		free(ch);
		return -1;
	}
	free(ch);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	free(tfrmm);
	token_anchors_free(&tfrmm_anchor);
	return 0;
}

static int
verify(const uint8_t *tok, size_t len, const struct token_anchors *a,
       const uint8_t *challenge, struct token_claims *c, char *why,
       size_t wl)
{
	struct token_expect x = { .challenge = challenge };

	why[0] = '\0';
	return token_verify_with(tok, len, a, &x, c, why, wl);
}

/* ---- TF-RMM ------------------------------------------------------------------ */

static void
test_tfrmm_token_verifies(void **state)
{
	static const uint8_t zero[TOKEN_HASH_MAX];
	struct token_claims c;
	char why[256];

	(void)state;
	assert_int_equal(verify(tfrmm, tfrmm_len, &tfrmm_anchor,
				tfrmm_challenge, &c, why, sizeof(why)), 0);
	/* What that token says (its decoded claims). */
	assert_false(c.realm_profile);
	assert_int_equal(c.platform_profile, TOKEN_PLATFORM_LEGACY);
	assert_int_equal(c.lifecycle, 0x3003);
	assert_string_equal(token_lifecycle_name(c.lifecycle), "secured");
	assert_int_equal(c.hash_algo, TOKEN_HASH_SHA256);
	assert_int_equal(c.meas_len, 32);
	assert_memory_equal(c.rim, zero, 32);
	assert_memory_equal(c.challenge, tfrmm_challenge, TOKEN_CHALLENGE_LEN);
	assert_memory_equal(c.rpv, "The quick brown fox jumps over 13 lazy dogs.", 44);
	assert_int_equal(c.instance_id[0], 0x01);
	assert_false(c.has_realm_id);
	assert_null(c.membership);
	token_claims_free(&c);
}

static void
test_tfrmm_wrong_challenge(void **state)
{
	uint8_t other[TOKEN_CHALLENGE_LEN];
	struct token_claims c;
	char why[256];
	size_t i;

	(void)state;
	for (i = 0; i < TOKEN_CHALLENGE_LEN; i += 21) {
		memcpy(other, tfrmm_challenge, sizeof(other));
		other[i] ^= 0x01;
		assert_int_equal(verify(tfrmm, tfrmm_len, &tfrmm_anchor, other,
					&c, why, sizeof(why)), -EACCES);
		assert_non_null(strstr(why, "challenge"));
	}
}

/* Every single-bit flip anywhere is refused (sanitizer builds: every few). */
static void
test_tfrmm_every_bit_flip(void **state)
{
	uint8_t *tok = malloc(tfrmm_len);
	size_t bit, step, tried = 0;
	struct token_claims c;
	char why[256];
	int rc;

	(void)state;
	assert_non_null(tok);
	memcpy(tok, tfrmm, tfrmm_len);
	step = (size_t)(1000 / test_scaled(1000, 1));
	for (bit = 0; bit < tfrmm_len * 8; bit += step) {
		tok[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		rc = verify(tok, tfrmm_len, &tfrmm_anchor, tfrmm_challenge, &c,
			    why, sizeof(why));
		tok[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (rc == 0)
			fail_msg("a flip of bit %zu (byte %zu) still verifies",
				 bit, bit / 8);
		assert_true(rc == -EBADMSG || rc == -EACCES);
		assert_true(why[0] != '\0');
		tried++;
	}
	/* Truncated anywhere. */
	for (bit = 0; bit < tfrmm_len; bit++)
		assert_int_equal(verify(tok, bit, &tfrmm_anchor,
					tfrmm_challenge, &c, why, sizeof(why)),
				 -EBADMSG);
	print_message("  %zu single-bit flips and %zu truncations of TF-RMM's token: all refused\n",
		      tried, tfrmm_len);
	free(tok);
}

static void
test_tfrmm_other_anchor(void **state)
{
	struct token_anchors a = { 0 };
	struct cca_keys k;
	struct token_claims c;
	char why[256];

	(void)state;
	assert_int_equal(cca_keys_init(&k), 0);
	assert_int_equal(token_anchors_add(&a, k.iak, NULL), 0);
	assert_int_equal(verify(tfrmm, tfrmm_len, &a, tfrmm_challenge, &c, why,
				sizeof(why)), -EBADMSG);
	assert_non_null(strstr(why, "platform token: the signature does not verify"));
	token_anchors_free(&a);
	cca_keys_free(&k);
}

/* The two COSE_Sign1 of TF-RMM's token, rewrapped as a CMW collection. */
static void
test_tfrmm_cmw_collection(void **state)
{
	struct token_view v;
	struct token_claims c;
	const cbor_item_t *m;
	cbor_item_t *top, *coll;
	uint8_t *tok;
	size_t len;
	char why[256];

	(void)state;
	top = cose_cbor_load(tfrmm, tfrmm_len);
	assert_non_null(top);
	coll = cbor_tag_item(top);
	m = coll;
	assert_int_equal(cca_collection(CCA_TOKEN_TAG_CMW,
		cbor_bytestring_handle(cca_map_get(m, CCA_PLATFORM_TOKEN)),
		cbor_bytestring_length(cca_map_get(m, CCA_PLATFORM_TOKEN)),
		cbor_bytestring_handle(cca_map_get(m, CCA_REALM_TOKEN)),
		cbor_bytestring_length(cca_map_get(m, CCA_REALM_TOKEN)),
		&tok, &len), 0);
	cbor_decref(&coll);
	cbor_decref(&top);
	assert_int_equal(tok[0], 0xd9);		/* tag 907 */
	assert_int_equal(tok[1], 0x03);
	assert_int_equal(tok[2], 0x8b);
	assert_int_equal(verify(tok, len, &tfrmm_anchor, tfrmm_challenge, &c,
				why, sizeof(why)), 0);
	token_claims_free(&c);
	assert_int_equal(token_open(tok, len, &v, why, sizeof(why)), 0);
	assert_int_equal(v.tag, CCA_TOKEN_TAG_CMW);
	token_view_free(&v);
	free(tok);
}

/* A directory of anchors: found by trying each, or by its file name. */
static void
test_tfrmm_anchor_directory(void **state)
{
	char d[64], p[160], why[256], cmd[4400];
	struct token_anchors a = { 0 };
	struct token_claims c;
	struct cca_keys k1, k2;
	struct token_view v;
	const uint8_t *inst;
	size_t i;

	(void)state;
	snprintf(d, sizeof(d), "/tmp/caec-anchors-%d", (int)getpid());
	assert_int_equal(mkdir(d, 0700), 0);
	assert_int_equal(cca_keys_init(&k1), 0);
	assert_int_equal(cca_keys_init(&k2), 0);
	snprintf(p, sizeof(p), "%s/a.pem", d);
	assert_int_equal(cca_write_pubkey(k1.iak, p), 0);
	snprintf(p, sizeof(p), "%s/z.pem", d);
	assert_int_equal(cca_write_pubkey(k2.iak, p), 0);
	/* Only others' keys: refused, having tried both. */
	assert_int_equal(token_anchors_load(&a, d, why, sizeof(why)), 0);
	assert_int_equal(a.n, 2);
	assert_int_equal(verify(tfrmm, tfrmm_len, &a, tfrmm_challenge, &c, why,
				sizeof(why)), -EBADMSG);
	assert_non_null(strstr(why, "none of the 2 trust anchors"));
	token_anchors_free(&a);
	/* TF-RMM's key among them, named by the token's instance id: the
	 * name selects it. */
	assert_int_equal(token_open(tfrmm, tfrmm_len, &v, why, sizeof(why)), 0);
	inst = cbor_bytestring_handle(cca_map_get(v.platform,
						  CCA_PLAT_INSTANCE_ID));
	snprintf(p, sizeof(p), "%s/", d);
	for (i = 0; i < TOKEN_INSTANCE_ID_LEN; i++)
		snprintf(p + strlen(p), sizeof(p) - strlen(p), "%02x", inst[i]);
	token_view_free(&v);
	strcat(p, ".pub");
	snprintf(cmd, sizeof(cmd), "cp %s %s", path_of("tf-rmm/cca_platform.pub"),
		 p);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(token_anchors_load(&a, d, why, sizeof(why)), 0);
	assert_int_equal(a.n, 3);
	assert_int_equal(verify(tfrmm, tfrmm_len, &a, tfrmm_challenge, &c, why,
				sizeof(why)), 0);
	assert_true(a.a[c.anchor].named);
	assert_non_null(strstr(a.a[c.anchor].path, ".pub"));
	token_claims_free(&c);
	token_anchors_free(&a);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", d);
	assert_int_equal(system(cmd), 0);
	cca_keys_free(&k1);
	cca_keys_free(&k2);
}

/* ---- veraison's claim sets ------------------------------------------------------ */

struct vector {
	const char *file;
	const char *reason;		/* NULL: valid */
};

/* Platform claim sets, each with the valid realm claim set. */
static const struct vector platform_json[] = {
	{ "test-token-valid-full.json", NULL },
	{ "test-config-missing.json", "claim 2401 (cca-platform-config) is missing" },
	{ "test-hash-algid-invalid.json", "claim 2402 (cca-platform-hash-algo-id) \"none\" is not a hash algorithm" },
	{ "test-hash-algid-missing.json", "claim 2402 (cca-platform-hash-algo-id) is missing" },
	{ "test-implementation-id-invalid-long.json", "claim 2396 (cca-platform-implementation-id) has 34 bytes, not 32" },
	{ "test-implementation-id-invalid-missing.json", "claim 2396 (cca-platform-implementation-id) is missing" },
	{ "test-instance-id-invalid.json", "claim 256 (cca-platform-instance-id) has 3 bytes, not 33" },
	{ "test-instance-id-missing.json", "claim 256 (cca-platform-instance-id) is missing" },
	{ "test-invalid-profile.json", "claim 265 (cca-platform-profile) \"http://arm.com/PSA-SSD/1.0.0\" is not a CCA platform profile" },
	/* PSA names are no CCA claims: the implementation id is missing. */
	{ "test-invalid-psa-claims.json", "claim 2396 (cca-platform-implementation-id) is missing" },
	{ "test-lifecycle-invalid.json", "claim 2395 (cca-platform-lifecycle) value 0x7f35 is not a lifecycle state" },
	{ "test-no-sw-components.json", "claim 2399 (cca-platform-sw-components) is missing" },
	{ "test-nonce-invalid.json", "claim 10 (cca-platform-challenge) has 50 bytes" },
	/* Its first component's measurement is not base64, so not bytes. */
	{ "test-sw-components-invalid-combo.json", "software component 0: claim 2 (measurement-value) is a text string, not a byte string" },
	{ "test-sw-components-invalid-missing.json", "claim 2399 (cca-platform-sw-components) is missing" },
	{ "test-vsi-invalid-empty.json", "claim 2400 (cca-platform-service-indicator) is an empty string" },
};

/* Realm claim sets, each with the valid platform claim set. */
static const struct vector realm_json[] = {
	{ "test-cca-claims-all-valid.json", NULL },
	{ "test-invalid-extended-meas.json", "claim 44239 (cca-realm-extensible-measurements) entry 0 is not a byte string of the RIM's 64 bytes" },
	{ "test-invalid-initial-meas.json", "claim 44238 (cca-realm-initial-measurement) has 95 bytes, not 32 or 64" },
	{ "test-invalid-nonce.json", "claim 10 (cca-realm-challenge) has 95 bytes, not 64" },
	{ "test-invalid-personalization-val.json", "claim 44235 (cca-realm-personalization-value) has 95 bytes, not 64" },
	{ "test-invalid-public-key.json", "claim 44237 (cca-realm-public-key) has 15 bytes; with no profile claim it is a raw P-384 point" },
	{ "test-missing-extended-meas.json", "claim 44239 (cca-realm-extensible-measurements) is missing" },
	{ "test-missing-hash-alg-id.json", "claim 44236 (cca-realm-hash-algo-id) is missing" },
	{ "test-missing-initial-meas.json", "claim 44238 (cca-realm-initial-measurement) is missing" },
	{ "test-missing-nonce.json", "claim 10 (cca-realm-challenge) is missing" },
	{ "test-missing-personalization-val.json", "claim 44235 (cca-realm-personalization-value) is missing" },
	{ "test-missing-public-key-alg-id.json", "claim 44240 (cca-realm-public-key-hash-algo-id) is missing" },
	{ "test-missing-public-key.json", "claim 44237 (cca-realm-public-key) is missing" },
};

static const struct vector platform_diag[] = {
	{ "CcaPlatformClaimsAll.diag", NULL },
	{ "CcaPlatformClaimsMandatoryOnly.diag", NULL },
	{ "CcaPlatformExample.diag", NULL },
	{ "CcaPlatformLegacyClaimsAll.diag", NULL },
	{ "CcaPlatformLegacyClaimsMandatoryOnly.diag", NULL },
	{ "CcaPlatformClaimsInvalidMultiNonce.diag", "claim 10 (cca-platform-challenge) carries 2 nonces, not one" },
	{ "CcaPlatformClaimsMissingMandatoryNonce.diag", "claim 10 (cca-platform-challenge) is missing" },
};

static const struct vector realm_diag[] = {
	{ "CcaRealmClaimsAll.diag", NULL },
	{ "CcaRealmExample.diag", NULL },
	{ "CcaRealmLegacyClaimsAll.diag", NULL },
	{ "CcaClaimsMissingMandExtendedMeas.diag", "claim 44239 (cca-realm-extensible-measurements) is missing" },
	{ "CcaClaimsMissingMandHashAlgID.diag", "claim 44236 (cca-realm-hash-algo-id) is missing" },
	{ "CcaClaimsMissingMandInitialMeas.diag", "claim 44238 (cca-realm-initial-measurement) is missing" },
	{ "CcaClaimsMissingMandPubKey.diag", "claim 44237 (cca-realm-public-key) is missing" },
	{ "CcaRealmClaimsMissingMandNonce.diag", "claim 10 (cca-realm-challenge) is missing" },
};

#define NV(a) (sizeof(a) / sizeof((a)[0]))

/* A claim set from the vectors as a claims map. */
static cbor_item_t *
claim_set(const char *part, const char *kind, const char *file)
{
	char rel[256], err[128];
	cbor_item_t *it, *m;

	snprintf(rel, sizeof(rel), "veraison/%s/testvectors/%s/%s", part, kind,
		 file);
	it = diag_parse_file(path_of(rel), err, sizeof(err));
	if (!it)
		fail_msg("%s: %s", rel, err);
	if (strcmp(kind, "json"))
		return it;
	m = cca_from_json(it, strcmp(part, "platform") ? TOKEN_MAP_REALM :
							 TOKEN_MAP_PLATFORM);
	cbor_decref(&it);
	assert_non_null(m);
	return m;
}

/* The realm challenge of @realm, or a fixed one when it has none. */
static void
challenge_of(const cbor_item_t *realm, uint8_t ch[TOKEN_CHALLENGE_LEN])
{
	const cbor_item_t *v = cca_map_get(realm, CCA_CHALLENGE);

	memset(ch, 0x5a, TOKEN_CHALLENGE_LEN);
	if (v && cbor_isa_bytestring(v) &&
	    cbor_bytestring_length(v) == TOKEN_CHALLENGE_LEN)
		memcpy(ch, cbor_bytestring_handle(v), TOKEN_CHALLENGE_LEN);
}

/*
 * Sign each vector with the fixed other half and verify: valid ones in both
 * collections; each invalid one refused with its reason.
 */
static void
run_vectors(const char *kind, const char *part, const struct vector *vs,
	    size_t n, const char *other_file, bool valid)
{
	static const unsigned int tags[] = { CCA_TOKEN_TAG, CCA_TOKEN_TAG_CMW };
	const char *other_part = strcmp(part, "platform") ? "platform" : "realm";
	uint8_t ch[TOKEN_CHALLENGE_LEN], *tok;
	struct token_anchors a = { 0 };
	cbor_item_t *mine, *other;
	struct token_claims c;
	struct cca_keys k;
	char why[256];
	size_t i, t, len, done = 0;
	int rc;

	assert_int_equal(cca_keys_init(&k), 0);
	assert_int_equal(token_anchors_add(&a, k.iak, NULL), 0);
	other = claim_set(other_part, kind, other_file);
	for (i = 0; i < n; i++) {
		if ((vs[i].reason == NULL) != valid)
			continue;
		mine = claim_set(part, kind, vs[i].file);
		for (t = 0; t < (valid ? 2 : 1); t++) {
			rc = !strcmp(part, "platform") ?
				     cca_build(&k, mine, other, tags[t], &tok, &len) :
				     cca_build(&k, other, mine, tags[t], &tok, &len);
			assert_int_equal(rc, 0);
			challenge_of(!strcmp(part, "platform") ? other : mine, ch);
			rc = verify(tok, len, &a, ch, &c, why, sizeof(why));
			if (valid && rc)
				fail_msg("%s/%s (tag %u): refused: %s", part,
					 vs[i].file, tags[t], why);
			if (!valid && !rc)
				fail_msg("%s/%s: verifies", part, vs[i].file);
			if (!valid && (rc != -EBADMSG || !strstr(why, vs[i].reason)))
				fail_msg("%s/%s: refused (%d) for \"%s\", not for \"%s\"",
					 part, vs[i].file, rc, why, vs[i].reason);
			if (!rc)
				token_claims_free(&c);
			free(tok);
		}
		print_message("  %s/%s/%s: %s\n", part, kind, vs[i].file,
			      valid ? "verifies (tags 399 and 907)" : why);
		cbor_decref(&mine);
		done++;
	}
	assert_true(done > 0);
	cbor_decref(&other);
	token_anchors_free(&a);
	cca_keys_free(&k);
}

static void
test_veraison_json_valid(void **state)
{
	(void)state;
	run_vectors("json", "platform", platform_json, NV(platform_json),
		    "test-cca-claims-all-valid.json", true);
	run_vectors("json", "realm", realm_json, NV(realm_json),
		    "test-token-valid-full.json", true);
}

static void
test_veraison_json_invalid(void **state)
{
	(void)state;
	run_vectors("json", "platform", platform_json, NV(platform_json),
		    "test-cca-claims-all-valid.json", false);
	run_vectors("json", "realm", realm_json, NV(realm_json),
		    "test-token-valid-full.json", false);
}

static void
test_veraison_diag_valid(void **state)
{
	(void)state;
	run_vectors("cbor", "platform", platform_diag, NV(platform_diag),
		    "CcaRealmClaimsAll.diag", true);
	run_vectors("cbor", "realm", realm_diag, NV(realm_diag),
		    "CcaPlatformClaimsAll.diag", true);
}

static void
test_veraison_diag_invalid(void **state)
{
	(void)state;
	run_vectors("cbor", "platform", platform_diag, NV(platform_diag),
		    "CcaRealmClaimsAll.diag", false);
	run_vectors("cbor", "realm", realm_diag, NV(realm_diag),
		    "CcaPlatformClaimsAll.diag", false);
}

/* Every file of the vectors is in a table above: none is left untried. */
static void
test_veraison_every_file_covered(void **state)
{
	static const struct { const char *rel; const struct vector *v; size_t n; } dirs[] = {
		{ "veraison/platform/testvectors/json", platform_json, NV(platform_json) },
		{ "veraison/realm/testvectors/json", realm_json, NV(realm_json) },
		{ "veraison/platform/testvectors/cbor", platform_diag, NV(platform_diag) },
		{ "veraison/realm/testvectors/cbor", realm_diag, NV(realm_diag) },
	};
	struct dirent *e;
	size_t d, i, n;
	DIR *dp;

	(void)state;
	for (d = 0; d < NV(dirs); d++) {
		dp = opendir(path_of(dirs[d].rel));
		assert_non_null(dp);
		n = 0;
		while ((e = readdir(dp))) {
			if (!strstr(e->d_name, ".json") && !strstr(e->d_name, ".diag"))
				continue;
			for (i = 0; i < dirs[d].n; i++)
				if (!strcmp(dirs[d].v[i].file, e->d_name))
					break;
			if (i == dirs[d].n)
				fail_msg("%s/%s is in no table", dirs[d].rel,
					 e->d_name);
			n++;
		}
		closedir(dp);
		assert_int_equal(n, dirs[d].n);
	}
}

/* ---- caec-attest ---------------------------------------------------------------- */

static int
run(const char *args, char *out, size_t cap)
{
	const char *exe = getenv("CAEC_ATTEST_PATH");
	const char *wrap = getenv("CAEC_EXEC_WRAPPER");
	char cmd[20480];
	size_t n;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s %s %s 2>&1", wrap ? wrap : "", exe, args);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, cap - 1, p);
	out[n] = '\0';
	return pclose(p);
}

static void
test_cli_verifies_tfrmm_token(void **state)
{
	char args[16384], hx[2 * TOKEN_CHALLENGE_LEN + 1], *out;
	size_t i;
	int st;

	(void)state;
	if (!getenv("CAEC_ATTEST_PATH"))
		skip();
	out = malloc(65536);
	assert_non_null(out);
	for (i = 0; i < TOKEN_CHALLENGE_LEN; i++)
		snprintf(hx + 2 * i, 3, "%02x", tfrmm_challenge[i]);
	snprintf(args, sizeof(args), "--anchor %s --challenge %s %s",
		 path_of("tf-rmm/cca_platform.pub"), hx,
		 path_of("tf-rmm/cca_token.cbor"));
	st = run(args, out, 65536);
	print_message("%s", out);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_non_null(strstr(out, "token: valid"));
	/* --json: every claim under evcli's names. */
	snprintf(args + strlen(args), sizeof(args) - strlen(args), " --json");
	st = run(args, out, 65536);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_non_null(strstr(out, "\"cca-platform-token\""));
	assert_non_null(strstr(out, "\"cca-realm-delegated-token\""));
	assert_non_null(strstr(out, "\"cca-realm-challenge\": \"q6urq6ur"));
	assert_non_null(strstr(out, "\"cca-platform-profile\": \"http://arm.com/CCA-SSD/1.0.0\""));
	assert_non_null(strstr(out, "\"cca-platform-lifecycle\": 12291"));
	assert_non_null(strstr(out, "\"measurement-type\": \"BL\""));
	/* Another challenge: rejected, exit status 1. */
	hx[0] = hx[0] == '0' ? '1' : '0';
	snprintf(args, sizeof(args), "--anchor %s --challenge %s %s",
		 path_of("tf-rmm/cca_platform.pub"), hx,
		 path_of("tf-rmm/cca_token.cbor"));
	st = run(args, out, 65536);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	assert_non_null(strstr(out, "challenge"));
	free(out);
}


/* The JSON caec-attest prints reads back, through veraison's names, into
 * exactly the claims the token carries: every claim, every name, every
 * byte. */
static void
test_cli_json_round_trip(void **state)
{
	cbor_item_t *plat = claim_set("platform", "json", "test-token-valid-full.json");
	cbor_item_t *realm = claim_set("realm", "json", "test-cca-claims-all-valid.json");
	cbor_item_t *json, *part, *back;
	uint8_t *tok, *a, *b;
	size_t len, al, bl, i;
	struct token_view v;
	struct cca_keys k;
	char file[64], args[256], err[128], *out;
	const char *names[2] = { "cca-platform-token", "cca-realm-delegated-token" };
	FILE *f;
	int st;

	(void)state;
	if (!getenv("CAEC_ATTEST_PATH"))
		skip();
	out = malloc(65536);
	assert_non_null(out);
	assert_int_equal(cca_keys_init(&k), 0);
	assert_int_equal(cca_build(&k, plat, realm, CCA_TOKEN_TAG, &tok, &len), 0);
	snprintf(file, sizeof(file), "/tmp/caec-token-%d.cbor", (int)getpid());
	f = fopen(file, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(tok, 1, len, f), len);
	fclose(f);
	snprintf(args, sizeof(args), "--print --json %s", file);
	st = run(args, out, 65536);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	json = diag_parse(out, err, sizeof(err));
	if (!json)
		fail_msg("caec-attest --json printed no JSON (%s):\n%s", err, out);
	assert_int_equal(token_open(tok, len, &v, err, sizeof(err)), 0);
	for (i = 0; i < 2; i++) {
		part = NULL;
		for (size_t j = 0; j < cbor_map_size(json); j++) {
			cbor_item_t *key = cbor_map_handle(json)[j].key;

			if (cbor_isa_string(key) &&
			    cbor_string_length(key) == strlen(names[i]) &&
			    !memcmp(cbor_string_handle(key), names[i],
				    strlen(names[i])))
				part = cbor_map_handle(json)[j].value;
		}
		assert_non_null(part);
		back = cca_from_json(part, i ? TOKEN_MAP_REALM : TOKEN_MAP_PLATFORM);
		assert_int_equal(cca_encode(back, &a, &al), 0);
		assert_int_equal(cca_encode(i ? v.realm : v.platform, &b, &bl), 0);
		assert_int_equal(al, bl);
		assert_memory_equal(a, b, al);
		free(a);
		free(b);
		cbor_decref(&back);
	}
	token_view_free(&v);
	cbor_decref(&json);
	/* --print shows a token whose signature is broken, and says so. */
	tok[len - 1] ^= 1;
	f = fopen(file, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(tok, 1, len, f), len);
	fclose(f);
	snprintf(args, sizeof(args), "--print %s", file);
	st = run(args, out, 65536);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_non_null(strstr(out, "NOT VERIFIED"));
	assert_non_null(strstr(out, "cca-realm-initial-measurement (44238): 4343"));
	/* Usage errors exit 2. */
	st = run("--challenge 00", out, 65536);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 2);
	st = run(file, out, 65536);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 2);
	st = run("--help", out, 65536);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_non_null(strstr(out, "EXIT STATUS"));
	unlink(file);
	free(tok);
	free(out);
	cca_keys_free(&k);
	cbor_decref(&plat);
	cbor_decref(&realm);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tfrmm_token_verifies),
		cmocka_unit_test(test_tfrmm_wrong_challenge),
		cmocka_unit_test(test_tfrmm_every_bit_flip),
		cmocka_unit_test(test_tfrmm_other_anchor),
		cmocka_unit_test(test_tfrmm_cmw_collection),
		cmocka_unit_test(test_tfrmm_anchor_directory),
		cmocka_unit_test(test_veraison_json_valid),
		cmocka_unit_test(test_veraison_json_invalid),
		cmocka_unit_test(test_veraison_diag_valid),
		cmocka_unit_test(test_veraison_diag_invalid),
		cmocka_unit_test(test_veraison_every_file_covered),
		cmocka_unit_test(test_cli_verifies_tfrmm_token),
		cmocka_unit_test(test_cli_json_round_trip),
	};
	const char *env = getenv("CAEC_CCA_VECTORS");
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", env && *env ? env : "../shared/cca-vectors");
	if (stat(path_of("tf-rmm/cca_token.cbor"), &st) ||
	    stat(path_of("veraison"), &st)) {
		printf("no CCA test vectors at %s (set CAEC_CCA_VECTORS): skipped\n",
		       dir);
		return 77;
	}
	printf("CCA test vectors: %s\n", dir);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

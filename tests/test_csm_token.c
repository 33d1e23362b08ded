/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Attestation tokens from caec-rmmd, checked by libcaec and caec-attest.
 *
 *   valid      a realm's token verifies; it names the realm id and the
 *              measurement (SHA-256 of this executable)
 *   flips      every single-bit flip anywhere in the token is rejected
 *              (signatures, payloads, protected headers, framing)
 *   wrong      another challenge or measurement is -EACCES, another trust
 *              anchor -EBADMSG, no anchor -ENOENT
 *   KAT        the COSE Sig_structure encoding, byte for byte
 *   claims     the paper's flow: two realms exchange challenges and
 *              tokens, verify each other, share/attach by the verified
 *              realm ids; then caec-attest prints the CSM membership the
 *              firmware reports (the consumer, RO, ATTACHED)
 *   profiles   caec-rmmd's token in the current profiles: claim 265 in
 *              both tokens, every claim they make mandatory, software
 *              components with measurement and signer id, and a lifecycle
 *              that says "not a secured platform"
 *   params     the RPV and the hash algorithm whoever starts a realm
 *              chooses (environment or API) reach its token, SHA-512 RIM
 *              included; REMs extend as RSI_MEASUREMENT_EXTEND; the daemon
 *              takes the parameters only before the realm runs
 *   anchor     the daemon writes its trust anchor through no symlink: one
 *              planted at the temporary name or at the anchor's own path
 *              leaves its target untouched; the anchor is a 0644 PEM file
 *              whatever the umask
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cbor.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <caec/caec.h>

#include "lib/check.h"
#include "lib/csm_peer.h"
#include "lib/csm_service.h"
#include "lib/rmmd_daemon.h"
#include "lib/scale.h"
#include "../src/attest/cose.h"
#include "../src/attest/token.h"
#include "../src/proto/rmmd_wire.h"

#define PEER_WAIT_MS 60000

static char anchor[4200];

static int
group_setup(void **state)
{
	if (csm_group_setup(state))
		return -1;
	snprintf(anchor, sizeof(anchor), "%s.pub", getenv("CAEC_RMMD_SOCKET"));
	return 0;
}

static void
random_challenge(uint8_t ch[CAEC_CSM_CHALLENGE_LEN])
{
	assert_int_equal(getrandom(ch, CAEC_CSM_CHALLENGE_LEN, 0),
			 CAEC_CSM_CHALLENGE_LEN);
}

static void
test_valid_token(void **state)
{
	struct caec_csm_token_info info = { .struct_size = sizeof(info) };
	uint8_t ch[64], tok[CAEC_CSM_TOKEN_MAX], meas[32];
	uint64_t me;
	size_t len;

	(void)state;
	random_challenge(ch);
	assert_rc(caec_csm_realm_id(&me), 0);
	assert_rc(caec_csm_token(ch, tok, sizeof(tok), &len), 0);
	assert_true(len > 500 && len < sizeof(tok));
	assert_rc(caec_csm_token_verify(tok, len, NULL, ch, NULL, &info), 0);
	assert_true(info.has_realm_id);
	assert_true(info.realm_id == me);
	if (exe_measurement(meas) == 0) {
		assert_memory_equal(info.measurement, meas, 32);
		assert_rc(caec_csm_token_verify(tok, len, anchor, ch, meas,
						&info), 0);
	}
	/* Too small a buffer. */
	assert_rc(caec_csm_token(ch, tok, 100, &len), -ENOSPC);
}

static void
test_every_bit_flip_rejected(void **state)
{
	struct caec_csm_token_info info = { .struct_size = sizeof(info) };
	uint8_t ch[64], tok[CAEC_CSM_TOKEN_MAX];
	size_t len, bit, step, tried = 0;
	int rc;

	(void)state;
	random_challenge(ch);
	assert_rc(caec_csm_token(ch, tok, sizeof(tok), &len), 0);
	/* Every bit (sanitizer and emulated builds: every few bits). */
	step = (size_t)(1000 / test_scaled(1000, 1));
	for (bit = 0; bit < len * 8; bit += step) {
		tok[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		rc = caec_csm_token_verify(tok, len, anchor, ch, NULL, &info);
		tok[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (rc == 0)
			fail_msg("a flip of bit %zu (byte %zu) still verifies",
				 bit, bit / 8);
		assert_true(rc == -EBADMSG || rc == -EACCES);
		tried++;
	}
	/* Truncated anywhere. */
	for (bit = 0; bit < len; bit += 7)
		assert_int_not_equal(caec_csm_token_verify(tok, bit, anchor, ch,
							   NULL, &info), 0);
	assert_rc(caec_csm_token_verify(tok, len, anchor, ch, NULL, &info), 0);
	print_message("  %zu single-bit flips of a %zu-byte token: all rejected\n",
		      tried, len);
}

/*
 * Declared sizes an attacker controls: libcbor allocates (and for arrays
 * initialises) what a header declares before reading the content, so each of
 * these would cost gigabytes and seconds without the verifier's pre-scan
 * (cose_cbor_load()). Each is rejected, quickly, and the process's peak
 * memory stays where it was. A flipped length inside a real token makes the
 * decoder read signature bytes as headers, which is how the bit-flip test
 * above can meet such values at random.
 */
static void
test_huge_declared_lengths(void **state)
{
	static const uint8_t arr4[] = { 0x9a, 0x80, 0, 0, 0, 0, 0, 0 };
	static const uint8_t arr8[] = { 0x9b, 0, 0, 0, 0x01, 0, 0, 0, 0, 0 };
	static const uint8_t map4[] = { 0xba, 0x40, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t bstr[] = { 0x5b, 0, 0, 0, 0x01, 0, 0, 0, 0, 0 };
	static const uint8_t tagged[] = { 0xd9, 0x01, 0x8f, 0x9a, 0x40, 0, 0,
					  0, 0 };
	static const uint8_t indef[] = { 0x9f, 0x00, 0xff };
	static const uint8_t trailing[] = { 0x80, 0x00 };
	const struct { const uint8_t *b; size_t n; } in[] = {
		{ arr4, sizeof(arr4) }, { arr8, sizeof(arr8) },
		{ map4, sizeof(map4) }, { bstr, sizeof(bstr) },
		{ tagged, sizeof(tagged) }, { indef, sizeof(indef) },
		{ trailing, sizeof(trailing) },
	};
	struct caec_csm_token_info info = { .struct_size = sizeof(info) };
	uint8_t ch[64] = { 0 }, deep[200];
	struct rusage ru0, ru1;
	size_t i;

	(void)state;
	assert_int_equal(getrusage(RUSAGE_SELF, &ru0), 0);
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		assert_null(cose_cbor_load(in[i].b, in[i].n));
		assert_rc(caec_csm_token_verify(in[i].b, in[i].n, anchor, ch,
						NULL, &info), -EBADMSG);
	}
	/* Nesting deeper than COSE_CBOR_MAX_DEPTH, then just within it. */
	memset(deep, 0x81, sizeof(deep));
	deep[sizeof(deep) - 1] = 0x00;
	assert_null(cose_cbor_load(deep, sizeof(deep)));
	{
		void *it = cose_cbor_load(deep + sizeof(deep) - 1 -
					  COSE_CBOR_MAX_DEPTH,
					  COSE_CBOR_MAX_DEPTH + 1);

		assert_non_null(it);
		cbor_decref((cbor_item_t **)&it);
	}
	assert_int_equal(getrusage(RUSAGE_SELF, &ru1), 0);
	/* ru_maxrss is in KiB: well under the smallest allocation above. */
	assert_true(ru1.ru_maxrss - ru0.ru_maxrss < 64 * 1024);
}

static void
test_wrong_challenge_measurement_anchor(void **state)
{
	struct caec_csm_token_info info = { .struct_size = sizeof(info) };
	uint8_t ch[64], other[64], tok[CAEC_CSM_TOKEN_MAX], meas[32] = { 0 };
	char path[64];
	EVP_PKEY *k;
	size_t len;
	FILE *f;

	(void)state;
	random_challenge(ch);
	memcpy(other, ch, sizeof(other));
	other[63] ^= 1;
	assert_rc(caec_csm_token(ch, tok, sizeof(tok), &len), 0);
	detail_reset();
	assert_rc(caec_csm_token_verify(tok, len, anchor, other, NULL, &info),
		  -EACCES);
	assert_detail("challenge");
	assert_rc(caec_csm_token_verify(tok, len, anchor, ch, meas, &info),
		  -EACCES);
	assert_detail("measurement");
	/* A trust anchor of another platform. */
	k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	assert_non_null(k);
	snprintf(path, sizeof(path), "/tmp/caec-test-anchor-%d.pem",
		 (int)getpid());
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_PUBKEY(f, k), 1);
	fclose(f);
	EVP_PKEY_free(k);
	assert_rc(caec_csm_token_verify(tok, len, path, ch, NULL, &info),
		  -EBADMSG);
	assert_detail("trust anchor");
	unlink(path);
	assert_rc(caec_csm_token_verify(tok, len, path, ch, NULL, &info),
		  -ENOENT);
}

static void
test_sig_structure_kat(void **state)
{
	/* ["Signature1", h'A1013822', h'', h'7061796C6F6164'] */
	static const uint8_t want[] = {
		0x84, 0x6a, 'S', 'i', 'g', 'n', 'a', 't', 'u', 'r', 'e', '1',
		0x44, 0xa1, 0x01, 0x38, 0x22,
		0x40,
		0x47, 'p', 'a', 'y', 'l', 'o', 'a', 'd',
	};
	static const uint8_t prot[] = { 0xa1, 0x01, 0x38, 0x22 };
	uint8_t *tbs;
	size_t len;

	(void)state;
	assert_int_equal(cose_sig_structure(prot, sizeof(prot),
					    (const uint8_t *)"payload", 7,
					    &tbs, &len), 0);
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(tbs, want, sizeof(want));
	free(tbs);
}

/* ---- the paper's flow -------------------------------------------------------- */

/* Answer a challenge with our token, check the provider's, attach. */
static int
peer_attested_consumer(int rd, int wr, void *arg)
{
	struct caec_csm_token_info info = { .struct_size = sizeof(info) };
	uint8_t ch[64], mine[64], tok[CAEC_CSM_TOKEN_MAX];
	struct caec_csm_region *r;
	struct caec_csm_sid sid;
	uint32_t n;
	size_t len;
	char go;
	int rc;

	(void)arg;
	/* 1. The provider's challenge -> our token. */
	if (pipe_get(rd, ch, sizeof(ch)))
		return 10;
	rc = caec_csm_token(ch, tok, sizeof(tok), &len);
	n = (uint32_t)len;
	if (rc || pipe_put(wr, &n, sizeof(n)) || pipe_put(wr, tok, len))
		return peer_fail(11, "token", rc);
	/* 2. Our challenge -> the provider's token, verified. */
	if (getrandom(mine, sizeof(mine), 0) != sizeof(mine) ||
	    pipe_put(wr, mine, sizeof(mine)) || pipe_get(rd, &n, sizeof(n)) ||
	    n > sizeof(tok) || pipe_get(rd, tok, n))
		return 12;
	rc = caec_csm_token_verify(tok, n, NULL, mine, NULL, &info);
	if (rc)
		return peer_fail(13, "the provider's token", rc);
	/* 3. Attach only a sharing id of the realm we verified. */
	if (pipe_get(rd, &sid, sizeof(sid)) || sid.provider != info.realm_id)
		return peer_fail(14, "sid of an unverified provider", 0);
	rc = caec_csm_attach(&sid, &r);
	if (rc)
		return peer_fail(15, "attach", rc);
	if (strcmp(caec_csm_data(r), "attested data"))
		return peer_fail(16, "data", 0);
	if (pipe_put(wr, &rc, sizeof(rc)) || pipe_get(rd, &go, 1))
		return 17;
	return caec_csm_detach(r) ? 18 : 0;
}

static int
run_attest(const char *tokfile, const uint8_t ch[64], char *out, size_t cap)
{
	char cmd[8192], hex[129];
	const char *exe = getenv("CAEC_ATTEST_PATH");
	const char *wrap = getenv("CAEC_EXEC_WRAPPER");
	size_t n;
	FILE *p;
	int i;

	for (i = 0; i < 64; i++)
		snprintf(hex + 2 * i, 3, "%02x", ch[i]);
	snprintf(cmd, sizeof(cmd), "%s %s --anchor %s --challenge %s %s 2>&1",
		 wrap ? wrap : "", exe, anchor, hex, tokfile);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, cap - 1, p);
	out[n] = '\0';
	return pclose(p);
}

static void
test_mutual_attestation_and_claims(void **state)
{
	struct caec_csm_token_info info = { .struct_size = sizeof(info) };
	uint8_t ch[64], theirs[64], tok[CAEC_CSM_TOKEN_MAX];
	struct caec_csm_region *r;
	struct caec_csm_sid sid;
	char path[64], out[4096], line[128];
	struct peer p;
	uint32_t n;
	size_t len;
	FILE *f;
	int ack, st;

	(void)state;
	assert_rc(caec_csm_create(4096, &r), 0);
	strcpy(caec_csm_base(r), "attested data");
	assert_int_equal(peer_start(&p, peer_attested_consumer, NULL), 0);
	/* 1. Challenge the consumer; verify its token. */
	random_challenge(ch);
	assert_int_equal(pipe_put(p.wr, ch, sizeof(ch)), 0);
	assert_int_equal(pipe_get(p.rd, &n, sizeof(n)), 0);
	assert_true(n <= sizeof(tok));
	assert_int_equal(pipe_get(p.rd, tok, n), 0);
	assert_rc(caec_csm_token_verify(tok, n, NULL, ch, NULL, &info), 0);
	/* 2. Answer its challenge. */
	assert_int_equal(pipe_get(p.rd, theirs, sizeof(theirs)), 0);
	assert_rc(caec_csm_token(theirs, tok, sizeof(tok), &len), 0);
	n = (uint32_t)len;
	assert_int_equal(pipe_put(p.wr, &n, sizeof(n)), 0);
	assert_int_equal(pipe_put(p.wr, tok, len), 0);
	/* 3. Share with the realm id the token proved. */
	assert_rc(caec_csm_share(r, info.realm_id, CAEC_CSM_RO, &sid), 0);
	assert_int_equal(pipe_put(p.wr, &sid, sizeof(sid)), 0);
	assert_int_equal(pipe_get(p.rd, &ack, sizeof(ack)), 0);

	/* The firmware's membership claim, through caec-attest. */
	random_challenge(ch);
	assert_rc(caec_csm_token(ch, tok, sizeof(tok), &len), 0);
	snprintf(path, sizeof(path), "/tmp/caec-test-token-%d.cbor",
		 (int)getpid());
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(tok, 1, len, f), len);
	fclose(f);
	st = run_attest(path, ch, out, sizeof(out));
	print_message("%s", out);
	assert_int_equal(st, 0);
	snprintf(line, sizeof(line), "consumer %016llx handle %016llx RO ATTACHED",
		 (unsigned long long)info.realm_id,
		 (unsigned long long)sid.handle);
	assert_non_null(strstr(out, line));
	assert_non_null(strstr(out, "provider of region"));
	/* caec-attest rejects it for another challenge, exit status 1. */
	ch[0] ^= 1;
	st = run_attest(path, ch, out, sizeof(out));
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	assert_non_null(strstr(out, "rejected"));
	unlink(path);

	assert_int_equal(pipe_put(p.wr, "g", 1), 0);
	assert_int_equal(peer_wait(&p, PEER_WAIT_MS), 0);
	assert_rc(caec_csm_destroy(r), 0);
}


/* ---- the emulator's token, claim by claim ------------------------------------- */

static const cbor_item_t *
get(const cbor_item_t *m, int64_t key)
{
	struct cbor_pair *kv = cbor_map_handle(m);
	int64_t k;
	size_t i;

	for (i = 0; i < cbor_map_size(m); i++) {
		if (cbor_isa_uint(kv[i].key))
			k = (int64_t)cbor_get_int(kv[i].key);
		else if (cbor_isa_negint(kv[i].key))
			k = -1 - (int64_t)cbor_get_int(kv[i].key);
		else
			continue;
		if (k == key)
			return kv[i].value;
	}
	return NULL;
}

static bool
text_is(const cbor_item_t *v, const char *s)
{
	return v && cbor_isa_string(v) && cbor_string_length(v) == strlen(s) &&
	       !memcmp(cbor_string_handle(v), s, strlen(s));
}

static void
test_token_in_current_profiles(void **state)
{
	static const int64_t platform_mandatory[] = { 265, 10, 2396, 256, 2401,
						      2395, 2399, 2402 };
	static const int64_t realm_mandatory[] = { 265, 10, 44235, 44238, 44239,
						   44236, 44237, 44240 };
	struct caec_csm_token_info info = { .struct_size = sizeof(info) };
	uint8_t ch[64], tok[CAEC_CSM_TOKEN_MAX];
	const cbor_item_t *sw, *c, *v;
	struct token_view view;
	char why[256], path[64], out[8192];
	size_t len, i;
	FILE *f;
	int st;

	(void)state;
	random_challenge(ch);
	assert_rc(caec_csm_token(ch, tok, sizeof(tok), &len), 0);
	assert_int_equal(token_open(tok, len, &view, why, sizeof(why)), 0);
	assert_int_equal(view.tag, CCA_TOKEN_TAG);
	for (i = 0; i < sizeof(platform_mandatory) / sizeof(platform_mandatory[0]); i++)
		if (!get(view.platform, platform_mandatory[i]))
			fail_msg("the platform token lacks claim %lld",
				 (long long)platform_mandatory[i]);
	for (i = 0; i < sizeof(realm_mandatory) / sizeof(realm_mandatory[0]); i++)
		if (!get(view.realm, realm_mandatory[i]))
			fail_msg("the realm token lacks claim %lld",
				 (long long)realm_mandatory[i]);
	assert_true(text_is(get(view.platform, 265), CCA_PROFILE_PLATFORM));
	assert_true(text_is(get(view.realm, 265), CCA_PROFILE_REALM));
	/* Not a secured platform: the lifecycle says so. */
	v = get(view.platform, 2395);
	assert_true(cbor_isa_uint(v) && cbor_get_int(v) == CAEC_CSM_LIFECYCLE_EMULATED);
	sw = get(view.platform, 2399);
	assert_true(cbor_isa_array(sw) && cbor_array_size(sw) >= 1);
	for (i = 0; i < cbor_array_size(sw); i++) {
		c = cbor_array_handle(sw)[i];
		assert_non_null(get(c, 2));	/* measurement */
		assert_non_null(get(c, 5));	/* signer id */
		assert_true(text_is(get(c, 1), "caec-rmmd"));
	}
	assert_true(cbor_isa_uint(get(view.realm, -70001)));
	assert_non_null(get(view.realm, -70002));
	token_view_free(&view);
	/* The library's verifier reads the lifecycle and the measurements. */
	assert_rc(caec_csm_token_verify(tok, len, anchor, ch, NULL, &info), 0);
	assert_int_equal(info.lifecycle, CAEC_CSM_LIFECYCLE_EMULATED);
	assert_int_equal(info.measurement_len, 32);
	assert_memory_equal(info.rim, info.measurement, 32);
	/* caec-attest says what a verifier should conclude. */
	snprintf(path, sizeof(path), "/tmp/caec-test-token-%d.cbor",
		 (int)getpid());
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(tok, 1, len, f), len);
	fclose(f);
	st = run_attest(path, ch, out, sizeof(out));
	print_message("%s", out);
	assert_int_equal(st, 0);
	assert_non_null(strstr(out, "lifecycle 0x5000 (recoverable-cca-platform-rot-debug)"));
	assert_non_null(strstr(out, "NOT a secured platform"));
	assert_non_null(strstr(out, "realm: profile " CCA_PROFILE_REALM));
	unlink(path);
}

/* SHA-256 or SHA-512 of this executable, as the service measures it. */
static int
exe_hash(const EVP_MD *md, uint8_t *out)
{
	uint8_t buf[65536];
	unsigned int n = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	FILE *f = fopen("/proc/self/exe", "rb");
	size_t got;
	int rc = -1;

	if (f && ctx && EVP_DigestInit_ex(ctx, md, NULL) == 1) {
		while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
			EVP_DigestUpdate(ctx, buf, got);
		rc = EVP_DigestFinal_ex(ctx, out, &n) == 1 ? 0 : -1;
	}
	if (f)
		fclose(f);
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* REM after extending @len-byte zero REM with @data twice: H(H(0 || d) || d). */
static void
extended(const EVP_MD *md, size_t hlen, const void *data, size_t len,
	 uint8_t out[64])
{
	uint8_t rem[64] = { 0 };
	unsigned int n;
	int i;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	for (i = 0; i < 2; i++) {
		EVP_DigestInit_ex(ctx, md, NULL);
		EVP_DigestUpdate(ctx, rem, hlen);
		EVP_DigestUpdate(ctx, data, len);
		EVP_DigestFinal_ex(ctx, rem, &n);
	}
	EVP_MD_CTX_free(ctx);
	memcpy(out, rem, 64);
}

/*
 * A realm started with parameters: @arg 0 by its launcher's environment
 * (SHA-512), 1 through caec_csm_realm_params() (SHA-256). Its token carries
 * them; its REM 2 extends; bad extensions are refused.
 */
static int
peer_with_params(int rd, int wr, void *arg)
{
	struct caec_csm_token_info info = { .struct_size = sizeof(info) };
	struct caec_csm_realm_params p = { .struct_size = sizeof(p) };
	bool sha512 = *(int *)arg == 0;
	const EVP_MD *md = sha512 ? EVP_sha512() : EVP_sha256();
	size_t hlen = sha512 ? 64 : 32, len, i;
	uint8_t ch[64], tok[CAEC_CSM_TOKEN_MAX], rim[64], rem[64], big[65];
	static const uint8_t zero[64];
	char hexrpv[129];
	int rc;

	(void)rd;
	(void)wr;
	for (i = 0; i < 64; i++)
		snprintf(hexrpv + 2 * i, 3, "%02x", (unsigned int)(0x40 + i));
	if (sha512) {
		setenv("CAEC_CSM_HASH", "sha-512", 1);
		setenv("CAEC_CSM_RPV", hexrpv, 1);
	} else {
		p.hash_algo = CAEC_CSM_HASH_SHA256;
		for (i = 0; i < 64; i++)
			p.rpv[i] = (uint8_t)(0x40 + i);
		if (caec_csm_realm_params(&p))
			return 10;
	}
	rc = caec_csm_measurement_extend(2, "caec", 4);
	if (!rc)
		rc = caec_csm_measurement_extend(2, "caec", 4);
	if (rc)
		return peer_fail(11, "extend", rc);
	if (caec_csm_measurement_extend(0, "x", 1) != -EINVAL ||
	    caec_csm_measurement_extend(5, "x", 1) != -EINVAL ||
	    caec_csm_measurement_extend(1, big, sizeof(big)) != -EINVAL)
		return 12;
	if (getrandom(ch, sizeof(ch), 0) != sizeof(ch))
		return 13;
	rc = caec_csm_token(ch, tok, sizeof(tok), &len);
	if (!rc)
		rc = caec_csm_token_verify(tok, len, NULL, ch, NULL, &info);
	if (rc)
		return peer_fail(14, "token", rc);
	if (info.measurement_len != hlen)
		return 15;
	for (i = 0; i < 64; i++)
		if (info.rpv[i] != 0x40 + i)
			return 16;
	if (exe_hash(md, rim) == 0 && memcmp(info.rim, rim, hlen))
		return 17;
	extended(md, hlen, "caec", 4, rem);
	if (memcmp(info.rem[1], rem, hlen) || memcmp(info.rem[0], zero, hlen) ||
	    memcmp(info.rem[2], zero, hlen) || memcmp(info.rem[3], zero, hlen))
		return 18;
	/* A SHA-512 RIM is no 32-byte measurement. */
	if (sha512 && caec_csm_token_verify(tok, len, NULL, ch, rim, &info) !=
			      -EACCES)
		return 19;
	return 0;
}

static void
test_realm_params_and_extend(void **state)
{
	struct peer p;
	int mode;

	(void)state;
	for (mode = 0; mode < 2; mode++) {
		assert_int_equal(peer_start(&p, peer_with_params, &mode), 0);
		assert_int_equal(peer_wait(&p, PEER_WAIT_MS), 0);
	}
}

/* The daemon takes REALM_PARAMS only first, once, and well formed. */
static void
test_realm_params_fixed_once_running(void **state)
{
	struct rmmd_req_hello h = { RMMD_VERSION, RMMD_VERSION, 0 };
	struct rmmd_req_realm_params q = { 0 };
	struct rmmd_req_create cr = { 4096 };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uint8_t pkt[RMMD_MSG_MAX];
	struct rmmd_reply rep;
	struct pollfd pf;
	/* round 0: HELLO, PARAMS of an unknown algorithm, PARAMS, PARAMS
	 * again; round 1: HELLO, CREATE, PARAMS. */
	static const int32_t want[2][4] = {
		{ 0, -EINVAL, 0, -EPROTO },
		{ 0, 0, -EPROTO, 0 },
	};
	int fd, round, i;

	(void)state;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", getenv("CAEC_RMMD_SOCKET"));
	for (round = 0; round < 2; round++) {
		fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		assert_true(fd >= 0);
		assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		for (i = 0; i < (round ? 3 : 4); i++) {
			size_t n;

			if (i == 0) {
				n = rmmd_pack(pkt, RMMD_T_HELLO, 1, &h, sizeof(h));
			} else if (round == 1 && i == 1) {
				n = rmmd_pack(pkt, RMMD_T_CREATE, 1, &cr, sizeof(cr));
			} else {
				q.hash_algo = round == 0 && i == 1 ? 7 :
					      RMMD_HASH_SHA512;
				n = rmmd_pack(pkt, RMMD_T_REALM_PARAMS, 1, &q,
					      sizeof(q));
			}
			assert_int_equal(rmmd_send(fd, pkt, n, -1, 0), (ssize_t)n);
			pf.fd = fd;
			pf.events = POLLIN;
			assert_int_equal(poll(&pf, 1, 5000), 1);
			assert_int_equal(recv(fd, pkt, sizeof(pkt), 0),
					 (ssize_t)(sizeof(struct rmmd_hdr) + sizeof(rep)));
			memcpy(&rep, pkt + sizeof(struct rmmd_hdr), sizeof(rep));
			assert_int_equal(rep.status, want[round][i]);
		}
		close(fd);
	}
}

static void
read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, cap - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = 0;
}

static void
test_anchor_not_through_symlinks(void **state)
{
	char dir[64], apath[96], tmp[104], victim[96], victim2[96], buf[512];
	const char *args[] = { "--anchor", apath, NULL };
	const char *saved;
	char sock[128];
	struct rmmd_daemon dm;
	struct stat st;
	mode_t old;
	int fd;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/caec-anchor-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(apath, sizeof(apath), "%s/anchor.pub", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", apath);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(victim2, sizeof(victim2), "%s/victim2", dir);
	fd = open(victim, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "victim\n", 7), 7);
	close(fd);
	fd = open(victim2, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "victim2\n", 8), 8);
	close(fd);
	/* A symlink at the temporary name and one at the anchor itself. */
	assert_int_equal(symlink(victim, tmp), 0);
	assert_int_equal(symlink(victim2, apath), 0);
	saved = getenv("CAEC_RMMD_SOCKET");
	snprintf(sock, sizeof(sock), "%s", saved ? saved : "");
	old = umask(0077);
	assert_int_equal(rmmd_daemon_start(&dm, args), 0);
	umask(old);
	/* This process's realm stays with the group's service. */
	if (saved)
		setenv("CAEC_RMMD_SOCKET", sock, 1);

	read_small(victim, buf, sizeof(buf));
	assert_string_equal(buf, "victim\n");
	read_small(victim2, buf, sizeof(buf));
	assert_string_equal(buf, "victim2\n");
	assert_int_equal(lstat(apath, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0644);
	read_small(apath, buf, sizeof(buf));
	assert_non_null(strstr(buf, "-----BEGIN PUBLIC KEY-----"));
	assert_int_equal(lstat(tmp, &st), -1);	/* nothing left behind */
	assert_int_equal(rmmd_daemon_stop(&dm), 0);
	unlink(victim);
	unlink(victim2);
	unlink(apath);
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sig_structure_kat),
		cmocka_unit_test(test_valid_token),
		cmocka_unit_test(test_wrong_challenge_measurement_anchor),
		cmocka_unit_test(test_every_bit_flip_rejected),
		cmocka_unit_test(test_huge_declared_lengths),
		cmocka_unit_test(test_mutual_attestation_and_claims),
		cmocka_unit_test(test_token_in_current_profiles),
		cmocka_unit_test(test_realm_params_and_extend),
		cmocka_unit_test(test_realm_params_fixed_once_running),
		cmocka_unit_test(test_anchor_not_through_symlinks),
	};

	return cmocka_run_group_tests(tests, group_setup, csm_group_teardown);
}

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
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cbor.h>
#include <openssl/pem.h>

#include <caec/caec.h>

#include "lib/check.h"
#include "lib/csm_peer.h"
#include "lib/csm_service.h"
#include "lib/scale.h"
#include "../src/attest/cose.h"

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
	};

	return cmocka_run_group_tests(tests, group_setup, csm_group_teardown);
}

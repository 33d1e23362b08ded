/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Token claims (ABI.md 5): the CBOR encoder against RFC 8949's examples,
 * and the realm-id and csm-membership claims of a provider and a consumer,
 * decoded by a small independent reader.
 */
#include <errno.h>
#include <string.h>

#include "../src/csm_priv.h"
#include "fw_test.h"

/* ---- a minimal CBOR reader (ints, arrays, maps) ----------------------------- */

struct rd_buf {
	const uint8_t *p;
	size_t len, off;
};

static unsigned int
head(struct rd_buf *b, uint64_t *v)
{
	uint8_t ib, ai;
	unsigned int n = 0, i;

	assert_true(b->off < b->len);
	ib = b->p[b->off++];
	ai = ib & 31;
	*v = ai;
	if (ai == 24) n = 1;
	if (ai == 25) n = 2;
	if (ai == 26) n = 4;
	if (ai == 27) n = 8;
	assert_true(ai < 28);
	if (n != 0) {
		*v = 0;
		assert_true(b->off + n <= b->len);
		for (i = 0; i < n; i++) {
			*v = (*v << 8) | b->p[b->off++];
		}
	}
	return ib >> 5;
}

static uint64_t
get_uint(struct rd_buf *b)
{
	uint64_t v;

	assert_int_equal(head(b, &v), 0);
	return v;
}

static int64_t
get_int(struct rd_buf *b)
{
	uint64_t v;
	unsigned int mt = head(b, &v);

	assert_true(mt <= 1);
	return (mt == 0) ? (int64_t)v : -1 - (int64_t)v;
}

static uint64_t
get_head(struct rd_buf *b, unsigned int mt)
{
	uint64_t v;

	assert_int_equal(head(b, &v), mt);
	return v;
}

/* ---- encoder ------------------------------------------------------------------ */

static void
enc_case(int64_t v, bool sign, const uint8_t *want, size_t n)
{
	uint8_t buf[16];
	struct cbor_enc c;

	cbor_enc_init(&c, buf, sizeof(buf));
	if (sign) {
		cbor_put_int(&c, v);
	} else {
		cbor_put_uint(&c, (uint64_t)v);
	}
	assert_false(c.overflow);
	assert_int_equal(c.off, n);
	assert_memory_equal(buf, want, n);
}

static void
test_claims_cbor_encoder_rfc8949(void **state)
{
	struct cbor_enc c;
	uint8_t buf[4];

	(void)state;
	enc_case(0, false, (const uint8_t[]){ 0x00 }, 1);
	enc_case(23, false, (const uint8_t[]){ 0x17 }, 1);
	enc_case(24, false, (const uint8_t[]){ 0x18, 0x18 }, 2);
	enc_case(1000, false, (const uint8_t[]){ 0x19, 0x03, 0xe8 }, 3);
	enc_case(1000000, false,
		 (const uint8_t[]){ 0x1a, 0x00, 0x0f, 0x42, 0x40 }, 5);
	enc_case(-1, true, (const uint8_t[]){ 0x20 }, 1);
	enc_case(-100, true, (const uint8_t[]){ 0x38, 0x63 }, 2);
	enc_case(-1000, true, (const uint8_t[]){ 0x39, 0x03, 0xe7 }, 3);
	enc_case(-70001, true,
		 (const uint8_t[]){ 0x3a, 0x00, 0x01, 0x11, 0x70 }, 5);
	/* 2^64 - 1 and INT64_MIN, the extremes. */
	cbor_enc_init(&c, (uint8_t[16]){ 0 }, 16);
	cbor_put_uint(&c, ~0ULL);
	assert_int_equal(c.off, 9);
	assert_int_equal(c.buf[0], 0x1b);
	assert_int_equal(c.buf[8], 0xff);
	cbor_enc_init(&c, (uint8_t[16]){ 0 }, 16);
	cbor_put_int(&c, INT64_MIN);
	assert_int_equal(c.buf[0], 0x3b);
	assert_int_equal(c.buf[1], 0x7f);
	/* Overflow stops writing and is reported. */
	cbor_enc_init(&c, buf, sizeof(buf));
	cbor_put_uint(&c, 1000000);
	assert_true(c.overflow);
	assert_int_equal(c.off, 4);
}

/* ---- claims ------------------------------------------------------------------- */

static void
test_claims_provider_and_consumer(void **state)
{
	struct fw *fw = *state;
	struct hm_realm *p = fw->r[0], *c = fw->r[1], *x = fw->r[2];
	uint8_t buf[512];
	struct rd_buf b = { buf, 0, 0 };
	unsigned long id;
	struct sid s1, s2;
	size_t len;

	s1 = fw_share_attach(p, 0x100000UL, c, 0x300000UL, 2 * G, CSM_PERM_RO,
			     &id);
	assert_int_equal(fw_share(p, id, x, CSM_PERM_RW, &s2), RSI_SUCCESS);

	/* Provider: realm id, then one region with two consumers. */
	assert_int_equal(hm_token_claims(p, buf, sizeof(buf), &len), 0);
	b.len = len;
	assert_int_equal(get_int(&b), CSM_CLAIM_REALM_ID);
	assert_int_equal(get_uint(&b), hm_realm_id(p));
	assert_int_equal(get_int(&b), CSM_CLAIM_MEMBERSHIP);
	assert_int_equal(get_head(&b, 4), 1);
	assert_int_equal(get_head(&b, 5), 4);
	assert_int_equal(get_uint(&b), CSM_CLAIM_K_ROLE);
	assert_int_equal(get_uint(&b), CSM_CLAIM_ROLE_PROVIDER);
	assert_int_equal(get_uint(&b), CSM_CLAIM_K_CSM_ID);
	assert_int_equal(get_uint(&b), id);
	assert_int_equal(get_uint(&b), CSM_CLAIM_K_SIZE);
	assert_int_equal(get_uint(&b), 2 * G);
	assert_int_equal(get_uint(&b), CSM_CLAIM_K_CONSUMERS);
	assert_int_equal(get_head(&b, 4), 2);
	assert_int_equal(get_head(&b, 4), 4);
	assert_int_equal(get_uint(&b), hm_realm_id(c));
	assert_int_equal(get_uint(&b), s1.handle);
	assert_int_equal(get_uint(&b), CSM_PERM_RO);
	assert_int_equal(get_uint(&b), CSM_STATE_ATTACHED);
	assert_int_equal(get_head(&b, 4), 4);
	assert_int_equal(get_uint(&b), hm_realm_id(x));
	assert_int_equal(get_uint(&b), s2.handle);
	assert_int_equal(get_uint(&b), CSM_PERM_RW);
	assert_int_equal(get_uint(&b), CSM_STATE_SHARED);
	assert_int_equal(b.off, b.len);

	/* Consumer: realm id, then its consumed range. */
	assert_int_equal(hm_token_claims(c, buf, sizeof(buf), &len), 0);
	b.len = len;
	b.off = 0;
	assert_int_equal(get_int(&b), CSM_CLAIM_REALM_ID);
	assert_int_equal(get_uint(&b), hm_realm_id(c));
	assert_int_equal(get_int(&b), CSM_CLAIM_MEMBERSHIP);
	assert_int_equal(get_head(&b, 4), 1);
	assert_int_equal(get_head(&b, 5), 6);
	assert_int_equal(get_uint(&b), CSM_CLAIM_K_ROLE);
	assert_int_equal(get_uint(&b), CSM_CLAIM_ROLE_CONSUMER);
	assert_int_equal(get_uint(&b), CSM_CLAIM_K_SIZE);
	assert_int_equal(get_uint(&b), 2 * G);
	assert_int_equal(get_uint(&b), CSM_CLAIM_K_PROVIDER);
	assert_int_equal(get_uint(&b), hm_realm_id(p));
	assert_int_equal(get_uint(&b), CSM_CLAIM_K_HANDLE);
	assert_int_equal(get_uint(&b), s1.handle);
	assert_int_equal(get_uint(&b), CSM_CLAIM_K_PERM);
	assert_int_equal(get_uint(&b), CSM_PERM_RO);
	assert_int_equal(get_uint(&b), CSM_CLAIM_K_STATE);
	assert_int_equal(get_uint(&b), CSM_STATE_ATTACHED);
	assert_int_equal(b.off, b.len);
}

static void
test_claims_no_apt_and_small_buffer(void **state)
{
	struct fw *fw = *state;
	struct hm_realm_params p = { .size = sizeof(p), .no_apt = true };
	struct hm_realm *r = fw_realm(fw, &p);
	uint8_t buf[32];
	struct rd_buf b = { buf, 0, 0 };
	size_t len;

	assert_int_equal(hm_token_claims(r, buf, sizeof(buf), &len), 0);
	b.len = len;
	assert_int_equal(get_int(&b), CSM_CLAIM_REALM_ID);
	assert_int_equal(get_uint(&b), hm_realm_id(r));
	assert_int_equal(get_int(&b), CSM_CLAIM_MEMBERSHIP);
	assert_int_equal(get_head(&b, 4), 0);
	assert_int_equal(b.off, b.len);
	assert_int_equal(hm_token_claims(fw->r[0], buf, 8, &len), -ENOSPC);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, fw_setup3, fw_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_claims_cbor_encoder_rfc8949),
		T(test_claims_provider_and_consumer),
		T(test_claims_no_apt_and_small_buffer),
	};

	return cmocka_run_group_tests_name("firmware-claims", tests, NULL,
					   NULL);
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Provider-side RSI commands: one test per failure condition of ABI.md
 * (test_<command>_TC<n> is condition n of that command), then the success
 * paths: RSI_CSM_CREATE (3.1), _SHARE (3.2), _REVOKE (3.6), _DESTROY (3.7).
 */
#include <string.h>

#include "csm_apt.h"
#include "fw_test.h"

#define BASE	0x100000UL
#define TOP	(1UL << 29)	/* protected half of a 30-bit realm */

static struct apt *
apt_of(struct fw *fw, struct hm_realm *r)
{
	return hm_granule_peek(fw->hm, hm_realm_apt(r));
}

static struct hm_realm *
no_apt_realm(struct fw *fw)
{
	struct hm_realm_params p = { .size = sizeof(p), .no_apt = true };

	return fw_realm(fw, &p);
}

/* Fill @r's APT with one-granule regions until @n entries are used. */
static void
fill_apt(struct fw *fw, struct hm_realm *r, unsigned int n)
{
	unsigned long ipa = 0x4000000UL;

	while (apt_of(fw, r)->hdr.nr_used < n) {
		assert_int_equal(fw_create(r, ipa, G, NULL), RSI_SUCCESS);
		ipa += G;
	}
}

/* ---- RSI_CSM_CREATE ------------------------------------------------------ */

static void
test_rsi_csm_create_TC1(void **state)	/* base_align */
{
	struct fw *fw = *state;

	assert_rsi_fail(fw_create(fw->r[0], BASE + 8, G, NULL),
			RSI_ERROR_INPUT, CSM_E_BASE_ALIGN);
}

static void
test_rsi_csm_create_TC2(void **state)	/* size_align */
{
	struct fw *fw = *state;

	assert_rsi_fail(fw_create(fw->r[0], BASE, 0, NULL), RSI_ERROR_INPUT,
			CSM_E_SIZE);
	assert_rsi_fail(fw_create(fw->r[0], BASE, G + 1, NULL),
			RSI_ERROR_INPUT, CSM_E_SIZE);
}

static void
test_rsi_csm_create_TC3(void **state)	/* range_bound */
{
	struct fw *fw = *state;

	/* Reaching into the unprotected half, and wrapping around. */
	assert_rsi_fail(fw_create(fw->r[0], TOP - G, 2 * G, NULL),
			RSI_ERROR_INPUT, CSM_E_RANGE);
	assert_rsi_fail(fw_create(fw->r[0], TOP, G, NULL), RSI_ERROR_INPUT,
			CSM_E_RANGE);
	assert_rsi_fail(fw_create(fw->r[0], BASE, ~0UL - G + 1, NULL),
			RSI_ERROR_INPUT, CSM_E_RANGE);
	/* The last granule of the protected half is fine. */
	assert_int_equal(fw_create(fw->r[0], TOP - G, G, NULL), RSI_SUCCESS);
}

static void
test_rsi_csm_create_TC4(void **state)	/* no_apt */
{
	struct fw *fw = *state;
	struct hm_realm *r = no_apt_realm(fw);

	assert_rsi_fail(fw_create(r, BASE, G, NULL), RSI_ERROR_STATE,
			CSM_E_NO_APT);
	/* Ordered after the input checks. */
	assert_rsi_fail(fw_create(r, BASE + 1, G, NULL), RSI_ERROR_INPUT,
			CSM_E_BASE_ALIGN);
}

static void
test_rsi_csm_create_TC5(void **state)	/* overlap */
{
	struct fw *fw = *state;
	struct hm_realm *p = fw->r[0], *c = fw->r[1];
	struct sid sid;

	assert_int_equal(fw_create(p, BASE, 4 * G, NULL), RSI_SUCCESS);
	assert_rsi_fail(fw_create(p, BASE + 3 * G, 2 * G, NULL),
			RSI_ERROR_INPUT, CSM_E_OVERLAP);
	assert_rsi_fail(fw_create(p, BASE - G, 2 * G, NULL), RSI_ERROR_INPUT,
			CSM_E_OVERLAP);
	assert_rsi_fail(fw_create(p, BASE - G, 6 * G, NULL), RSI_ERROR_INPUT,
			CSM_E_OVERLAP);
	/* Adjacent is fine. */
	assert_int_equal(fw_create(p, BASE + 4 * G, G, NULL), RSI_SUCCESS);
	/* A consumed range counts too. */
	sid = fw_share_attach(p, 0x800000UL, c, 0x900000UL, G, CSM_PERM_RW,
			      NULL);
	(void)sid;
	assert_rsi_fail(fw_create(c, 0x900000UL, G, NULL), RSI_ERROR_INPUT,
			CSM_E_OVERLAP);
}

static void
test_rsi_csm_create_TC6(void **state)	/* apt_full */
{
	struct fw *fw = *state;

	fill_apt(fw, fw->r[0], APT_CAPACITY);
	assert_rsi_fail(fw_create(fw->r[0], BASE, G, NULL), RSI_ERROR_STATE,
			CSM_E_APT_FULL);
	/* Overlap is checked before fullness. */
	assert_rsi_fail(fw_create(fw->r[0], 0x4000000UL, G, NULL),
			RSI_ERROR_INPUT, CSM_E_OVERLAP);
}

static void
test_rsi_csm_create_TC7(void **state)	/* id_exhausted */
{
	struct fw *fw = *state;
	unsigned long id;

	apt_of(fw, fw->r[0])->hdr.last_csm_id = 0xfffffffeU;
	assert_int_equal(fw_create(fw->r[0], BASE, G, &id), RSI_SUCCESS);
	assert_int_equal(id, 0xffffffffUL);
	assert_rsi_fail(fw_create(fw->r[0], BASE + G, G, NULL),
			RSI_ERROR_STATE, CSM_E_EXHAUSTED);
}

static void
test_rsi_csm_create_TC8(void **state)	/* not_populated */
{
	struct fw *fw = *state;
	struct hm_realm *p = fw->r[0];
	struct hm_exit exit;
	unsigned long x[4];

	/* A host that ignores the populate exit. */
	assert_int_equal(hm_realm_populate(p, BASE, G), 0);
	hm_realm_smc(p, RSI_CSM_CREATE, BASE, 3 * G, 0, 0);
	assert_int_equal(hm_rec_enter(p, &exit), RMI_SUCCESS);
	assert_int_equal(exit.reason, RMI_EXIT_CSM_POPULATE);
	assert_int_equal(exit.base, BASE);
	assert_int_equal(exit.top, BASE + 3 * G);
	assert_false(hm_realm_result(p, x));
	/* It backs only one more granule before re-entering. */
	assert_int_equal(hm_realm_populate(p, BASE + G, G), 0);
	assert_int_equal(hm_rec_enter(p, &exit), RMI_SUCCESS);
	assert_true(hm_realm_result(p, x));
	assert_int_equal(x[0], RSI_INCOMPLETE);
	assert_int_equal(x[1], BASE + 2 * G);
	assert_int_equal(apt_of(fw, p)->hdr.nr_used, 0);
	/* The realm calls again; this host answers. */
	assert_int_equal(fw_create(p, BASE, 3 * G, NULL), RSI_SUCCESS);
}

static void
test_rsi_csm_create_success(void **state)
{
	struct fw *fw = *state;
	struct hm_realm *p = fw->r[0];
	unsigned long id1, id2, id3;
	struct apt_entry *e;

	/* Already backed: no exit taken, ids count up. */
	assert_int_equal(hm_realm_populate(p, BASE, 2 * G), 0);
	assert_int_equal(fw_create(p, BASE, 2 * G, &id1), RSI_SUCCESS);
	assert_int_equal(fw_create(p, 0x200000UL, G, &id2), RSI_SUCCESS);
	assert_int_equal(fw_destroy(p, id2), RSI_SUCCESS);
	assert_int_equal(fw_create(p, 0x200000UL, G, &id3), RSI_SUCCESS);
	assert_int_equal(id1, 1);
	assert_int_equal(id2, 2);
	assert_int_equal(id3, 3);	/* never reused */
	e = apt_find_region(apt_of(fw, p), id1);
	assert_non_null(e);
	assert_int_equal(e->base, BASE);
	assert_int_equal(e->size, 2 * G);
}

/* ---- RSI_CSM_SHARE --------------------------------------------------------- */

static unsigned long
region(struct hm_realm *p)
{
	unsigned long id;

	assert_int_equal(fw_create(p, BASE, 2 * G, &id), RSI_SUCCESS);
	return id;
}

static void
test_rsi_csm_share_TC1(void **state)	/* perm */
{
	struct fw *fw = *state;
	unsigned long id = region(fw->r[0]);

	assert_rsi_fail(fw_share(fw->r[0], id, fw->r[1], 0, NULL),
			RSI_ERROR_INPUT, CSM_E_PERM);
	assert_rsi_fail(fw_share(fw->r[0], id, fw->r[1], 3, NULL),
			RSI_ERROR_INPUT, CSM_E_PERM);
}

static void
test_rsi_csm_share_TC2(void **state)	/* self */
{
	struct fw *fw = *state;
	unsigned long id = region(fw->r[0]);

	assert_rsi_fail(fw_share(fw->r[0], id, fw->r[0], CSM_PERM_RW, NULL),
			RSI_ERROR_INPUT, CSM_E_SELF);
}

static void
test_rsi_csm_share_TC3(void **state)	/* no_apt */
{
	struct fw *fw = *state;
	struct hm_realm *r = no_apt_realm(fw);

	assert_rsi_fail(fw_share(r, 1, fw->r[1], CSM_PERM_RW, NULL),
			RSI_ERROR_STATE, CSM_E_NO_APT);
}

static void
test_rsi_csm_share_TC4(void **state)	/* unknown_csm */
{
	struct fw *fw = *state;
	unsigned long id = region(fw->r[0]);

	assert_rsi_fail(fw_share(fw->r[0], id + 1, fw->r[1], CSM_PERM_RW,
				 NULL), RSI_ERROR_INPUT, CSM_E_UNKNOWN_CSM);
	/* Another realm's region id means nothing to this realm. */
	assert_rsi_fail(fw_share(fw->r[1], id, fw->r[2], CSM_PERM_RW, NULL),
			RSI_ERROR_INPUT, CSM_E_UNKNOWN_CSM);
}

static void
test_rsi_csm_share_TC5(void **state)	/* unknown_realm */
{
	struct fw *fw = *state;
	unsigned long id = region(fw->r[0]), out[3];
	uint64_t dead = hm_realm_id(fw->r[2]);

	assert_int_equal(hm_realm_destroy(fw->r[2]), 0);
	fw->r[2] = NULL;
	assert_int_equal(hm_rsi(fw->r[0], RSI_CSM_SHARE, id, dead,
				CSM_PERM_RW, 0, out), RSI_ERROR_INPUT);
	assert_int_equal(out[0], CSM_E_UNKNOWN_REALM);
	assert_int_equal(hm_rsi(fw->r[0], RSI_CSM_SHARE, id, 0, CSM_PERM_RW,
				0, out), RSI_ERROR_INPUT);
	assert_int_equal(out[0], CSM_E_UNKNOWN_REALM);
	assert_int_equal(hm_rsi(fw->r[0], RSI_CSM_SHARE, id, dead ^ 1,
				CSM_PERM_RW, 0, out), RSI_ERROR_INPUT);
	assert_int_equal(out[0], CSM_E_UNKNOWN_REALM);
}

static void
test_rsi_csm_share_TC6(void **state)	/* already_shared */
{
	struct fw *fw = *state;
	unsigned long id = region(fw->r[0]);

	assert_int_equal(fw_share(fw->r[0], id, fw->r[1], CSM_PERM_RO, NULL),
			 RSI_SUCCESS);
	assert_rsi_fail(fw_share(fw->r[0], id, fw->r[1], CSM_PERM_RW, NULL),
			RSI_ERROR_STATE, CSM_E_ALREADY_SHARED);
}

static void
test_rsi_csm_share_TC7(void **state)	/* apt_full */
{
	struct fw *fw = *state;
	unsigned long id = region(fw->r[0]);

	fill_apt(fw, fw->r[0], APT_CAPACITY);
	assert_rsi_fail(fw_share(fw->r[0], id, fw->r[1], CSM_PERM_RW, NULL),
			RSI_ERROR_STATE, CSM_E_APT_FULL);
}

static void
test_rsi_csm_share_TC8(void **state)	/* seq_exhausted */
{
	struct fw *fw = *state;
	unsigned long id = region(fw->r[0]);
	struct sid sid;

	apt_find_region(apt_of(fw, fw->r[0]), id)->aux = 0xfffffffeU;
	assert_int_equal(fw_share(fw->r[0], id, fw->r[1], CSM_PERM_RW, &sid),
			 RSI_SUCCESS);
	assert_int_equal(sid.handle, CSM_SID_HANDLE(id, 0xffffffffUL));
	assert_rsi_fail(fw_share(fw->r[0], id, fw->r[2], CSM_PERM_RW, NULL),
			RSI_ERROR_STATE, CSM_E_EXHAUSTED);
}

static void
test_rsi_csm_share_success(void **state)
{
	struct fw *fw = *state;
	unsigned long id = region(fw->r[0]);
	struct sid s1, s2, s3;

	assert_int_equal(fw_share(fw->r[0], id, fw->r[1], CSM_PERM_RO, &s1),
			 RSI_SUCCESS);
	assert_int_equal(fw_share(fw->r[0], id, fw->r[2], CSM_PERM_RW, &s2),
			 RSI_SUCCESS);
	/* The encoding of ABI.md 1.4: deterministic, consumer-computable. */
	assert_int_equal(s1.prov, hm_realm_id(fw->r[0]));
	assert_int_equal(s1.handle, CSM_SID_HANDLE(id, 1));
	assert_int_equal(s2.handle, CSM_SID_HANDLE(id, 2));
	/* Revoke and share again: a new sid, the old one stays dead. */
	assert_int_equal(fw_revoke(fw->r[0], &s1), RSI_SUCCESS);
	assert_int_equal(fw_share(fw->r[0], id, fw->r[1], CSM_PERM_RO, &s3),
			 RSI_SUCCESS);
	assert_int_equal(s3.handle, CSM_SID_HANDLE(id, 3));
	assert_rsi_fail(fw_reserve(fw->r[1], &s1, 0x900000UL, 2 * G),
			RSI_ERROR_INPUT, CSM_E_UNKNOWN_SID);
}

/* ---- RSI_CSM_REVOKE ---------------------------------------------------------- */

static void
test_rsi_csm_revoke_TC1(void **state)	/* not_provider */
{
	struct fw *fw = *state;
	struct sid sid;

	sid = fw_share_attach(fw->r[0], BASE, fw->r[1], BASE, G, CSM_PERM_RW,
			      NULL);
	/* The consumer cannot revoke; nor can a third realm. */
	assert_rsi_fail(fw_revoke(fw->r[1], &sid), RSI_ERROR_INPUT,
			CSM_E_NOT_PROVIDER);
	assert_rsi_fail(fw_revoke(fw->r[2], &sid), RSI_ERROR_INPUT,
			CSM_E_NOT_PROVIDER);
}

static void
test_rsi_csm_revoke_TC2(void **state)	/* no_apt */
{
	struct fw *fw = *state;
	struct hm_realm *r = no_apt_realm(fw);
	struct sid sid = { hm_realm_id(r), CSM_SID_HANDLE(1, 1) };

	assert_rsi_fail(fw_revoke(r, &sid), RSI_ERROR_STATE, CSM_E_NO_APT);
}

static void
test_rsi_csm_revoke_TC3(void **state)	/* unknown_sid */
{
	struct fw *fw = *state;
	struct sid sid;

	sid = fw_share_attach(fw->r[0], BASE, fw->r[1], BASE, G, CSM_PERM_RW,
			      NULL);
	sid.handle++;
	assert_rsi_fail(fw_revoke(fw->r[0], &sid), RSI_ERROR_INPUT,
			CSM_E_UNKNOWN_SID);
	sid.handle--;
	assert_int_equal(fw_revoke(fw->r[0], &sid), RSI_SUCCESS);
	assert_rsi_fail(fw_revoke(fw->r[0], &sid), RSI_ERROR_INPUT,
			CSM_E_UNKNOWN_SID);
}

static void
test_rsi_csm_revoke_success(void **state)
{
	struct fw *fw = *state;
	struct hm_realm *p = fw->r[0], *c = fw->r[1];
	struct sid sid;
	unsigned long x;
	struct apt_entry *e;

	sid = fw_share_attach(p, BASE, c, 0x700000UL, 2 * G, CSM_PERM_RW,
			      NULL);
	hm_tlbi_clear(fw->hm);
	assert_int_equal(fw_revoke(p, &sid), RSI_SUCCESS);
	assert_int_equal(hm_tlbi_count(fw->hm, hm_realm_rd(c), 0x700000UL), 1);
	assert_int_equal(hm_tlbi_count(fw->hm, hm_realm_rd(c),
				       0x700000UL + G), 1);
	assert_int_not_equal(hm_realm_read(c, 0x700000UL, &x, 8U), 0);
	/* The consumer keeps its (revoked) reservation. */
	e = apt_find_consumed(apt_of(fw, c), sid.prov, sid.handle);
	assert_non_null(e);
	assert_int_equal(e->state, CSM_STATE_REVOKED);
	assert_rsi_fail(fw_attach(c, &sid), RSI_ERROR_STATE, CSM_E_BAD_STATE);
	/* Revoking a share that was never reserved works too. */
	assert_int_equal(fw_share(p, 1, fw->r[2], CSM_PERM_RO, &sid),
			 RSI_SUCCESS);
	assert_int_equal(fw_revoke(p, &sid), RSI_SUCCESS);
}

/* ---- RSI_CSM_DESTROY ----------------------------------------------------------- */

static void
test_rsi_csm_destroy_TC1(void **state)	/* no_apt */
{
	struct fw *fw = *state;

	assert_rsi_fail(fw_destroy(no_apt_realm(fw), 1), RSI_ERROR_STATE,
			CSM_E_NO_APT);
}

static void
test_rsi_csm_destroy_TC2(void **state)	/* unknown_csm */
{
	struct fw *fw = *state;
	unsigned long id = region(fw->r[0]);

	assert_rsi_fail(fw_destroy(fw->r[0], id + 1), RSI_ERROR_INPUT,
			CSM_E_UNKNOWN_CSM);
	assert_rsi_fail(fw_destroy(fw->r[1], id), RSI_ERROR_INPUT,
			CSM_E_UNKNOWN_CSM);
	assert_int_equal(fw_destroy(fw->r[0], id), RSI_SUCCESS);
	assert_rsi_fail(fw_destroy(fw->r[0], id), RSI_ERROR_INPUT,
			CSM_E_UNKNOWN_CSM);
}

static void
test_rsi_csm_destroy_success(void **state)
{
	struct fw *fw = *state;
	struct hm_realm *p = fw->r[0];
	unsigned long id;
	struct sid s1, s2;

	s1 = fw_share_attach(p, BASE, fw->r[1], BASE, G, CSM_PERM_RW, &id);
	/* A second consumer that only reserved, a third only shared. */
	assert_int_equal(fw_share(p, id, fw->r[2], CSM_PERM_RO, &s2),
			 RSI_SUCCESS);
	assert_int_equal(fw_reserve(fw->r[2], &s2, 0x500000UL, G),
			 RSI_SUCCESS);
	assert_int_equal(fw_destroy(p, id), RSI_SUCCESS);
	assert_int_equal(apt_of(fw, p)->hdr.nr_used, 0);
	assert_int_equal(apt_find_consumed(apt_of(fw, fw->r[1]), s1.prov,
					   s1.handle)->state,
			 CSM_STATE_REVOKED);
	assert_int_equal(apt_find_consumed(apt_of(fw, fw->r[2]), s2.prov,
					   s2.handle)->state,
			 CSM_STATE_REVOKED);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, fw_setup3, fw_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_rsi_csm_create_TC1), T(test_rsi_csm_create_TC2),
		T(test_rsi_csm_create_TC3), T(test_rsi_csm_create_TC4),
		T(test_rsi_csm_create_TC5), T(test_rsi_csm_create_TC6),
		T(test_rsi_csm_create_TC7), T(test_rsi_csm_create_TC8),
		T(test_rsi_csm_create_success),
		T(test_rsi_csm_share_TC1), T(test_rsi_csm_share_TC2),
		T(test_rsi_csm_share_TC3), T(test_rsi_csm_share_TC4),
		T(test_rsi_csm_share_TC5), T(test_rsi_csm_share_TC6),
		T(test_rsi_csm_share_TC7), T(test_rsi_csm_share_TC8),
		T(test_rsi_csm_share_success),
		T(test_rsi_csm_revoke_TC1), T(test_rsi_csm_revoke_TC2),
		T(test_rsi_csm_revoke_TC3), T(test_rsi_csm_revoke_success),
		T(test_rsi_csm_destroy_TC1), T(test_rsi_csm_destroy_TC2),
		T(test_rsi_csm_destroy_success),
	};

	return cmocka_run_group_tests_name("firmware-rsi-provider", tests,
					   NULL, NULL);
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Consumer-side RSI commands: one test per failure condition of ABI.md
 * (RSI_CSM_RESERVE 3.3, _ATTACH 3.4, _DETACH_AND_FREE 3.5), success paths,
 * and every two-realm command run with the provider's RD below and above
 * the consumer's, under the model's lock-order check.
 */
#include <string.h>

#include "csm_apt.h"
#include "csm_port.h"
#include "fw_test.h"

#define PBASE	0x100000UL
#define CBASE	0x300000UL
#define SIZE	(2UL * G)
#define TOP	(1UL << 29)

static struct apt *
apt_of(struct fw *fw, struct hm_realm *r)
{
	return hm_granule_peek(fw->hm, hm_realm_apt(r));
}

/* r[0] provides a region of SIZE and shares it with r[1]. */
static struct sid
shared(struct fw *fw, unsigned long perm)
{
	unsigned long id;
	struct sid sid;

	assert_int_equal(fw_create(fw->r[0], PBASE, SIZE, &id), RSI_SUCCESS);
	assert_int_equal(fw_share(fw->r[0], id, fw->r[1], perm, &sid),
			 RSI_SUCCESS);
	return sid;
}

static struct hm_realm *
no_apt_realm(struct fw *fw)
{
	struct hm_realm_params p = { .size = sizeof(p), .no_apt = true };

	return fw_realm(fw, &p);
}

/* ---- RSI_CSM_RESERVE ------------------------------------------------------ */

static void
test_rsi_csm_reserve_TC1(void **state)	/* base_align */
{
	struct fw *fw = *state;
	struct sid sid = shared(fw, CSM_PERM_RW);

	assert_rsi_fail(fw_reserve(fw->r[1], &sid, CBASE + 16, SIZE),
			RSI_ERROR_INPUT, CSM_E_BASE_ALIGN);
}

static void
test_rsi_csm_reserve_TC2(void **state)	/* size_align */
{
	struct fw *fw = *state;
	struct sid sid = shared(fw, CSM_PERM_RW);

	assert_rsi_fail(fw_reserve(fw->r[1], &sid, CBASE, 0), RSI_ERROR_INPUT,
			CSM_E_SIZE);
	assert_rsi_fail(fw_reserve(fw->r[1], &sid, CBASE, SIZE - 1),
			RSI_ERROR_INPUT, CSM_E_SIZE);
}

static void
test_rsi_csm_reserve_TC3(void **state)	/* range_bound */
{
	struct fw *fw = *state;
	struct sid sid = shared(fw, CSM_PERM_RW);

	assert_rsi_fail(fw_reserve(fw->r[1], &sid, TOP - G, SIZE),
			RSI_ERROR_INPUT, CSM_E_RANGE);
	assert_rsi_fail(fw_reserve(fw->r[1], &sid, ~0UL - G + 1, SIZE),
			RSI_ERROR_INPUT, CSM_E_RANGE);
}

static void
test_rsi_csm_reserve_TC4(void **state)	/* self */
{
	struct fw *fw = *state;
	struct sid sid = shared(fw, CSM_PERM_RW);

	assert_rsi_fail(fw_reserve(fw->r[0], &sid, CBASE, SIZE),
			RSI_ERROR_INPUT, CSM_E_SELF);
}

static void
test_rsi_csm_reserve_TC5(void **state)	/* no_apt */
{
	struct fw *fw = *state;
	struct hm_realm *c = no_apt_realm(fw);
	unsigned long id;
	struct sid sid;

	assert_int_equal(fw_create(fw->r[0], PBASE, SIZE, &id), RSI_SUCCESS);
	assert_int_equal(fw_share(fw->r[0], id, c, CSM_PERM_RW, &sid),
			 RSI_SUCCESS);
	assert_rsi_fail(fw_reserve(c, &sid, CBASE, SIZE), RSI_ERROR_STATE,
			CSM_E_NO_APT);
}

static void
test_rsi_csm_reserve_TC6(void **state)	/* overlap */
{
	struct fw *fw = *state;
	struct sid sid = shared(fw, CSM_PERM_RW);

	assert_int_equal(fw_create(fw->r[1], CBASE + G, G, NULL), RSI_SUCCESS);
	assert_rsi_fail(fw_reserve(fw->r[1], &sid, CBASE, SIZE),
			RSI_ERROR_INPUT, CSM_E_OVERLAP);
	assert_int_equal(fw_reserve(fw->r[1], &sid, CBASE + 2 * G, SIZE),
			 RSI_SUCCESS);
}

static void
test_rsi_csm_reserve_TC7(void **state)	/* already_reserved */
{
	struct fw *fw = *state;
	struct sid sid = shared(fw, CSM_PERM_RW);

	assert_int_equal(fw_reserve(fw->r[1], &sid, CBASE, SIZE), RSI_SUCCESS);
	assert_rsi_fail(fw_reserve(fw->r[1], &sid, 0x800000UL, SIZE),
			RSI_ERROR_STATE, CSM_E_ALREADY_RESERVED);
	/* Also once revoked, until the consumer frees it. */
	assert_int_equal(fw_revoke(fw->r[0], &sid), RSI_SUCCESS);
	assert_rsi_fail(fw_reserve(fw->r[1], &sid, 0x800000UL, SIZE),
			RSI_ERROR_STATE, CSM_E_ALREADY_RESERVED);
}

static void
test_rsi_csm_reserve_TC8(void **state)	/* unknown_realm */
{
	struct fw *fw = *state;
	struct sid sid = shared(fw, CSM_PERM_RW);
	struct sid bad = { sid.prov ^ 0x10, sid.handle };

	assert_rsi_fail(fw_reserve(fw->r[1], &bad, CBASE, SIZE),
			RSI_ERROR_INPUT, CSM_E_UNKNOWN_REALM);
	assert_int_equal(hm_realm_destroy(fw->r[0]), 0);
	fw->r[0] = NULL;
	assert_rsi_fail(fw_reserve(fw->r[1], &sid, CBASE, SIZE),
			RSI_ERROR_INPUT, CSM_E_UNKNOWN_REALM);
}

static void
test_rsi_csm_reserve_TC9(void **state)	/* unknown_sid */
{
	struct fw *fw = *state;
	struct sid sid = shared(fw, CSM_PERM_RW);
	struct sid bad = { sid.prov, sid.handle + 1 };

	assert_rsi_fail(fw_reserve(fw->r[1], &bad, CBASE, SIZE),
			RSI_ERROR_INPUT, CSM_E_UNKNOWN_SID);
	/* A realm the grant does not name. */
	assert_rsi_fail(fw_reserve(fw->r[2], &sid, CBASE, SIZE),
			RSI_ERROR_INPUT, CSM_E_UNKNOWN_SID);
}

static void
test_rsi_csm_reserve_TC10(void **state)	/* size_mismatch */
{
	struct fw *fw = *state;
	struct sid sid = shared(fw, CSM_PERM_RW);

	assert_rsi_fail(fw_reserve(fw->r[1], &sid, CBASE, SIZE + G),
			RSI_ERROR_INPUT, CSM_E_SIZE_MISMATCH);
	assert_rsi_fail(fw_reserve(fw->r[1], &sid, CBASE, SIZE - G),
			RSI_ERROR_INPUT, CSM_E_SIZE_MISMATCH);
}

static void
test_rsi_csm_reserve_TC11(void **state)	/* apt_full */
{
	struct fw *fw = *state;
	struct sid sid = shared(fw, CSM_PERM_RW);
	unsigned long ipa = 0x4000000UL;

	while (apt_of(fw, fw->r[1])->hdr.nr_used < APT_CAPACITY) {
		assert_int_equal(fw_create(fw->r[1], ipa, G, NULL),
				 RSI_SUCCESS);
		ipa += G;
	}
	assert_rsi_fail(fw_reserve(fw->r[1], &sid, CBASE, SIZE),
			RSI_ERROR_STATE, CSM_E_APT_FULL);
}

static void
test_rsi_csm_reserve_TC12(void **state)	/* not_reclaimed */
{
	struct fw *fw = *state;
	struct sid sid = shared(fw, CSM_PERM_RW);
	struct hm_realm *c = fw->r[1];
	struct hm_exit exit;
	unsigned long x[4];

	assert_int_equal(hm_realm_populate(c, CBASE + G, G), 0);
	hm_realm_smc(c, RSI_CSM_RESERVE, sid.prov, sid.handle, CBASE, SIZE);
	assert_int_equal(hm_rec_enter(c, &exit), RMI_SUCCESS);
	assert_int_equal(exit.reason, RMI_EXIT_CSM_RECLAIM);
	assert_int_equal(exit.base, CBASE);
	assert_int_equal(exit.top, CBASE + SIZE);
	/* The host re-enters without reclaiming. */
	assert_int_equal(hm_rec_enter(c, &exit), RMI_SUCCESS);
	assert_true(hm_realm_result(c, x));
	assert_int_equal(x[0], RSI_INCOMPLETE);
	assert_int_equal(x[1], CBASE + G);
	assert_null(apt_find_consumed(apt_of(fw, c), sid.prov, sid.handle));
	assert_int_equal(fw_reserve(c, &sid, CBASE, SIZE), RSI_SUCCESS);
}

static void
test_rsi_csm_reserve_success(void **state)
{
	struct fw *fw = *state;
	struct sid sid = shared(fw, CSM_PERM_RO);
	struct apt_entry *e, *g;

	assert_int_equal(fw_reserve(fw->r[1], &sid, CBASE, SIZE), RSI_SUCCESS);
	e = apt_find_consumed(apt_of(fw, fw->r[1]), sid.prov, sid.handle);
	g = apt_find_grant(apt_of(fw, fw->r[0]), sid.handle);
	assert_non_null(e);
	assert_non_null(g);
	assert_int_equal(e->state, CSM_STATE_RESERVED);
	assert_int_equal(g->state, CSM_STATE_RESERVED);
	assert_int_equal(e->perm, CSM_PERM_RO);
	assert_int_equal(e->base, CBASE);
	/* The host can now neither back nor take anything in the range. */
	assert_int_not_equal(hm_realm_populate(fw->r[1], CBASE, G), 0);
}

/* ---- RSI_CSM_ATTACH ------------------------------------------------------------- */

static void
test_rsi_csm_attach_TC1(void **state)	/* no_apt */
{
	struct fw *fw = *state;
	struct sid sid = { hm_realm_id(fw->r[0]), CSM_SID_HANDLE(1, 1) };

	assert_rsi_fail(fw_attach(no_apt_realm(fw), &sid), RSI_ERROR_STATE,
			CSM_E_NO_APT);
}

static void
test_rsi_csm_attach_TC2(void **state)	/* unknown_sid */
{
	struct fw *fw = *state;
	struct sid sid = shared(fw, CSM_PERM_RW);

	/* Shared but not reserved: nothing to attach. */
	assert_rsi_fail(fw_attach(fw->r[1], &sid), RSI_ERROR_INPUT,
			CSM_E_UNKNOWN_SID);
	assert_int_equal(fw_reserve(fw->r[1], &sid, CBASE, SIZE), RSI_SUCCESS);
	sid.prov ^= 1;
	assert_rsi_fail(fw_attach(fw->r[1], &sid), RSI_ERROR_INPUT,
			CSM_E_UNKNOWN_SID);
}

static void
test_rsi_csm_attach_TC3(void **state)	/* bad_state */
{
	struct fw *fw = *state;
	struct sid sid = shared(fw, CSM_PERM_RW);

	assert_int_equal(fw_reserve(fw->r[1], &sid, CBASE, SIZE), RSI_SUCCESS);
	assert_int_equal(fw_attach(fw->r[1], &sid), RSI_SUCCESS);
	assert_rsi_fail(fw_attach(fw->r[1], &sid), RSI_ERROR_STATE,
			CSM_E_BAD_STATE);
	assert_int_equal(fw_revoke(fw->r[0], &sid), RSI_SUCCESS);
	assert_rsi_fail(fw_attach(fw->r[1], &sid), RSI_ERROR_STATE,
			CSM_E_BAD_STATE);
}

static void
test_rsi_csm_attach_success(void **state)
{
	struct fw *fw = *state;
	struct sid sid = shared(fw, CSM_PERM_RO);
	struct hm_rtte pe, ce;
	unsigned long off;

	assert_int_equal(fw_reserve(fw->r[1], &sid, CBASE, SIZE), RSI_SUCCESS);
	assert_int_equal(fw_attach(fw->r[1], &sid), RSI_SUCCESS);
	for (off = 0; off < SIZE; off += G) {
		assert_int_equal(hm_rtt_entry(fw->hm, hm_realm_rd(fw->r[0]),
					      PBASE + off, &pe), 0);
		assert_int_equal(hm_rtt_entry(fw->hm, hm_realm_rd(fw->r[1]),
					      CBASE + off, &ce), 0);
		assert_int_equal(ce.state, RMI_ASSIGNED);
		assert_int_equal(ce.pa, pe.pa);
		assert_int_equal(ce.perm, CSM_PERM_RO);	/* RO applied */
		assert_int_equal(pe.perm, CSM_PERM_RW);
		assert_int_equal(hm_granule_refcount(fw->hm, pe.pa), 1);
	}
}

/* ---- RSI_CSM_DETACH_AND_FREE ------------------------------------------------------ */

static void
test_rsi_csm_detach_and_free_TC1(void **state)	/* no_apt */
{
	struct fw *fw = *state;
	struct sid sid = { hm_realm_id(fw->r[0]), CSM_SID_HANDLE(1, 1) };

	assert_rsi_fail(fw_detach(no_apt_realm(fw), &sid), RSI_ERROR_STATE,
			CSM_E_NO_APT);
}

static void
test_rsi_csm_detach_and_free_TC2(void **state)	/* unknown_sid */
{
	struct fw *fw = *state;
	struct sid sid = shared(fw, CSM_PERM_RW);

	assert_rsi_fail(fw_detach(fw->r[1], &sid), RSI_ERROR_INPUT,
			CSM_E_UNKNOWN_SID);
	assert_int_equal(fw_reserve(fw->r[1], &sid, CBASE, SIZE), RSI_SUCCESS);
	assert_int_equal(fw_detach(fw->r[1], &sid), RSI_SUCCESS);
	assert_rsi_fail(fw_detach(fw->r[1], &sid), RSI_ERROR_INPUT,
			CSM_E_UNKNOWN_SID);
}

static void
test_rsi_csm_detach_and_free_success(void **state)
{
	struct fw *fw = *state;
	struct sid sid = shared(fw, CSM_PERM_RW);
	struct hm_realm *c = fw->r[1];
	struct hm_exit exit;
	unsigned long x[4];

	assert_int_equal(fw_reserve(c, &sid, CBASE, SIZE), RSI_SUCCESS);
	assert_int_equal(fw_attach(c, &sid), RSI_SUCCESS);
	hm_tlbi_clear(fw->hm);
	/* Step by step: the REMOVE exit, then success on re-entry. */
	hm_realm_smc(c, RSI_CSM_DETACH_AND_FREE, sid.prov, sid.handle, 0, 0);
	assert_int_equal(hm_rec_enter(c, &exit), RMI_SUCCESS);
	assert_int_equal(exit.reason, RMI_EXIT_CSM_REMOVE);
	assert_int_equal(exit.base, CBASE);
	assert_int_equal(exit.top, CBASE + SIZE);
	/* Already unmapped, with a TLBI per granule, before the exit. */
	assert_int_equal(hm_tlbi_count(fw->hm, hm_realm_rd(c), CBASE), 1);
	assert_int_equal(hm_tlbi_count(fw->hm, hm_realm_rd(c), CBASE + G), 1);
	assert_int_equal(hm_rec_enter(c, &exit), RMI_SUCCESS);
	assert_true(hm_realm_result(c, x));
	assert_int_equal(x[0], RSI_SUCCESS);
	assert_int_equal(apt_find_grant(apt_of(fw, fw->r[0]),
					sid.handle)->state, CSM_STATE_SHARED);
	assert_null(apt_find_consumed(apt_of(fw, c), sid.prov, sid.handle));
}

/* ---- Both lock orders ---------------------------------------------------------------- */

/* Every two-realm command with provider @p and consumer @c. */
static void
all_two_realm_commands(struct fw *fw, struct hm_realm *p, struct hm_realm *c)
{
	unsigned long id, res[4];
	struct sid sid;

	assert_int_equal(fw_create(p, PBASE, SIZE, &id), RSI_SUCCESS);
	assert_int_equal(fw_share(p, id, c, CSM_PERM_RW, &sid), RSI_SUCCESS);
	assert_int_equal(fw_reserve(c, &sid, CBASE, SIZE), RSI_SUCCESS);
	assert_int_equal(fw_attach(c, &sid), RSI_SUCCESS);
	assert_int_equal(hm_rmi(fw->hm, RMI_DATA_DESTROY, hm_realm_rd(p),
				PBASE, 0, 0, res), RMI_SUCCESS);
	assert_int_equal(hm_rmi(fw->hm, RMI_DATA_CREATE_UNKNOWN,
				hm_realm_rd(p), res[0], PBASE, 0, NULL),
			 RMI_SUCCESS);
	assert_int_equal(fw_detach(c, &sid), RSI_SUCCESS);
	assert_int_equal(fw_reserve(c, &sid, CBASE, SIZE), RSI_SUCCESS);
	assert_int_equal(fw_attach(c, &sid), RSI_SUCCESS);
	assert_int_equal(fw_revoke(p, &sid), RSI_SUCCESS);
	assert_int_equal(fw_detach(c, &sid), RSI_SUCCESS);
	assert_int_equal(fw_share(p, id, c, CSM_PERM_RO, &sid), RSI_SUCCESS);
	assert_int_equal(fw_reserve(c, &sid, CBASE, SIZE), RSI_SUCCESS);
	assert_int_equal(fw_attach(c, &sid), RSI_SUCCESS);
	assert_int_equal(fw_destroy(p, id), RSI_SUCCESS);
	assert_int_equal(hm_violations(fw->hm, NULL), 0);
	fw_check(fw);
}

static void
test_order_provider_rd_below(void **state)
{
	struct fw *fw = *state;

	assert_true(hm_realm_rd(fw->r[0]) < hm_realm_rd(fw->r[1]));
	all_two_realm_commands(fw, fw->r[0], fw->r[1]);
}

static void
test_order_provider_rd_above(void **state)
{
	struct fw *fw = *state;

	assert_true(hm_realm_rd(fw->r[1]) > hm_realm_rd(fw->r[0]));
	all_two_realm_commands(fw, fw->r[1], fw->r[0]);
}

/* The checker itself: locking two RDs downwards is flagged. */
static void
test_order_checker_catches_descending(void **state)
{
	struct fw *fw = *state;
	struct granule *hi, *lo;
	const char *msg;

	hi = port_find_lock_granule(hm_realm_rd(fw->r[1]), PORT_GS_RD);
	lo = port_find_lock_granule(hm_realm_rd(fw->r[0]), PORT_GS_RD);
	assert_non_null(hi);
	assert_non_null(lo);
	port_granule_unlock(lo);
	port_granule_unlock(hi);
	assert_int_equal(hm_violations(fw->hm, &msg), 1);
	assert_non_null(strstr(msg, "lock order"));
	/* Make teardown's invariant check pass again. */
	hm_destroy(fw->hm);
	assert_int_equal(hm_create(NULL, &fw->hm), 0);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, fw_setup3, fw_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_rsi_csm_reserve_TC1), T(test_rsi_csm_reserve_TC2),
		T(test_rsi_csm_reserve_TC3), T(test_rsi_csm_reserve_TC4),
		T(test_rsi_csm_reserve_TC5), T(test_rsi_csm_reserve_TC6),
		T(test_rsi_csm_reserve_TC7), T(test_rsi_csm_reserve_TC8),
		T(test_rsi_csm_reserve_TC9), T(test_rsi_csm_reserve_TC10),
		T(test_rsi_csm_reserve_TC11), T(test_rsi_csm_reserve_TC12),
		T(test_rsi_csm_reserve_success),
		T(test_rsi_csm_attach_TC1), T(test_rsi_csm_attach_TC2),
		T(test_rsi_csm_attach_TC3), T(test_rsi_csm_attach_success),
		T(test_rsi_csm_detach_and_free_TC1),
		T(test_rsi_csm_detach_and_free_TC2),
		T(test_rsi_csm_detach_and_free_success),
		T(test_order_provider_rd_below),
		T(test_order_provider_rd_above),
		T(test_order_checker_catches_descending),
	};

	return cmocka_run_group_tests_name("firmware-rsi-consumer", tests,
					   NULL, NULL);
}
